import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/**
 * Builds dist/ (incrementally) before any test runs: integration tests spawn the real CLI.
 * Type errors do not stop the build (tsc still emits): `npm test` type-checks first, and a
 * half-edited file elsewhere should not keep the rest of the suite from running.
 */
export default function setup(): void {
  const root = resolve(import.meta.dirname, '..')
  const build = spawnSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  })
  if (build.status !== 0) {
    const errors = (build.stdout + build.stderr).split('\n').filter((l) => l.includes('error TS')).length
    console.warn(`test/global-setup: tsc reported ${errors} type error(s); dist/ was built anyway (npm test type-checks first)`)
  }
  if (!existsSync(resolve(root, 'dist/cli/posture.js'))) throw new Error(`build failed: dist/cli/posture.js missing\n${build.stdout}${build.stderr}`)
  // The rest of `npm run build`: the parsed rule catalogue the built CLI starts from.
  const cache = spawnSync(process.execPath, [resolve(root, 'dist/rules/write-catalogue-cache.js')], { cwd: root, encoding: 'utf8' })
  if (cache.status !== 0) throw new Error(`rule catalogue cache: ${cache.stdout}${cache.stderr}`)
}
