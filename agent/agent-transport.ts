import { once } from 'node:events'
import { request as httpRequest } from 'node:http'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { WebSocket } from 'ws'
import { PostureError } from '../rules/posture-error.js'
import { agentStreamPath, enrollPath } from './wire/agent-paths.js'
import type { EnrollRequest, EnrollResponse } from './wire/enrollment.js'

/**
 * The agent's connections to its collector, with the certificate pinned: the TLS handshake
 * completes and the peer certificate's SHA-256 fingerprint is checked BEFORE a byte of the
 * request (token or credential) is written. CA validation is not used: the pin is the
 * trust (a self-signed collector has no CA), exactly the certificate `collector token`
 * printed.
 */
export async function pinnedSocket(url: URL, fingerprint: string | null, timeoutMs = 10_000): Promise<Socket> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (url.protocol === 'http:') {
    const socket = netConnect({ host, port })
    await withTimeout(once(socket, 'connect'), timeoutMs, socket, `connecting to ${url.host}`)
    return socket
  }
  if (fingerprint === null) throw new PostureError('BAD_CONFIG', 'an https collector needs a pinned certificate fingerprint')
  const servername = /^[\d.]+$|:/.test(host) ? undefined : host
  const socket: TLSSocket = tlsConnect({ host, port, rejectUnauthorized: false, ...(servername ? { servername } : {}), ALPNProtocols: ['http/1.1'] })
  await withTimeout(once(socket, 'secureConnect'), timeoutMs, socket, `TLS handshake with ${url.host}`)
  const presented = socket.getPeerCertificate().fingerprint256
  if (presented !== fingerprint) {
    socket.destroy()
    throw new PostureError('CONNECT_FAILED', `${url.host} presented certificate ${presented ?? '(none)'}, not the pinned ${fingerprint}; refusing to talk to it`)
  }
  return socket
}

/** Trades the one-time token for this agent's credential. */
export async function enroll(collectorUrl: string, fingerprint: string | null, body: EnrollRequest): Promise<EnrollResponse> {
  const url = new URL(enrollPath, collectorUrl)
  const socket = await pinnedSocket(url, fingerprint)
  const payload = JSON.stringify(body)
  // Plain HTTP framing over the already-verified socket: no agent, so no second connection is made.
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', createConnection: () => socket, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('enrollment request timed out')))
    req.on('error', reject)
    req.end(payload)
  }).catch((err: unknown) => {
    socket.destroy()
    throw new PostureError('CONNECT_FAILED', `enrolling with ${url.origin}: ${(err as Error).message}`, { cause: err })
  })
  socket.destroy()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    // Not JSON: reported below with the status.
  }
  if (status !== 200) {
    const message = (json as { error?: { message?: unknown } } | null)?.error?.message
    throw new PostureError('CONNECT_FAILED', `the collector refused enrollment (HTTP ${status}): ${typeof message === 'string' ? message : text.slice(0, 200)}`)
  }
  // Imported here: the long-lived agent process opens streams with this module and never enrolls (no zod there).
  const { enrollResponseSchema } = await import('./wire/enrollment.js')
  const parsed = enrollResponseSchema.safeParse(json)
  if (!parsed.success) throw new PostureError('CONNECT_FAILED', `the collector's enrollment answer is not understood: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}

/** Opens the agent's WebSocket over a pinned socket, authenticated by its credential. */
export async function openAgentStream(collectorUrl: string, fingerprint: string | null, credential: string, maxPayloadBytes: number): Promise<WebSocket> {
  const http = new URL(agentStreamPath, collectorUrl)
  const socket = await pinnedSocket(http, fingerprint)
  const wsUrl = `${http.protocol === 'https:' ? 'wss' : 'ws'}://${http.host}${http.pathname}`
  return new WebSocket(wsUrl, {
    createConnection: () => socket,
    headers: { authorization: `Bearer ${credential}` },
    maxPayload: maxPayloadBytes,
    perMessageDeflate: false,
    handshakeTimeout: 15_000,
  })
}

async function withTimeout<T>(promise: Promise<T>, ms: number, socket: Socket, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PostureError('TIMEOUT', `${what}: no answer within ${ms} ms`)), ms)
      }),
    ])
  } catch (err) {
    socket.destroy()
    if (err instanceof PostureError) throw err
    throw new PostureError('CONNECT_FAILED', `${what}: ${(err as Error).message}`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}
