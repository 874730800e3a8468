import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

export const fixturesDir = resolve(import.meta.dirname, '../../../../fixtures/patches')

/** A file from test/fixtures/patches/. */
export function fixture(name: string): string {
  return readFileSync(resolve(fixturesDir, name), 'utf8')
}
