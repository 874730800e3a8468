import { request, type RequestOptions } from 'node:https'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import { checkServerIdentity, type SecureContext, type TLSSocket } from 'node:tls'
import { PostureError } from '../../rules/posture-error.js'
import { describeSocketError } from '../tls/connection.js'

/**
 * `GET` of a small text resource over HTTPS, body included: the MTA-STS policy file
 * (RFC 8461 §3.3) and security.txt (RFC 9116 §3). Redirects are returned, never
 * followed (the caller decides: MTA-STS forbids them). The certificate is not enforced
 * but reported: a policy host with a bad certificate is a finding, not a crash.
 * (agent/http/http-probe.ts reads headers only; this one needs the body.)
 */
export interface HttpsTextAnswer {
  url: string
  status: number
  /** Lower-case names, one entry per header field (Node's headersDistinct). */
  headers: Record<string, string[]>
  /** UTF-8, at most `maxBytes`. */
  body: string
  /** The body was longer than `maxBytes` and was cut there. */
  truncated: boolean
  /** The address connected to. */
  address: string
  certificate: {
    /** Chains to a trusted root (public, or a configured private CA). */
    trusted: boolean
    trustError: string | null
    /** Valid for the URL's host name (RFC 6125 via Node's checkServerIdentity). */
    hostnameMatch: boolean
  }
}

export interface HttpsGetOptions {
  /** Where to connect (already resolved); the URL's host goes into SNI and Host. */
  address: string
  port: number
  timeoutMs: number
  /** A secure context trusting the public roots and the configured private CAs. */
  trusted: SecureContext
  maxBytes: number
}

export function getHttpsText(url: string, options: HttpsGetOptions): Promise<HttpsTextAnswer> {
  const target = new URL(url)
  if (target.protocol !== 'https:') return Promise.reject(new TypeError(`getHttpsText: ${url} is not an https: URL`))
  const hostname = target.hostname.replace(/^\[|\]$/g, '')
  return new Promise((resolve, reject) => {
    let certificate: HttpsTextAnswer['certificate'] | null = null
    const requestOptions: RequestOptions & { secureContext: SecureContext } = {
      host: options.address,
      port: options.port,
      path: `${target.pathname}${target.search}`,
      method: 'GET',
      agent: false,
      headers: { Host: target.host, 'User-Agent': 'posture-scanner', Accept: 'text/plain, */*', Connection: 'close' },
      timeout: options.timeoutMs,
      ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      secureContext: options.trusted,
    }
    const req = request(requestOptions, (response: IncomingMessage) => {
      const chunks: Buffer[] = []
      let size = 0
      let truncated = false
      const finish = () => {
        const headers: Record<string, string[]> = {}
        for (const [name, values] of Object.entries(response.headersDistinct)) if (values) headers[name] = values
        resolve({
          url,
          status: response.statusCode ?? 0,
          headers,
          body: Buffer.concat(chunks).subarray(0, options.maxBytes).toString('utf8'),
          truncated,
          address: options.address,
          certificate: certificate ?? { trusted: false, trustError: 'no certificate seen', hostnameMatch: false },
        })
      }
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        chunks.push(chunk)
        if (size > options.maxBytes) {
          truncated = true
          response.destroy()
          finish()
        }
      })
      response.once('end', finish)
      response.once('error', (err) => reject(describeSocketError(url, err)))
    })
    req.once('socket', (socket) => {
      ;(socket as TLSSocket).once('secureConnect', () => {
        const tls = socket as TLSSocket
        const identity = checkServerIdentity(hostname, tls.getPeerCertificate())
        const error = tls.authorizationError
        certificate = {
          trusted: tls.authorized,
          trustError: error ? String(error) : null,
          hostnameMatch: identity === undefined,
        }
      })
    })
    req.once('timeout', () => req.destroy(new PostureError('TIMEOUT', `${url}: no HTTPS response within ${options.timeoutMs} ms`)))
    req.once('error', (err) => reject(describeSocketError(url, err)))
    req.end()
  })
}
