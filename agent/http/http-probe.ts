import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import type { SecureContext } from 'node:tls'
import { PostureError } from '../../rules/posture-error.js'
import { describeSocketError } from '../tls/connection.js'

/**
 * One HTTP request whose response headers are the evidence: `GET /` over TLS for HSTS and
 * the security headers, `GET /` over plain HTTP for the redirect. Redirects are never
 * followed (the first hop is what RFC 6797 §7.2 and hstspreload judge), the body is not
 * read, the certificate is not enforced (the TLS checks report on it).
 */
export interface HttpAnswer {
  url: string
  status: number
  /** Lower-case names, one entry per header field, in order (Node's headersDistinct). */
  headers: Record<string, string[]>
}

export interface HttpRequestOptions {
  /** The address to connect to (already resolved); the URL's host goes into Host and SNI. */
  address: string
  timeoutMs: number
  secureContext?: SecureContext
}

export function fetchHeaders(url: string, options: HttpRequestOptions): Promise<HttpAnswer> {
  const target = new URL(url)
  const https = target.protocol === 'https:'
  const hostname = target.hostname.replace(/^\[|\]$/g, '')
  const port = Number(target.port) || (https ? 443 : 80)
  return new Promise((resolve, reject) => {
    const common = {
      host: options.address,
      port,
      path: `${target.pathname}${target.search}`,
      method: 'GET',
      agent: false as const,
      headers: { Host: target.host, 'User-Agent': 'posture-scanner', Accept: '*/*', Connection: 'close' },
      timeout: options.timeoutMs,
    }
    const onResponse = (response: IncomingMessage) => {
      const headers: Record<string, string[]> = {}
      for (const [name, values] of Object.entries(response.headersDistinct)) if (values) headers[name] = values
      resolve({ url, status: response.statusCode ?? 0, headers })
      response.destroy()
    }
    const req = https
      ? httpsRequest(
          {
            ...common,
            ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
            rejectUnauthorized: false,
            checkServerIdentity: () => undefined,
            ...(options.secureContext ? { secureContext: options.secureContext } : {}),
          },
          onResponse,
        )
      : httpRequest(common, onResponse)
    req.once('timeout', () => req.destroy(new PostureError('TIMEOUT', `${url}: no HTTP response within ${options.timeoutMs} ms`)))
    req.once('error', (err) => reject(describeHttpError(url, err)))
    req.end()
  })
}

function describeHttpError(url: string, err: unknown): PostureError {
  if (err instanceof PostureError) return err
  const code = (err as NodeJS.ErrnoException).code
  if (code?.startsWith('HPE_')) return new PostureError('CONNECT_FAILED', `${url}: not an HTTP server (${code})`, { cause: err })
  return describeSocketError(url, err)
}
