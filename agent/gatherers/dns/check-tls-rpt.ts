import type { TlsRptFacts } from '../../../rules/facts/dns.js'
import { isTlsRptRecord, parseTlsRptRecord } from '../../dns/tls-rpt.js'
import type { DomainCheckContext } from './domain-check-context.js'
import type { MxList } from './mx-records.js'

/** SMTP TLS Reporting (RFC 8460) of one domain, at `_smtp._tls.DOMAIN`. */
export async function checkTlsRpt(context: DomainCheckContext, domain: string, mx: MxList): Promise<TlsRptFacts> {
  const name = `_smtp._tls.${domain}`
  const facts: TlsRptFacts = { target: domain, domain, records: [], errors: [], rua: [], mxHosts: [] }
  if ('error' in mx) return { ...facts, error: mx.error }
  facts.mxHosts = mx.hosts
  if (mx.hosts.length === 0) return facts
  const answer = await context.dns.lookup(name, 'TXT')
  if (!answer.ok) return { ...facts, error: `TXT ${name}: ${answer.reason}` }
  facts.records = answer.records.filter(isTlsRptRecord)
  if (facts.records.length === 0) return facts
  const record = parseTlsRptRecord(facts.records[0]!)
  const errors = [...record.errors]
  // RFC 8460 §3: not exactly one record, and senders assume no TLS reporting.
  if (facts.records.length > 1) errors.unshift(`${facts.records.length} TLS-RPT records at ${name}: senders then send no reports (RFC 8460 §3)`)
  return { ...facts, errors, rua: record.rua }
}
