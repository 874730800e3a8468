import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseSnapshot, type Snapshot } from '../../../../../agent/snapshot.js'
import { createCelEnvironment } from '../../../../../rules/cel-environment.js'
import { compileRule, type CompiledRule } from '../../../../../rules/compile-rule.js'
import { factsSchema } from '../../../../../rules/facts/facts.js'
import { builtinCatalogueDir, readRuleFile } from '../../../../../rules/load-rules.js'

/** Text of a file in test/fixtures/network/. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../../../fixtures/network/${name}`, import.meta.url), 'utf8')
}

/** A network-namespace snapshot captured with the real gatherer (test/fixtures/network/README lines). */
export function snapshotFixture(name: string): Snapshot {
  return parseSnapshot(fixture(name), name)
}

/**
 * The built-in network rules only, compiled as the loader does: these tests do not depend
 * on other domains' rule files.
 */
export function networkRules(): CompiledRule[] {
  const path = join(builtinCatalogueDir(), 'network.yaml')
  const env = createCelEnvironment()
  return readRuleFile(path).rules.map(({ spec }) => compileRule(spec, path, env, factsSchema))
}
