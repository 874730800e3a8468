import { readFileSync } from 'node:fs'
import { writeCatalogueCache } from './catalogue-cache.js'
import { builtinCatalogueFiles, readRuleFile, scoringPolicyPath } from './load-rules.js'
import { yamlLib } from './yaml-lib.js'

/** `npm run build`'s last step: parse the built-in catalogue once, for every later start. */
const files = builtinCatalogueFiles().map((path) => readRuleFile(path, { useCache: false }))
const scoringText = readFileSync(scoringPolicyPath(), 'utf8')
const path = writeCatalogueCache(
  files.map(({ text, rules, overrides }) => ({ text, parsed: { rules, overrides } })),
  [{ text: scoringText, value: yamlLib().parse(scoringText) as unknown }],
)
console.log(`rules: cached the parsed catalogue (${files.length} files) and scoring policy in ${path}`)
