import { createRequire } from 'node:module'

type YamlLib = typeof import('yaml')
let lib: YamlLib | undefined

/**
 * The `yaml` package, loaded on first use. Importing it costs ~0.1–0.5 s of start-up that
 * a command served from the parsed-catalogue cache never needs (`posture tls`, the agent).
 * Its Node entry is CommonJS, so `require` gives the very module `import` would.
 */
export function yamlLib(): YamlLib {
  lib ??= createRequire(import.meta.url)('yaml') as YamlLib
  return lib
}
