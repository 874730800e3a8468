import { z } from 'zod'
import type { MxHostFacts } from '../../../rules/facts/dns.js'
import { readSmtpGreeting } from '../../dns/smtp-ehlo.js'
import { createLimiter } from '../../tls/limit.js'
import { gatherTlsEndpoints, type TlsProbeTarget } from '../tls/gather-tls.js'
import type { DomainCheckContext } from './domain-check-context.js'
import { formatHostPort } from './dns-config.js'
import { resolveEndpoint } from './endpoint-address.js'
import type { MxList } from './mx-records.js'

/** SMTP between MTAs: port 25 (RFC 5321 §4.5.4.2). */
const smtpPort = 25

const greetingSchema = z.object({
  greetingCode: z.number(),
  banner: z.string(),
  ehloCode: z.number().nullable(),
  capabilities: z.array(z.string()),
  starttls: z.boolean(),
})

export interface MxCheckOptions {
  /** Sockets at once against one MX host during TLS enumeration. */
  connectionsPerEndpoint: number
  /** MX hosts probed at once. */
  hostsAtOnce: number
}

/**
 * STARTTLS on every MX host of the domains, each host once: the EHLO exchange first (is
 * STARTTLS offered?), then the TLS issue's full probe through STARTTLS (protocols,
 * ciphers, certificate checked against the MX name). A domain without MX hosts is one
 * item with `host: null` and a note.
 */
export async function checkMxHosts(context: DomainCheckContext, domains: readonly { domain: string; mx: MxList }[], options: MxCheckOptions): Promise<MxHostFacts[]> {
  const items: MxHostFacts[] = []
  const byHost = new Map<string, string[]>()
  for (const { domain, mx } of domains) {
    if ('error' in mx) items.push({ target: domain, host: null, domains: [domain], error: mx.error })
    else if (mx.hosts.length === 0) items.push({ target: domain, host: null, domains: [domain], note: mx.note ?? `${domain} has no MX records` })
    else for (const host of mx.hosts) byHost.set(host, [...(byHost.get(host) ?? []), domain])
  }
  const limit = createLimiter(options.hostsAtOnce)
  const greeted = await Promise.all([...byHost].map(([host, hostDomains]) => limit(() => greetHost(context, host, hostDomains))))

  const offered = greeted.filter((g) => g.probe !== null)
  const targets: TlsProbeTarget[] = offered.map((g) => ({ host: g.probe!.address, port: g.probe!.port, servername: g.facts.host, starttls: 'smtp', httpPort: null, discovered: false }))
  const gathered =
    targets.length === 0
      ? { endpoints: [] }
      : await gatherTlsEndpoints(context.host, targets, {
          caPems: context.caPems,
          timeoutMs: context.connectTimeoutMs,
          connectionsPerEndpoint: options.connectionsPerEndpoint,
          endpointsAtOnce: options.hostsAtOnce,
          now: context.now,
        })
  offered.forEach((g, index) => {
    const endpoint = gathered.endpoints[index]
    if (!endpoint || (endpoint.servername !== undefined && endpoint.servername !== g.facts.host)) {
      g.facts.error = `the TLS probe of ${g.facts.target} returned no result`
    } else if (endpoint.error !== undefined) {
      g.facts.error = `STARTTLS is offered, but the TLS probe failed: ${endpoint.error}`
    } else {
      // The probe connected to an address; the finding is about the MX name.
      g.facts.tls = { ...endpoint, target: g.facts.target, host: g.facts.host! }
    }
  })
  return [...items, ...greeted.map((g) => g.facts)]
}

async function greetHost(context: DomainCheckContext, host: string, domains: string[]): Promise<{ facts: MxHostFacts; probe: { address: string; port: number } | null }> {
  const facts: MxHostFacts = { target: `${host}:${smtpPort}`, host, domains, port: smtpPort }
  const endpoint = await resolveEndpoint(context, host, smtpPort)
  if ('error' in endpoint) return { facts: { ...facts, error: endpoint.error }, probe: null }
  if ('absent' in endpoint) return { facts: { ...facts, starttls: false, note: `the MX host ${endpoint.absent}: mail to ${domains.join(', ')} cannot be delivered there` }, probe: null }
  facts.address = endpoint.address
  const label = `${host}:${smtpPort}`
  const key = `smtp ${label} at ${formatHostPort(endpoint.address, endpoint.port)}`
  const recorded = await context.host.probe(key, () => readSmtpGreeting({ address: endpoint.address, port: endpoint.port, label, timeoutMs: context.connectTimeoutMs }))
  if ('error' in recorded) return { facts: { ...facts, error: recorded.message }, probe: null }
  const parsed = greetingSchema.safeParse(recorded.result)
  if (!parsed.success) return { facts: { ...facts, error: `unreadable probe record for ${key}` }, probe: null }
  const greeting = parsed.data
  facts.banner = greeting.banner
  facts.capabilities = greeting.capabilities
  // RFC 5321 §3.1: a 554 greeting refuses service to this client; that says nothing about other senders.
  if (greeting.greetingCode !== 220) return { facts: { ...facts, error: `${label} refused SMTP service to this scanner: ${greeting.greetingCode} ${greeting.banner}` }, probe: null }
  facts.starttls = greeting.starttls
  if (!greeting.starttls) {
    facts.note = greeting.ehloCode === 250 ? `EHLO lists no STARTTLS (${greeting.capabilities.join(', ') || 'no extensions'})` : `EHLO refused (${greeting.ehloCode}): no ESMTP, so no STARTTLS`
    return { facts, probe: null }
  }
  return { facts, probe: endpoint }
}
