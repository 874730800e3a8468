import { domains as allDomains, isDomain, type Domain } from '../rules/domain-names.js'
import { PostureError } from '../rules/posture-error.js'

/**
 * `--only tls,patches` → domains; every domain when absent. Its own (zod-free) file so that
 * the long-lived `posture agent` process can parse it without loading zod.
 */
export function parseDomains(value: string | undefined): Domain[] {
  if (value === undefined) return [...allDomains]
  const names = value.split(',').map((s) => s.trim()).filter(Boolean)
  if (names.length === 0) throw new PostureError('UNKNOWN_DOMAIN', `--only needs at least one domain (${allDomains.join(', ')})`)
  for (const name of names) {
    if (!isDomain(name)) throw new PostureError('UNKNOWN_DOMAIN', `--only: unknown domain "${name}" (known: ${allDomains.join(', ')})`)
  }
  return names as Domain[]
}
