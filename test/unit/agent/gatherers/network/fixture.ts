import { readFileSync } from 'node:fs'
import { parseSnapshot, type Snapshot } from '../../../../../agent/snapshot.js'

/** Text of a file in test/fixtures/network/. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../../../fixtures/network/${name}`, import.meta.url), 'utf8')
}

/** A network-namespace snapshot captured with the real gatherer (test/fixtures/network/README lines). */
export function snapshotFixture(name: string): Snapshot {
  return parseSnapshot(fixture(name), name)
}
