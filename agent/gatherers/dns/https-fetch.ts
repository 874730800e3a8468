import { z } from 'zod'
import { getHttpsText, type HttpsTextAnswer } from '../../dns/https-get.js'
import type { DomainCheckContext } from './domain-check-context.js'
import { resolveEndpoint } from './endpoint-address.js'
import { formatHostPort } from './dns-config.js'

/**
 * An HTTPS GET through `host.probe` (key `https URL at ADDRESS:PORT`), following at most
 * `maxRedirects` redirects to other https: URLs. The outcome says what a client would
 * conclude: an answer (any status), a host that does not resolve, or a failure.
 */
export type FetchOutcome =
  | {
      answer: HttpsTextAnswer
      /** URLs redirected from, in order. */
      redirects: string[]
      /** Why a redirect was not followed (too many, not https, bad Location), else null. */
      stopped: string | null
      /** Every hop's certificate was trusted and valid for its name. */
      certificateValid: boolean
      certificateError: string | null
    }
  | { absent: string }
  | { error: string }

const answerSchema = z.object({
  url: z.string(),
  status: z.number(),
  headers: z.record(z.string(), z.array(z.string())),
  body: z.string(),
  truncated: z.boolean(),
  address: z.string(),
  certificate: z.object({ trusted: z.boolean(), trustError: z.string().nullable(), hostnameMatch: z.boolean() }),
})

export async function fetchHttps(context: DomainCheckContext, url: string, options: { maxBytes: number; maxRedirects: number }): Promise<FetchOutcome> {
  const redirects: string[] = []
  let certificateError: string | null = null
  let current = url
  for (;;) {
    const target = new URL(current)
    const port = Number(target.port) || 443
    const endpoint = await resolveEndpoint(context, target.hostname, port)
    if ('absent' in endpoint) return redirects.length === 0 ? { absent: endpoint.absent } : { error: `redirected to ${current}: ${endpoint.absent}` }
    if ('error' in endpoint) return { error: endpoint.error }
    const key = `https ${current} at ${formatHostPort(endpoint.address, endpoint.port)}`
    const recorded = await context.host.probe(key, () =>
      getHttpsText(current, { address: endpoint.address, port: endpoint.port, timeoutMs: context.connectTimeoutMs, trusted: context.trustStore().trusted, maxBytes: options.maxBytes }),
    )
    if ('error' in recorded) return { error: recorded.message }
    const parsed = answerSchema.safeParse(recorded.result)
    if (!parsed.success) return { error: `unreadable probe record for ${key}` }
    const answer = parsed.data
    const certificate = answer.certificate
    if (certificateError === null && (!certificate.trusted || !certificate.hostnameMatch)) {
      certificateError = `${target.host}: ${!certificate.trusted ? `certificate not trusted (${certificate.trustError ?? 'unknown reason'})` : `certificate not valid for ${target.hostname}`}`
    }
    const done = (stopped: string | null): FetchOutcome => ({ answer, redirects, stopped, certificateValid: certificateError === null, certificateError })
    const location = answer.headers.location?.[0]
    if (answer.status < 300 || answer.status > 399 || location === undefined) return done(null)
    if (redirects.length >= options.maxRedirects) return done(options.maxRedirects === 0 ? `redirect to ${location} not followed` : `more than ${options.maxRedirects} redirects`)
    let next: URL
    try {
      next = new URL(location, current)
    } catch {
      return done(`redirect to an invalid URL ${JSON.stringify(location)}`)
    }
    if (next.protocol !== 'https:') return done(`redirects to ${next.href}, not https`)
    redirects.push(current)
    current = next.href
  }
}

/** The first Content-Type field, lower-cased, or null. */
export function contentTypeOf(answer: HttpsTextAnswer): string | null {
  return answer.headers['content-type']?.[0]?.toLowerCase() ?? null
}
