import type { DnsFacts } from '../../../rules/facts/dns.js'
import type { Host } from '../../host/host.js'
import { createLimiter } from '../../tls/limit.js'
import { createTrustStore, type TrustStore } from '../../tls/trust-store.js'
import { checkCaa } from './check-caa.js'
import { checkDkim } from './check-dkim.js'
import { checkDmarc } from './check-dmarc.js'
import { checkMtaSts } from './check-mta-sts.js'
import { checkMxHosts } from './check-mx-starttls.js'
import { checkSecurityTxt } from './check-security-txt.js'
import { checkSpf } from './check-spf.js'
import { checkTlsRpt } from './check-tls-rpt.js'
import type { DnsConfig, DnsDomainConfig } from './dns-config.js'
import { createDnsLookup, type ResolverTally } from './dns-lookup.js'
import type { DomainCheckContext } from './domain-check-context.js'
import { lookupMx, type MxList } from './mx-records.js'

export interface DomainChecksOptions {
  domains: readonly DnsDomainConfig[]
  dns: Omit<DnsConfig, 'domains'>
  /** PEM text of private CAs (tls.caFiles / --ca). */
  caPems: readonly string[]
  /** Sockets at once against one MX host during TLS enumeration. */
  connectionsPerEndpoint: number
  now: Date
}

export interface DomainChecksResult {
  facts: DnsFacts
  /** How the resolver fared: `posture domain` exits 3 when it answered nothing at all. */
  resolver: ResolverTally & { label: string }
}

/**
 * Every check for every domain, through `host` so that a snapshot replays them: DNS
 * lookups first (SPF tree, DKIM, DMARC, MTA-STS and TLS-RPT records, MX, CAA), the HTTPS
 * fetches (MTA-STS policy, security.txt) alongside, then STARTTLS on each MX host once.
 * Shared by the `dns` gatherer and `posture domain`.
 */
export async function checkDomains(host: Host, options: DomainChecksOptions): Promise<DomainChecksResult> {
  const dns = createDnsLookup(host, { server: options.dns.resolver, timeoutMs: options.dns.timeoutMs, tries: options.dns.tries })
  let trustStore: TrustStore | null = null
  const context: DomainCheckContext = {
    host,
    dns,
    connect: options.dns.connect,
    connectTimeoutMs: options.dns.connectTimeoutMs,
    caPems: options.caPems,
    trustStore: () => (trustStore ??= createTrustStore(options.caPems)),
    now: options.now,
  }
  const limit = createLimiter(options.dns.domainsAtOnce)
  const perDomain = await Promise.all(options.domains.map((domain) => limit(() => checkOneDomain(context, domain))))
  const mx = await checkMxHosts(
    context,
    perDomain.map((d) => ({ domain: d.domain, mx: d.mx })),
    { connectionsPerEndpoint: options.connectionsPerEndpoint, hostsAtOnce: options.dns.domainsAtOnce },
  )
  return {
    facts: {
      resolver: dns.resolverLabel,
      domains: options.domains.map((d) => d.name),
      spf: perDomain.map((d) => d.spf),
      dkim: perDomain.flatMap((d) => d.dkim),
      dmarc: perDomain.map((d) => d.dmarc),
      mtaSts: perDomain.map((d) => d.mtaSts),
      tlsRpt: perDomain.map((d) => d.tlsRpt),
      mx,
      caa: perDomain.map((d) => d.caa),
      securityTxt: perDomain.map((d) => d.securityTxt),
    },
    resolver: { label: dns.resolverLabel, ...dns.tally },
  }
}

async function checkOneDomain(context: DomainCheckContext, config: DnsDomainConfig) {
  const domain = config.name
  const mxPromise: Promise<MxList> = lookupMx(context.dns, domain)
  const [spf, dkim, dmarc, caa, securityTxt, mx] = await Promise.all([
    checkSpf(context.dns, domain),
    checkDkim(context.dns, domain, config.dkimSelectors),
    checkDmarc(context.dns, domain),
    checkCaa(context.dns, domain, config.allowedCas),
    checkSecurityTxt(context, domain),
    mxPromise,
  ])
  const [mtaSts, tlsRpt] = await Promise.all([checkMtaSts(context, domain, mx), checkTlsRpt(context, domain, mx)])
  return { domain, spf, dkim, dmarc, caa, securityTxt, mx, mtaSts, tlsRpt }
}
