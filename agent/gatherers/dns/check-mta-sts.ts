import type { MtaStsFacts, MtaStsPolicyFacts } from '../../../rules/facts/dns.js'
import { isMtaStsRecord, parseMtaStsPolicy, parseMtaStsRecord, uncoveredMxHosts } from '../../dns/mta-sts.js'
import type { DomainCheckContext } from './domain-check-context.js'
import { contentTypeOf, fetchHttps } from './https-fetch.js'
import type { MxList } from './mx-records.js'

/** RFC 8461 §3.3: senders should cap the policy body; 64 KiB is what the RFC suggests. */
const maxPolicyBytes = 64 * 1024

/**
 * MTA-STS of one domain (RFC 8461): the `_mta-sts` TXT record, then — as a sending MTA
 * would — the policy at `https://mta-sts.DOMAIN/.well-known/mta-sts.txt`, without
 * following redirects, with the certificate checked, and its `mx:` patterns against the
 * domain's real MX hosts.
 */
export async function checkMtaSts(context: DomainCheckContext, domain: string, mx: MxList): Promise<MtaStsFacts> {
  const name = `_mta-sts.${domain}`
  const facts: MtaStsFacts = { target: domain, domain, records: [], errors: [], id: null, mxHosts: [], policy: null, policyError: null, uncoveredMx: [] }
  if ('error' in mx) return { ...facts, error: mx.error }
  facts.mxHosts = mx.hosts
  if (mx.hosts.length === 0) return facts
  const answer = await context.dns.lookup(name, 'TXT')
  if (!answer.ok) return { ...facts, error: `TXT ${name}: ${answer.reason}` }
  facts.records = answer.records.filter(isMtaStsRecord)
  if (facts.records.length === 0) return facts
  if (facts.records.length > 1) {
    // RFC 8461 §3.1: not exactly one record, and senders assume there is no policy.
    facts.errors.push(`${facts.records.length} MTA-STS records at ${name}: senders then assume there is no policy (RFC 8461 §3.1)`)
    return facts
  }
  const record = parseMtaStsRecord(facts.records[0]!)
  facts.errors.push(...record.errors)
  facts.id = record.id
  if (record.errors.length > 0) return facts

  const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`
  const outcome = await fetchHttps(context, url, { maxBytes: maxPolicyBytes, maxRedirects: 0 })
  if ('absent' in outcome) return { ...facts, policyError: `the policy host ${outcome.absent}` }
  if ('error' in outcome) return { ...facts, error: `MTA-STS policy ${url}: ${outcome.error}` }
  const fetched = outcome.answer
  const contentType = contentTypeOf(fetched)
  const policy: MtaStsPolicyFacts = {
    url,
    status: fetched.status,
    contentType,
    certificateValid: outcome.certificateValid,
    certificateError: outcome.certificateError,
    errors: [],
    mode: null,
    mx: [],
    maxAgeSeconds: null,
  }
  if (fetched.status >= 300 && fetched.status <= 399) policy.errors.push(`HTTP ${fetched.status} redirect: senders do not follow redirects (RFC 8461 §3.3)`)
  else if (fetched.status !== 200) policy.errors.push(`HTTP ${fetched.status}: senders need 200 (RFC 8461 §3.3)`)
  else {
    if (!contentType?.startsWith('text/plain')) policy.errors.push(`Content-Type ${contentType ?? 'missing'}, not text/plain (RFC 8461 §3.2)`)
    if (fetched.truncated) policy.errors.push(`the policy is larger than ${maxPolicyBytes} bytes`)
    const parsed = parseMtaStsPolicy(fetched.body)
    policy.errors.push(...parsed.errors)
    policy.mode = parsed.mode
    policy.mx = parsed.mx
    policy.maxAgeSeconds = parsed.maxAgeSeconds
    facts.uncoveredMx = uncoveredMxHosts(mx.hosts, parsed.mx)
  }
  return { ...facts, policy }
}
