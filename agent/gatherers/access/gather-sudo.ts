import { posix } from 'node:path'
import type { SudoGrant } from '../../../rules/facts/access.js'
import type { NodeFiles } from './node-files.js'
import { isIncludedName, parseSudoers } from './sudoers.js'

/**
 * Passwordless sudo grants in /etc/sudoers and everything it includes (`@includedir
 * /etc/sudoers.d` on Debian and RHEL). A file that cannot be read makes the whole answer
 * unknown: a grant could hide in it.
 */
export async function gatherSudo(files: NodeFiles): Promise<{ nopasswd: SudoGrant[] } | { failed: string }> {
  const main = await files.read('/etc/sudoers')
  if ('failed' in main) return main
  if ('absent' in main) return { nopasswd: [] } // no sudo installed: nobody gains root through it
  const grants: SudoGrant[] = []
  const queue: { path: string; text: string }[] = [{ path: '/etc/sudoers', text: main.text }]
  const seen = new Set(['/etc/sudoers'])
  while (queue.length > 0) {
    const { path, text } = queue.shift()!
    const parsed = parseSudoers(text, path)
    grants.push(...parsed.grants)
    for (const include of parsed.includes) {
      // Relative include paths are relative to the including file's directory (sudo ≥ 1.9.1).
      const target = posix.resolve(posix.dirname(path), include.path)
      const paths: string[] = []
      if (include.kind === 'dir') {
        const listing = await files.list(target)
        if ('failed' in listing) return listing
        paths.push(...listing.names.filter(isIncludedName).map((n) => posix.join(target, n)))
      } else {
        paths.push(target)
      }
      for (const p of paths.filter((p) => !seen.has(p))) {
        seen.add(p)
        const file = await files.read(p)
        if ('failed' in file) return file
        if ('text' in file) queue.push({ path: p, text: file.text })
      }
    }
  }
  return { nopasswd: grants }
}
