import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Root of the access domain's fixtures (test/fixtures/access). */
export const accessFixtureDir = join(import.meta.dirname, '../../../../fixtures/access')

/** A fixture's text, by path under test/fixtures/access. */
export function fixture(name: string): string {
  return readFileSync(join(accessFixtureDir, name), 'utf8')
}
