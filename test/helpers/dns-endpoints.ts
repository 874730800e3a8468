import { webcrypto } from 'node:crypto'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls'
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill first.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

/**
 * The servers a domain's checks talk to, on 127.0.0.1 port 0: an HTTPS server (MTA-STS
 * policies, security.txt, PGP keys) choosing its certificate by SNI, and SMTP servers that
 * offer STARTTLS or not. Certificates come from a throw-away CA made per test run.
 */
const crypto = webcrypto as unknown as Crypto
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }

export interface Identity {
  certPem: string
  keyPem: string
}

export interface TestPki {
  caPem: string
  /** A certificate for `names` signed by the CA (valid from an hour ago for `days`, or in the past). */
  issue(names: readonly string[], options?: { notBefore?: Date; notAfter?: Date }): Promise<Identity>
  /** A self-signed certificate for `names` (not from the CA). */
  selfSigned(names: readonly string[]): Promise<Identity>
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair
}

async function keyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', key)).toString('base64')
  return `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`
}

const serial = () => Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('hex').replace(/^[89a-f]/, '1')
const leafExtensions = (names: readonly string[]) => [
  new x509.BasicConstraintsExtension(false, undefined, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
  new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
  new x509.SubjectAlternativeNameExtension(names.map((value): x509.JsonGeneralName => ({ type: 'dns', value }))),
]

export async function createTestPki(now = new Date()): Promise<TestPki> {
  const caKeys = await keyPair()
  const caName = 'CN=Posture DNS test CA'
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial(),
      name: caName,
      notBefore: new Date(now.getTime() - 3_600_000),
      notAfter: new Date(now.getTime() + 30 * 86_400_000),
      signingAlgorithm: algorithm,
      keys: caKeys,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    },
    crypto,
  )
  return {
    caPem: ca.toString('pem') + '\n',
    async issue(names, options = {}) {
      const keys = await keyPair()
      const cert = await x509.X509CertificateGenerator.create(
        {
          serialNumber: serial(),
          subject: `CN=${names[0]}`,
          issuer: caName,
          notBefore: options.notBefore ?? new Date(now.getTime() - 3_600_000),
          notAfter: options.notAfter ?? new Date(now.getTime() + 20 * 86_400_000),
          signingAlgorithm: algorithm,
          publicKey: keys.publicKey,
          signingKey: caKeys.privateKey,
          extensions: leafExtensions(names),
        },
        crypto,
      )
      return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) }
    },
    async selfSigned(names) {
      const keys = await keyPair()
      const cert = await x509.X509CertificateGenerator.createSelfSigned(
        { serialNumber: serial(), name: `CN=${names[0]}`, notBefore: new Date(now.getTime() - 3_600_000), notAfter: new Date(now.getTime() + 20 * 86_400_000), signingAlgorithm: algorithm, keys, extensions: leafExtensions(names) },
        crypto,
      )
      return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) }
    },
  }
}

export interface RunningServer {
  port: number
  close(): Promise<void>
}

function closeServer(server: HttpsServer | TcpServer, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy()
  return new Promise((resolve) => server.close(() => resolve()))
}

/**
 * One HTTPS server for many names: the certificate by SNI (`identities[name]`), the
 * response from `routes['host/path']` (status, content type, body); anything else 404.
 */
export async function startHttpsServer(
  identities: Record<string, Identity>,
  routes: Record<string, { status?: number; contentType?: string; body?: string; location?: string }>,
): Promise<RunningServer & { requests: string[] }> {
  const contexts = new Map<string, SecureContext>(Object.entries(identities).map(([name, id]) => [name, createSecureContext({ cert: id.certPem, key: id.keyPem })]))
  const fallback = Object.values(identities)[0]!
  const requests: string[] = []
  const sockets = new Set<Socket>()
  const server = createHttpsServer(
    { cert: fallback.certPem, key: fallback.keyPem, SNICallback: (name, done) => done(null, contexts.get(name) ?? contexts.values().next().value) },
    (req: IncomingMessage, res: ServerResponse) => {
      const key = `${(req.headers.host ?? '').replace(/:\d+$/, '')}${req.url ?? ''}`
      requests.push(key)
      const route = routes[key]
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not found</body></html>')
        return
      }
      res.writeHead(route.status ?? 200, { ...(route.contentType ? { 'content-type': route.contentType } : {}), ...(route.location ? { location: route.location } : {}) }).end(route.body ?? '')
    },
  )
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  server.on('tlsClientError', () => undefined) // scanners' odd handshakes are expected
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))
  return { port, requests, close: () => closeServer(server, sockets) }
}

export interface SmtpServerOptions {
  hostname: string
  /** Offer STARTTLS with this certificate; null: EHLO lists no STARTTLS. */
  identity: Identity | null
  /** Oldest TLS version accepted (default TLSv1.2). */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2'
  /** Greeting code (554 refuses service). */
  greetingCode?: number
}

/** A small ESMTP server (RFC 5321 replies, RFC 3207 STARTTLS) that accepts no mail. */
export async function startSmtpServer(options: SmtpServerOptions): Promise<RunningServer & { sessions: () => number }> {
  const context = options.identity
    ? createSecureContext({
        cert: options.identity.certPem,
        key: options.identity.keyPem,
        minVersion: options.minVersion ?? 'TLSv1.2',
        ...(options.minVersion === 'TLSv1' || options.minVersion === 'TLSv1.1' ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
      })
    : null
  const sockets = new Set<Socket>()
  let sessions = 0
  const server = createTcpServer((socket) => {
    sessions++
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined) // scanners reset connections mid-handshake
    const code = options.greetingCode ?? 220
    socket.write(`${code} ${options.hostname} ESMTP posture-test${code === 220 ? '' : ' no service for you'}\r\n`)
    if (code !== 220) {
      socket.end()
      return
    }
    let buffer = ''
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1')
      let end: number
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '')
        buffer = buffer.slice(end + 1)
        const verb = line.split(' ')[0]!.toUpperCase()
        if (verb === 'EHLO') {
          const keywords = ['PIPELINING', 'SIZE 10240000', ...(context ? ['STARTTLS'] : []), '8BITMIME']
          socket.write([`${options.hostname} greets you`, ...keywords].map((k, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${k}\r\n`).join(''))
        } else if (verb === 'STARTTLS' && context) {
          socket.off('data', onData)
          socket.write('220 2.0.0 Ready to start TLS\r\n')
          const tls = new TLSSocket(socket, { isServer: true, secureContext: context })
          tls.on('error', () => socket.destroy())
          tls.on('data', (data: Buffer) => {
            if (/^QUIT/i.test(data.toString('latin1'))) tls.end('221 2.0.0 Bye\r\n')
            else tls.write('250 2.0.0 OK\r\n')
          })
          return
        } else if (verb === 'QUIT') {
          socket.end('221 2.0.0 Bye\r\n')
          return
        } else {
          socket.write('502 5.5.2 Command not implemented\r\n')
        }
      }
    }
    socket.on('data', onData)
  })
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)))
  return { port, sessions: () => sessions, close: () => closeServer(server, sockets) }
}
