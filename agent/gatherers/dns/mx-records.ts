import type { DnsLookup } from './dns-lookup.js'

/** A domain's mail exchangers, most preferred first (RFC 5321 §5.1). */
export type MxList =
  | { hosts: string[]; /** Why there are none: no MX records, or a null MX (RFC 7505). */ note: string | null }
  | { error: string }

export async function lookupMx(dns: DnsLookup, domain: string): Promise<MxList> {
  const answer = await dns.lookup(domain, 'MX')
  if (!answer.ok) return { error: `MX ${domain}: ${answer.reason}` }
  const records = [...answer.records].sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange))
  // RFC 7505: a single MX with the root as exchange ("0 .") says the domain takes no mail.
  if (records.length === 1 && (records[0]!.exchange === '' || records[0]!.exchange === '.')) return { hosts: [], note: `${domain} has a null MX (RFC 7505): it accepts no mail` }
  if (records.length === 0) return { hosts: [], note: answer.rcode === 'NXDOMAIN' ? `${domain} does not exist (NXDOMAIN)` : `${domain} has no MX records: it receives no mail` }
  const hosts = [...new Set(records.map((r) => r.exchange.toLowerCase().replace(/\.$/, '')).filter(Boolean))]
  return { hosts, note: null }
}
