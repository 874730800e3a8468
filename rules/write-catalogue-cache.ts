import { builtinCatalogueFiles, readRuleFile } from './load-rules.js'
import { writeCatalogueCache } from './catalogue-cache.js'

/** `npm run build`'s last step: parse the built-in catalogue once, for every later start. */
const files = builtinCatalogueFiles().map((path) => readRuleFile(path, { useCache: false }))
const path = writeCatalogueCache(files.map(({ text, rules, overrides }) => ({ text, parsed: { rules, overrides } })))
console.log(`rules: cached the parsed catalogue (${files.length} files) in ${path}`)
