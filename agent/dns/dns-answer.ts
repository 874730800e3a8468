/**
 * A DNS answer as the checks read it, and as probes record it in snapshots. A name that
 * does not exist (NXDOMAIN) or has no record of the type (NOERROR, empty: "NODATA") is an
 * answer; SERVFAIL, REFUSED, a timeout or an unusable reply is not, and keeps its reason.
 */
export type DnsAnswer<T> =
  | { ok: true; rcode: 'NOERROR' | 'NXDOMAIN'; records: T[] }
  | { ok: false; code: string; reason: string }

/** The record types the checks ask for, and what each answer holds. */
export interface DnsRecordTypes {
  TXT: string
  MX: MxRecord
  CAA: CaaRecord
  A: string
  AAAA: string
}
export type DnsRecordType = keyof DnsRecordTypes

export interface MxRecord {
  exchange: string
  priority: number
}

/** RFC 8659 §4.1: flags (bit 128 is Issuer Critical), tag, value. */
export interface CaaRecord {
  critical: boolean
  tag: string
  value: string
}

/** The records of an answer, empty for NXDOMAIN and NODATA; null when the lookup failed. */
export function recordsOf<T>(answer: DnsAnswer<T>): T[] | null {
  return answer.ok ? answer.records : null
}

/** `NXDOMAIN` / `no TXT records` / the failure, for messages. */
export function describeAnswer(name: string, type: DnsRecordType, answer: DnsAnswer<unknown>): string {
  if (!answer.ok) return `${type} ${name}: ${answer.reason}`
  if (answer.rcode === 'NXDOMAIN') return `${name} does not exist (NXDOMAIN)`
  return answer.records.length === 0 ? `no ${type} record at ${name}` : `${answer.records.length} ${type} record(s) at ${name}`
}
