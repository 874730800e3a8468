import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The directory holding Posture's package.json, found from this module's location so
 * that the same code works from source (vitest) and from dist/ (the built CLI).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules', 'catalogue'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the Posture package root above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}
