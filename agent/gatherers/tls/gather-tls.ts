import { isIP } from 'node:net'
import { z } from 'zod'
import type { HttpRedirectFacts, HttpSiteFacts } from '../../../rules/facts/http.js'
import type { TlsEndpointFacts } from '../../../rules/facts/tls.js'
import { errorMessage } from '../../../rules/posture-error.js'
import type { Host } from '../../host/host.js'
import { fetchHeaders, type HttpAnswer } from '../../http/http-probe.js'
import { formatTarget } from '../../tls/connection.js'
import { isNotTlsError } from '../../tls/enumerate.js'
import { createLimiter } from '../../tls/limit.js'
import { probeTlsEndpoint, type TlsProbeResult } from '../../tls/probe-endpoint.js'
import type { StartTlsProtocol } from '../../tls/starttls.js'
import { createTrustStore, type TrustStore } from '../../tls/trust-store.js'
import { fileText } from '../evidence.js'
import type { Gatherer, GatherContext, GatherResult } from '../gatherer.js'
import { endpointFacts, isKnownNonHttpPort } from './endpoint-facts.js'
import { redirectFacts, siteFacts } from './http-facts.js'
import { discoverTargets } from './discover-targets.js'
import { tlsConfigSchema } from './tls-config.js'

/** One endpoint to probe. */
export interface TlsProbeTarget {
  host: string
  port: number
  /** SNI / certificate name; undefined: the host itself; null: no name to check. */
  servername?: string | null
  starttls: StartTlsProtocol | null
  /** Plain-HTTP port for the redirect check of an HTTPS endpoint; null to skip. */
  httpPort: number | null
  /** Found on a listening socket: an answer that is not TLS means "skip", not "error". */
  discovered: boolean
}

export interface TlsGatherOptions {
  /** PEM text of private CAs. */
  caPems: readonly string[]
  timeoutMs: number
  connectionsPerEndpoint: number
  endpointsAtOnce: number
  now: Date
}

export interface TlsGathered {
  endpoints: TlsEndpointFacts[]
  sites: HttpSiteFacts[]
  redirects: HttpRedirectFacts[]
}

/** TLS and HTTP facts of the node's TLS endpoints and of configured targets. */
export const tlsGatherer: Gatherer = {
  name: 'tls',
  feeds: ['tls', 'http'],
  gather: gatherTls,
}

async function gatherTls({ host, now, config }: GatherContext): Promise<GatherResult> {
  const tls = config.tls
  const problems: TlsEndpointFacts[] = []
  const caPems: string[] = []
  for (const path of tls.caFiles) {
    const text = fileText(await host.readFile(path))
    if (text.ok) caPems.push(text.value)
    else problems.push({ target: `ca-file ${path}`, error: `tls.caFiles: ${text.reason}` })
  }
  const targets: TlsProbeTarget[] = tls.targets.map((t) => ({
    host: t.host,
    port: t.port,
    ...(t.servername ? { servername: t.servername } : {}),
    starttls: t.starttls ?? null,
    httpPort: t.httpPort,
    discovered: false,
  }))
  if (tls.discover) {
    const discovered = await discoverTargets(host, { exclude: [...tls.excludePorts, ...targets.map((t) => t.port)] })
    if (discovered.ok) targets.push(...discovered.value)
    else problems.push({ target: 'discovery', error: discovered.reason })
  }
  const gathered = await gatherTlsEndpoints(host, targets, {
    caPems,
    timeoutMs: tls.timeoutMs,
    connectionsPerEndpoint: tls.connectionsPerEndpoint,
    endpointsAtOnce: tls.endpointsAtOnce,
    now,
  })
  return {
    facts: { tls: { endpoints: [...problems, ...gathered.endpoints] }, http: { sites: gathered.sites, redirects: gathered.redirects } },
    errors: {},
  }
}

/** The probe key of a TLS endpoint in snapshots: `tls 127.0.0.1:443`, `tls mail.example.com:25 starttls=smtp`. */
export function tlsProbeKey(target: TlsProbeTarget): string {
  const sni = target.servername === undefined ? '' : target.servername === null ? ' sni=none' : target.servername !== target.host ? ` sni=${target.servername}` : ''
  return `tls ${formatTarget(target.host, target.port)}${target.starttls ? ` starttls=${target.starttls}` : ''}${sni}`
}

/** What a TLS probe records: the endpoint's evidence, or why the socket is not a TLS endpoint. */
const tlsRecordSchema = z.union([z.object({ endpoint: z.custom<TlsProbeResult>((v) => typeof v === 'object' && v !== null) }), z.object({ notTls: z.string() })])
const httpRecordSchema = z.union([z.object({ answer: z.custom<HttpAnswer>((v) => typeof v === 'object' && v !== null) }), z.object({ notServed: z.string() })])

/**
 * Probes each target through `host.probe`, so snapshots record every result, and turns
 * the results into facts with pure code. Shared by the gatherer and `posture tls`.
 */
export async function gatherTlsEndpoints(host: Host, targets: readonly TlsProbeTarget[], options: TlsGatherOptions): Promise<TlsGathered> {
  let trustStore: TrustStore | null = null
  const store = () => (trustStore ??= createTrustStore(options.caPems))
  const limit = createLimiter(options.endpointsAtOnce)
  const results = await Promise.all(targets.map((target) => limit(() => gatherOne(host, target, options, store))))
  const gathered: TlsGathered = { endpoints: [], sites: [], redirects: [] }
  for (const result of results) {
    if (!result) continue
    gathered.endpoints.push(result.endpoint)
    if (result.site) gathered.sites.push(result.site)
    if (result.redirect) gathered.redirects.push(result.redirect)
  }
  return gathered
}

async function gatherOne(host: Host, target: TlsProbeTarget, options: TlsGatherOptions, store: () => TrustStore) {
  const label = formatTarget(target.host, target.port)
  const recorded = await host.probe(tlsProbeKey(target), async () => {
    try {
      return {
        endpoint: await probeTlsEndpoint({
          host: target.host,
          port: target.port,
          ...(target.servername !== undefined ? { servername: target.servername } : {}),
          starttls: target.starttls,
          timeoutMs: options.timeoutMs,
          concurrency: options.connectionsPerEndpoint,
          trustStore: store(),
        }),
      }
    } catch (err) {
      // A listening socket that is not TLS (SSH, plain HTTP, a database) is not an endpoint.
      if (target.discovered && !target.starttls && (isNotTlsError(err) || socketGone(err))) return { notTls: errorMessage(err) }
      throw err
    }
  })
  if ('error' in recorded) return { endpoint: { target: label, error: recorded.message } }
  const parsed = tlsRecordSchema.safeParse(recorded.result)
  if (!parsed.success) return { endpoint: { target: label, error: `unreadable probe record for ${label}` } }
  if ('notTls' in parsed.data) return null
  const probe = parsed.data.endpoint

  let site: HttpSiteFacts | undefined
  let redirect: HttpRedirectFacts | undefined
  if (!probe.starttls && !isKnownNonHttpPort(probe.port)) {
    const name = probe.servername ?? probe.host
    const url = `https://${urlHost(name)}${probe.port === 443 ? '' : `:${probe.port}`}/`
    const answer = await host.probe(`http ${url}`, async () => ({
      answer: await fetchHeaders(url, { address: probe.address, timeoutMs: options.timeoutMs, secureContext: store().trusted }),
    }))
    const https = readHttp(answer)
    if ('answer' in https) {
      if (target.httpPort !== null) redirect = await checkRedirect(host, name, target.httpPort, probe.address, url, options)
      site = siteFacts(url, probe.target, https.answer, redirect ?? null)
    } else if ('reason' in https && [443, 8443].includes(probe.port) && !target.discovered) {
      // On an HTTPS port, a failed request is a finding to report, not a reason to skip.
      site = { target: url, endpoint: probe.target, error: `HTTPS request failed: ${https.reason}` }
    }
  }
  let endpoint: TlsEndpointFacts
  try {
    endpoint = endpointFacts(probe, site && !site.error ? { hsts: site.hsts ?? null } : null, options.now)
  } catch (err) {
    endpoint = { target: probe.target, error: `cannot read the probe of ${probe.target}: ${errorMessage(err)}` }
  }
  return { endpoint, site, redirect }
}

async function checkRedirect(host: Host, name: string, port: number, address: string, site: string, options: TlsGatherOptions): Promise<HttpRedirectFacts | undefined> {
  const url = `http://${urlHost(name)}${port === 80 ? '' : `:${port}`}/`
  const recorded = await host.probe(`http ${url}`, async () => {
    try {
      return { answer: await fetchHeaders(url, { address, timeoutMs: options.timeoutMs }) }
    } catch (err) {
      // Port 80 not served: nothing to redirect (hstspreload: `redirects.http.does_not_exist` is no error).
      if (((err as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED') return { notServed: errorMessage(err) }
      throw err
    }
  })
  const http = readHttp(recorded)
  if ('answer' in http) return redirectFacts(url, site, http.answer)
  if ('notServed' in http) return undefined
  return { target: url, site, error: `plain HTTP request failed: ${'reason' in http ? http.reason : ''}` }
}

function readHttp(recorded: { result: unknown } | { error: string; message: string }): { answer: HttpAnswer } | { notServed: string } | { reason: string } {
  if ('error' in recorded) return { reason: recorded.message }
  const parsed = httpRecordSchema.safeParse(recorded.result)
  return parsed.success ? parsed.data : { reason: 'unreadable probe record' }
}

/** The socket closed or vanished between listing and probing. */
function socketGone(err: unknown): boolean {
  const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
}

function urlHost(name: string): string {
  return isIP(name) === 6 ? `[${name}]` : name
}
