import { z } from 'zod'
import type { Host } from '../../host/host.js'
import type { DnsAnswer, DnsRecordType, DnsRecordTypes } from '../../dns/dns-answer.js'
import { createDnsResolver, queryDns, type DnsResolver } from '../../dns/dns-query.js'

/**
 * DNS lookups through `host.probe`, so that a snapshot records every answer and replays
 * it: the probe key is `dns TYPE NAME via RESOLVER` (`dns TXT _dmarc.example.com via
 * 127.0.0.1:5353`, `… via system`). Each distinct question is asked once per scan. The
 * tally tells `posture domain` whether the resolver answered anything at all.
 */
export interface DnsLookup {
  /** `system` or `ADDRESS:PORT`. */
  resolverLabel: string
  lookup<T extends DnsRecordType>(name: string, type: T): Promise<DnsAnswer<DnsRecordTypes[T]>>
  tally: ResolverTally
}

export interface ResolverTally {
  /** Questions the resolver answered (records, NXDOMAIN or no data). */
  answered: number
  /** Questions that got no usable answer, by reason. */
  failed: number
  /** Failures that mean the resolver itself was not reached (timeout, connection refused). */
  unreachable: number
  firstFailure: string | null
}

export interface DnsLookupOptions {
  server: string | null
  timeoutMs: number
  tries: number
}

const failure = z.object({ ok: z.literal(false), code: z.string(), reason: z.string() })
const answerOf = <T extends z.ZodType>(record: T) => z.union([z.object({ ok: z.literal(true), rcode: z.enum(['NOERROR', 'NXDOMAIN']), records: z.array(record) }), failure])

/** What a recorded answer must look like, per type (snapshots are outside data). */
const answerSchemas: { [K in DnsRecordType]: z.ZodType<DnsAnswer<DnsRecordTypes[K]>> } = {
  TXT: answerOf(z.string()),
  MX: answerOf(z.object({ exchange: z.string(), priority: z.number() })),
  CAA: answerOf(z.object({ critical: z.boolean(), tag: z.string(), value: z.string() })),
  A: answerOf(z.string()),
  AAAA: answerOf(z.string()),
}

/** Reasons that say the resolver was not reached, rather than that it failed a question. */
const unreachableCodes = new Set(['ETIMEOUT', 'ECONNREFUSED'])

export function createDnsLookup(host: Host, options: DnsLookupOptions): DnsLookup {
  let resolver: DnsResolver | null = null
  const cache = new Map<string, Promise<DnsAnswer<unknown>>>()
  const tally: ResolverTally = { answered: 0, failed: 0, unreachable: 0, firstFailure: null }
  const resolverLabel = options.server ?? 'system'

  const ask = async (name: string, type: DnsRecordType): Promise<DnsAnswer<unknown>> => {
    const key = `dns ${type} ${name} via ${resolverLabel}`
    const recorded = await host.probe(key, () => queryDns((resolver ??= createDnsResolver(options)), name, type))
    let answer: DnsAnswer<unknown>
    if ('error' in recorded) answer = { ok: false, code: recorded.error, reason: recorded.message }
    else {
      const parsed = answerSchemas[type].safeParse(recorded.result)
      answer = parsed.success ? parsed.data : { ok: false, code: 'EBADRECORD', reason: `unreadable probe record for ${key}` }
    }
    if (answer.ok) tally.answered++
    else {
      tally.failed++
      if (unreachableCodes.has(answer.code)) tally.unreachable++
      tally.firstFailure ??= `${type} ${name}: ${answer.reason}`
    }
    return answer
  }

  return {
    resolverLabel,
    tally,
    lookup<T extends DnsRecordType>(name: string, type: T): Promise<DnsAnswer<DnsRecordTypes[T]>> {
      const normalized = name.toLowerCase().replace(/\.$/, '')
      const key = `${type} ${normalized}`
      let pending = cache.get(key)
      if (!pending) {
        pending = ask(normalized, type)
        cache.set(key, pending)
      }
      return pending as Promise<DnsAnswer<DnsRecordTypes[T]>>
    },
  }
}
