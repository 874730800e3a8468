import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { createCelEnvironment } from '../../rules/cel-environment.js'
import { compileRule, type CompiledRule } from '../../rules/compile-rule.js'
import { factsSchema } from '../../rules/facts/facts.js'
import { ruleSchema } from '../../rules/rule-schema.js'

/** Compiles one rule written as YAML text, as the loader would. */
export function ruleFromYaml(yaml: string): CompiledRule {
  const spec = ruleSchema.parse(parse(yaml))
  return compileRule(spec, 'test.yaml', createCelEnvironment(), factsSchema)
}

/** A fresh directory holding the given rule files. */
export function ruleDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'posture-rules-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}
