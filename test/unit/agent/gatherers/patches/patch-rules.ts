import { join } from 'node:path'
import { createCelEnvironment } from '../../../../../rules/cel-environment.js'
import { compileRule, type CompiledRule } from '../../../../../rules/compile-rule.js'
import { factsSchema } from '../../../../../rules/facts/facts.js'
import { builtinCatalogueDir, readRuleFile } from '../../../../../rules/load-rules.js'

/** The patches rules alone (rules/catalogue/patches.yaml), compiled as the loader does. */
export function loadPatchRules(): CompiledRule[] {
  const path = join(builtinCatalogueDir(), 'patches.yaml')
  const env = createCelEnvironment()
  return readRuleFile(path).rules.map(({ spec }) => compileRule(spec, path, env, factsSchema))
}
