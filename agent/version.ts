import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../rules/package-root.js'

/** Posture's own version, from package.json. */
export function postureVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0'
}
