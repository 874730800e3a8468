import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CompiledRule } from '../../../../../rules/compile-rule.js'
import { builtinCatalogueDir, loadRuleSet } from '../../../../../rules/load-rules.js'

/** Root of the access domain's fixtures (test/fixtures/access). */
export const accessFixtureDir = join(import.meta.dirname, '../../../../fixtures/access')

/** A fixture's text, by path under test/fixtures/access. */
export function fixture(name: string): string {
  return readFileSync(join(accessFixtureDir, name), 'utf8')
}

/**
 * The access rules alone, loaded from a copy of rules/catalogue/access.yaml: the
 * access tests do not depend on other domains' rule files.
 */
export function accessRules(): CompiledRule[] {
  const dir = mkdtempSync(join(tmpdir(), 'posture-access-rules-'))
  copyFileSync(join(builtinCatalogueDir(), 'access.yaml'), join(dir, 'access.yaml'))
  return loadRuleSet({ builtin: false, userDirs: [dir] }).rules
}
