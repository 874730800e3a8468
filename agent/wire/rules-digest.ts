import { createHash } from 'node:crypto'

/** SHA-256 over a rule pack's files, in name order: what a `rules` message's digest is. */
export function rulesDigest(files: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256')
  for (const name of Object.keys(files).sort()) hash.update(name).update('\0').update(files[name]!).update('\0')
  return hash.digest('hex')
}
