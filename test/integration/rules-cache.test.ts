import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from '../helpers/cli.js'

/**
 * The built CLI starts from the parsed catalogue `npm run build` cached (global-setup runs
 * that step too). Checked in a child process on dist/, where the cache applies: every
 * built-in file is served from it, and what it serves equals a fresh parse of the YAML.
 */
function inDist(script: string): unknown {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(run.stderr)
  return JSON.parse(run.stdout)
}

describe('rule catalogue cache', () => {
  it('exists after the build', () => {
    expect(existsSync(resolve(root, 'dist/rules-catalogue-cache.json'))).toBe(true)
  })

  it('serves every built-in file, equal to a fresh parse', () => {
    const result = inDist(`
      import { readFileSync } from 'node:fs'
      import { isDeepStrictEqual } from 'node:util'
      import { cachedParse } from './dist/rules/catalogue-cache.js'
      import { builtinCatalogueFiles, readRuleFile } from './dist/rules/load-rules.js'
      const files = builtinCatalogueFiles().map((path) => {
        const fresh = readRuleFile(path, { useCache: false })
        const cached = cachedParse(readFileSync(path, 'utf8'))
        return { path, hit: cached !== undefined, equal: isDeepStrictEqual(cached, { rules: fresh.rules, overrides: fresh.overrides }), rules: fresh.rules.length }
      })
      console.log(JSON.stringify(files))`) as { path: string; hit: boolean; equal: boolean; rules: number }[]
    expect(result.length).toBeGreaterThanOrEqual(8)
    for (const file of result) expect(file, file.path).toMatchObject({ hit: true, equal: true })
    expect(result.reduce((n, f) => n + f.rules, 0)).toBeGreaterThan(50)
  })

  it('misses on a changed text, so an edited rule file is parsed again', () => {
    const result = inDist(`
      import { readFileSync } from 'node:fs'
      import { cachedParse } from './dist/rules/catalogue-cache.js'
      import { builtinCatalogueFiles } from './dist/rules/load-rules.js'
      const text = readFileSync(builtinCatalogueFiles()[0], 'utf8')
      console.log(JSON.stringify({ same: cachedParse(text) !== undefined, edited: cachedParse(text + '\\n# edited\\n') !== undefined }))`)
    expect(result).toEqual({ same: true, edited: false })
  })
})
