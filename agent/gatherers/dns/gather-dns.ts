import { fileText } from '../evidence.js'
import type { Gatherer, GatherContext, GatherResult } from '../gatherer.js'
import { checkDomains } from './check-domains.js'

/**
 * The `dns` gatherer: email authentication, MTA-STS, TLS-RPT, MX STARTTLS, CAA and
 * security.txt of the domains in the scan config (`dns.domains`). It feeds the `http`
 * domain too: `http.security-txt.valid` reads its facts. With no domains configured it
 * gathers nothing and every rule says how to configure some.
 */
export const dnsGatherer: Gatherer = {
  name: 'dns',
  feeds: ['dns', 'http'],
  gather: gatherDns,
}

async function gatherDns({ host, now, config }: GatherContext): Promise<GatherResult> {
  const { domains, ...dns } = config.dns
  if (domains.length === 0) {
    return { facts: { dns: { resolver: dns.resolver ?? 'system', domains: [], spf: [], dkim: [], dmarc: [], mtaSts: [], tlsRpt: [], mx: [], caa: [], securityTxt: [] } }, errors: {} }
  }
  // Private CAs are shared with the tls section: one place says whom the fleet trusts.
  const caPems: string[] = []
  const errors: Record<string, string> = {}
  for (const file of config.tls.caFiles) {
    const text = fileText(await host.readFile(file))
    if (text.ok) caPems.push(text.value)
    else for (const path of ['dns.mx', 'dns.mtaSts', 'dns.securityTxt']) errors[path] = `tls.caFiles: ${text.reason}`
  }
  const result = await checkDomains(host, { domains, dns, caPems, connectionsPerEndpoint: config.tls.connectionsPerEndpoint, now })
  return { facts: { dns: result.facts }, errors }
}
