import { isIP } from 'node:net'
import { z } from 'zod'
import { normalizeDomain } from '../../dns/domain-name.js'
import { parseTarget } from '../tls/tls-target.js'

/**
 * The scan config's `dns` section: the domains whose email authentication, CAA and
 * security.txt are checked, and how to reach them. With no domains, every dns rule is
 * `na` and says how to add some.
 *
 * ```yaml
 * dns:
 *   domains:
 *     - example.com                      # shorthand: no DKIM selectors, any CA
 *     - name: example.net
 *       dkimSelectors: [s1, google]
 *       allowedCas: [letsencrypt.org]
 *   resolver: 192.0.2.53:53              # default: the system's resolvers
 *   connect:                              # where a name's service really is (tests, split DNS)
 *     "mx1.example.net:25": "192.0.2.25:25"
 * ```
 */
const domainName = z.string().transform((text, ctx) => {
  const parsed = normalizeDomain(text)
  if ('error' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.error })
    return z.NEVER
  }
  return parsed.name
})

/** A DKIM selector is one or more labels (RFC 6376 §3.1). */
const selector = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*$/, 'a DKIM selector is one or more DNS labels, e.g. s1 or 2024._mail')

export const dnsDomainConfigSchema = z
  .object({
    name: domainName,
    /** DKIM selectors in use (`s1` for s1._domainkey.NAME): DNS cannot list them. */
    dkimSelectors: z.array(selector).default([]),
    /** CA domains CAA may name (`letsencrypt.org`, `sectigo.com`); empty: any, as long as CAA exists. */
    allowedCas: z.array(domainName).default([]),
  })
  .strict()
export type DnsDomainConfig = z.output<typeof dnsDomainConfigSchema>

/** A domain is an object, or the shorthand string `example.com`. */
const domainEntry = z.preprocess((value) => (typeof value === 'string' ? { name: value } : value), dnsDomainConfigSchema)

/** `ADDRESS[:PORT]` of a DNS server: an IP literal (Node's resolver takes no names), port 53 by default. */
export const resolverAddress = z.string().transform((text, ctx) => {
  const parsed = parseTarget(text, 53)
  if ('error' in parsed || !isIP(parsed.host)) {
    ctx.addIssue({ code: 'custom', message: `"${text}": a resolver is an IP address with an optional port (127.0.0.1:5353, [::1]:53)` })
    return z.NEVER
  }
  return formatHostPort(parsed.host, parsed.port)
})

/**
 * Connect overrides: `HOST:PORT` (normalised: lower case, no trailing dot) → `ADDRESS:PORT`
 * (an IP literal, never a name: an override must not need a lookup of its own).
 */
const connectOverrides = z.record(z.string(), z.string()).transform((map, ctx) => {
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(map)) {
    const from = parseTarget(key, 0)
    if ('error' in from || from.port === 0) {
      ctx.addIssue({ code: 'custom', path: [key], message: `"${key}": expected HOST:PORT` })
      continue
    }
    const to = parseTarget(value, 0)
    if ('error' in to || to.port === 0 || !isIP(to.host)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `"${value}": expected ADDRESS:PORT (an IP literal)` })
      continue
    }
    result[formatHostPort(from.host.toLowerCase().replace(/\.$/, ''), from.port)] = formatHostPort(to.host, to.port)
  }
  return result
})

export const dnsConfigSchema = z
  .object({
    domains: z.array(domainEntry).default([]),
    /** DNS server to ask; null: the system's resolvers (/etc/resolv.conf). */
    resolver: resolverAddress.nullable().default(null),
    /** Per DNS try. */
    timeoutMs: z.number().int().min(100).max(60_000).default(3_000),
    tries: z.number().int().min(1).max(5).default(2),
    /** Per connection to an MX host (SMTP greetings may be delayed on purpose) or HTTPS server. */
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /**
     * `HOST:PORT` → `ADDRESS:PORT`: connect there instead of resolving HOST (like curl's
     * --connect-to). The name still goes into SNI, Host and the certificate check.
     */
    connect: connectOverrides.default({}),
    /** Domains checked at once. */
    domainsAtOnce: z.number().int().min(1).max(16).default(4),
  })
  .strict()
export type DnsConfig = z.output<typeof dnsConfigSchema>

export function formatHostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`
}
