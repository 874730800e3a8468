import { promises as dns } from 'node:dns'
import type { CaaRecord, DnsAnswer, DnsRecordType, DnsRecordTypes, MxRecord } from './dns-answer.js'

/**
 * DNS queries through Node's c-ares resolver (`dns.promises.Resolver`), pointed at the
 * configured server or, without one, at the system's (/etc/resolv.conf). Never the
 * getaddrinfo path: /etc/hosts and nsswitch are the local machine's view, not the DNS.
 * A truncated UDP answer is retried over TCP by c-ares itself.
 */
export interface DnsResolverOptions {
  /** `ADDRESS:PORT` (`[::1]:53`), or null for the system's resolvers. */
  server: string | null
  /** Per try. */
  timeoutMs: number
  tries: number
}

export type DnsResolver = InstanceType<typeof dns.Resolver>

export function createDnsResolver(options: DnsResolverOptions): DnsResolver {
  const resolver = new dns.Resolver({ timeout: options.timeoutMs, tries: options.tries })
  if (options.server !== null) resolver.setServers([options.server])
  return resolver
}

/** What the resolver said, in words, by c-ares error code (node:dns "Error codes"). */
const failureReasons: Record<string, string> = {
  ETIMEOUT: 'no answer from the resolver (timeout)',
  ESERVFAIL: 'the resolver answered SERVFAIL (it could not get an answer, e.g. broken DNSSEC or unreachable name servers)',
  EREFUSED: 'the resolver answered REFUSED',
  ECONNREFUSED: 'connection to the resolver refused: it is not listening, or it truncated its UDP answer and refused the TCP retry',
  EBADRESP: 'the resolver sent a malformed reply',
  EFORMERR: 'the resolver answered FORMERR (it could not read the query)',
  ENOTIMP: 'the resolver answered NOTIMP',
  EBADNAME: 'not a valid domain name',
  ECANCELLED: 'the query was cancelled',
  EDESTRUCTION: 'the resolver was shut down',
}

export async function queryDns<T extends DnsRecordType>(resolver: DnsResolver, name: string, type: T): Promise<DnsAnswer<DnsRecordTypes[T]>> {
  try {
    return { ok: true, rcode: 'NOERROR', records: (await resolveRecords(resolver, name, type)) as DnsRecordTypes[T][] }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EDNS'
    // c-ares: ENOTFOUND is NXDOMAIN, ENODATA is NOERROR with no record of the type.
    if (code === 'ENOTFOUND') return { ok: true, rcode: 'NXDOMAIN', records: [] }
    if (code === 'ENODATA') return { ok: true, rcode: 'NOERROR', records: [] }
    return { ok: false, code, reason: `${failureReasons[code] ?? (err as Error).message} (${code})` }
  }
}

async function resolveRecords(resolver: DnsResolver, name: string, type: DnsRecordType): Promise<unknown[]> {
  switch (type) {
    case 'TXT':
      // RFC 7208 §3.3, RFC 6376 §3.6.2.2: the strings of one TXT record are concatenated.
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''))
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx): MxRecord => ({ exchange: mx.exchange, priority: mx.priority }))
    case 'CAA':
      return (await resolver.resolveCaa(name)).map(caaRecord)
    case 'A':
      return resolver.resolve4(name)
    case 'AAAA':
      return resolver.resolve6(name)
  }
}

/** Node gives `{ critical: 0|128, issue: 'ca.example' }`: the tag is the one other key. */
function caaRecord(record: object): CaaRecord {
  const entries = Object.entries(record)
  const flags = entries.find(([key]) => key === 'critical')?.[1]
  const critical = typeof flags === 'number' && (flags & 128) !== 0
  const [tag = '', value = ''] = entries.find(([key]) => key !== 'critical') ?? []
  return { critical, tag, value: String(value) }
}
