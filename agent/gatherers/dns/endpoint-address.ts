import { isIP } from 'node:net'
import { parseTarget } from '../tls/tls-target.js'
import type { DomainCheckContext } from './domain-check-context.js'
import { formatHostPort } from './dns-config.js'

/**
 * Where to connect for `name:port`: a connect override when one is configured, else the
 * first A (then AAAA) record from the configured resolver — never the local machine's
 * getaddrinfo, whose /etc/hosts view is not what the internet sees.
 */
export type EndpointAddress =
  | { address: string; port: number }
  /** The name has no address: a sender would fail the same way (a finding). */
  | { absent: string }
  /** The lookup failed (SERVFAIL, timeout): nothing can be said. */
  | { error: string }

export async function resolveEndpoint(context: DomainCheckContext, name: string, port: number): Promise<EndpointAddress> {
  const override = context.connect[formatHostPort(name.toLowerCase().replace(/\.$/, ''), port)]
  if (override !== undefined) {
    const parsed = parseTarget(override, port)
    if ('error' in parsed) return { error: `connect override for ${name}:${port}: ${parsed.error}` }
    return { address: parsed.host, port: parsed.port }
  }
  if (isIP(name)) return { address: name, port }
  const v4 = await context.dns.lookup(name, 'A')
  if (!v4.ok) return { error: `A ${name}: ${v4.reason}` }
  if (v4.records[0] !== undefined) return { address: v4.records[0], port }
  const v6 = await context.dns.lookup(name, 'AAAA')
  if (!v6.ok) return { error: `AAAA ${name}: ${v6.reason}` }
  if (v6.records[0] !== undefined) return { address: v6.records[0], port }
  return { absent: v4.rcode === 'NXDOMAIN' ? `${name} does not exist (NXDOMAIN)` : `${name} has no A or AAAA record` }
}
