import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSecureContext, TLSSocket, type SecureContextOptions } from 'node:tls'
import { promisify } from 'node:util'

/**
 * Real TLS servers on loopback for the integration tests, the peer comparison with
 * testssl.sh and the benchmark: Node `tls`/`https`, `openssl s_server`, `gnutls-serv`, a
 * tiny STARTTLS responder, and misbehaving servers. Certificates come from a throw-away
 * PKI made with the openssl CLI (`openssl ca`, which can back-date certificates).
 */
const run = promisify(execFile)

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0
}

export interface Issued {
  /** PEM text. */
  cert: string
  certPath: string
  /** Path of the private key. */
  key: string
  /** Leaf followed by the intermediate when issued by it. */
  chain: string
}

export interface IssueOptions {
  name: string
  sans?: string[]
  issuer?: 'root' | 'intermediate' | 'self'
  key?: 'rsa2048' | 'rsa1024' | 'ec256'
  md?: 'sha256' | 'sha1'
  /** Validity relative to now, in days (negative: in the past). */
  from?: number
  to?: number
  ocspUrl?: string
}

export class TestPki {
  readonly dir: string
  readonly root: Issued
  readonly intermediate: Issued
  #serial = 1

  private constructor(dir: string, root: Issued, intermediate: Issued) {
    this.dir = dir
    this.root = root
    this.intermediate = intermediate
  }

  static async create(): Promise<TestPki> {
    const dir = mkdtempSync(join(tmpdir(), 'posture-tls-pki-'))
    mkdirSync(join(dir, 'newcerts'))
    writeFileSync(join(dir, 'index.txt'), '')
    writeFileSync(join(dir, 'serial'), '1000\n')
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = test',
        '[test]',
        `database = ${dir}/index.txt`,
        `new_certs_dir = ${dir}/newcerts`,
        `serial = ${dir}/serial`,
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        'copy_extensions = none',
        '[any]',
        'commonName = supplied',
        '[req]',
        'distinguished_name = dn',
        '[dn]',
      ].join('\n') + '\n',
    )
    const root = await issueRaw(dir, 'root', { name: 'Posture Test Root CA', issuer: 'self', key: 'ec256', from: -1, to: 3650 }, null, 'ca')
    const intermediate = await issueRaw(dir, 'intermediate', { name: 'Posture Test Intermediate CA', issuer: 'root', key: 'ec256', from: -1, to: 1825 }, root, 'ca')
    return new TestPki(dir, root, intermediate)
  }

  /** A leaf certificate; by default from the intermediate, RSA-2048, SHA-256, valid −1 … +60 days, for localhost and 127.0.0.1. */
  async issue(options: IssueOptions): Promise<Issued> {
    const issuer = options.issuer ?? 'intermediate'
    const leaf = await issueRaw(this.dir, `leaf${this.#serial++}`, options, issuer === 'root' ? this.root : issuer === 'intermediate' ? this.intermediate : null, 'leaf')
    return issuer === 'intermediate' ? { ...leaf, chain: leaf.cert + this.intermediate.cert } : leaf
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

function stamp(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'
}

async function issueRaw(dir: string, id: string, options: IssueOptions, issuer: Issued | null, kind: 'ca' | 'leaf'): Promise<Issued> {
  const keyPath = join(dir, `${id}.key`)
  const csrPath = join(dir, `${id}.csr`)
  const certPath = join(dir, `${id}.pem`)
  const extPath = join(dir, `${id}.ext`)
  const key = options.key ?? 'rsa2048'
  const keyArgs = key === 'ec256' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', key === 'rsa1024' ? 'rsa:1024' : 'rsa:2048']
  await run('openssl', ['req', '-new', ...keyArgs, '-nodes', '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${options.name}`, '-config', join(dir, 'ca.cnf')])
  const sans = options.sans ?? ['DNS:localhost', 'IP:127.0.0.1']
  const ext =
    kind === 'ca'
      ? ['basicConstraints = critical, CA:true', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash']
      : [
          'basicConstraints = CA:false',
          'keyUsage = critical, digitalSignature, keyEncipherment',
          'extendedKeyUsage = serverAuth',
          `subjectAltName = ${sans.join(', ')}`,
          ...(options.ocspUrl ? [`authorityInfoAccess = OCSP;URI:${options.ocspUrl}`] : []),
        ]
  writeFileSync(extPath, ext.join('\n') + '\n')
  const signer = issuer ? ['-cert', issuer.certPath, '-keyfile', issuer.key] : ['-selfsign', '-keyfile', keyPath]
  await run('openssl', [
    'ca', '-batch', '-notext', '-config', join(dir, 'ca.cnf'), ...signer,
    '-in', csrPath, '-out', certPath, '-extfile', extPath,
    '-startdate', stamp(options.from ?? -1), '-enddate', stamp(options.to ?? 60), '-md', options.md ?? 'sha256',
  ])
  const cert = readFileSync(certPath, 'utf8')
  return { cert, certPath, key: keyPath, chain: cert }
}

// ---------------------------------------------------------------------------------------
// Servers. Each returns its port and a close function; tests close them in afterEach/afterAll.

export interface Running {
  port: number
  close: () => Promise<void>
}

export interface NodeTlsOptions extends SecureContextOptions {
  /** Response headers as [name, value] pairs, repeated names allowed (HSTS tests). */
  headers?: [string, string][]
  /** Bytes to staple as the OCSP response when a client asks (clients here do not parse it). */
  ocspResponse?: Buffer
}

/** An HTTPS server on 127.0.0.1 answering every request with 200 and the given headers. */
export function startHttpsServer(options: NodeTlsOptions, address = '127.0.0.1'): Promise<Running> {
  const { headers = [], ocspResponse, ...tlsOptions } = options
  const server = createHttpsServer(tlsOptions, (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of headers) res.appendHeader(name, value)
    res.end('ok\n')
  })
  if (ocspResponse) server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, reply: (err: Error | null, response?: Buffer) => void) => reply(null, ocspResponse))
  return listen(server, address)
}

/** Plain HTTP on 127.0.0.1: a redirect to `location` (with {port} substituted), or a 200 page. */
export function startHttpServer(location: string | null): Promise<Running> {
  const server = createHttpServer((req, res) => {
    if (location) res.writeHead(301, { Location: location }).end()
    else res.end('plain\n')
  })
  return listen(server)
}

function listen(server: NetServer | HttpServer, address = '127.0.0.1'): Promise<Running> {
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, address, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** `openssl s_server -www` on 127.0.0.1 with a kernel-chosen port (it prints `ACCEPT host:port`). */
export function startOpensslServer(args: { cert: string; key: string; chain?: string; extra?: string[] }): Promise<Running> {
  const certFile = writeTemp('cert.pem', args.cert)
  const argv = ['s_server', '-accept', '127.0.0.1:0', '-cert', certFile, '-key', args.key, '-www', ...(args.chain ? ['-cert_chain', writeTemp('chain.pem', args.chain)] : []), ...(args.extra ?? [])]
  const child = spawn('openssl', argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  return waitForPort(child, /ACCEPT \S+:(\d+)/, () => null, 'openssl s_server')
}

/**
 * `gnutls-serv --http` (it has no bind option: it listens on every address, on a port we
 * pick free on 127.0.0.1 first). GnuTLS still serves 3DES and RC4 with a priority string,
 * which neither Node nor Debian's OpenSSL 3 can.
 */
export async function startGnutlsServer(args: { chain: string; key: string; priority: string }): Promise<Running> {
  const port = await freePort()
  const child = spawn('gnutls-serv', ['--port', String(port), '--x509certfile', writeTemp('chain.pem', args.chain), '--x509keyfile', args.key, '--priority', args.priority, '--http', '-q'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return waitForPort(child, /listening/i, () => port, 'gnutls-serv')
}

function waitForPort(child: ChildProcess, pattern: RegExp, fixedPort: () => number | null, what: string): Promise<Running> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      void stopProcess(child)
      reject(new Error(`${what} did not start: ${output}`))
    }, 10_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = pattern.exec(output)
      if (!match) return
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      child.stderr?.off('data', onData)
      const port = fixedPort() ?? Number(match[1])
      resolve({ port, close: () => stopProcess(child) })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${what} exited ${code}: ${output}`))
    })
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

let tempDir: string | null = null
let tempCount = 0
function writeTemp(name: string, content: string): string {
  tempDir ??= mkdtempSync(join(tmpdir(), 'posture-tls-srv-'))
  const path = join(tempDir, `${tempCount++}-${name}`)
  writeFileSync(path, content)
  return path
}

/** A server speaking a plaintext protocol up to STARTTLS, then TLS with `tls` (tls.TLSSocket). */
export function startStartTlsServer(protocol: 'smtp' | 'imap' | 'pop3' | 'ftp', tls: SecureContextOptions, options: { offerStartTls?: boolean } = {}): Promise<Running> {
  const context = createSecureContext(tls)
  const offer = options.offerStartTls ?? true
  const server = createNetServer((socket) => {
    socket.on('error', () => socket.destroy())
    const greet: Record<typeof protocol, string> = { smtp: '220 mail.test ESMTP Posture\r\n', imap: '* OK [CAPABILITY IMAP4rev1] ready\r\n', pop3: '+OK ready\r\n', ftp: '220 ftp ready\r\n' }
    socket.write(greet[protocol])
    let buffer = ''
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1')
      let newline: number
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim()
        buffer = buffer.slice(newline + 1)
        const { reply, upgrade } = answer(protocol, line, offer)
        socket.write(reply)
        if (upgrade) {
          socket.off('data', onData)
          const secure = new TLSSocket(socket, { isServer: true, secureContext: context })
          secure.on('error', () => secure.destroy())
          secure.on('data', () => secure.end())
          return
        }
      }
    }
    socket.on('data', onData)
  })
  return listen(server)
}

function answer(protocol: string, line: string, offer: boolean): { reply: string; upgrade: boolean } {
  const say = (reply: string, upgrade = false) => ({ reply, upgrade })
  const upper = line.toUpperCase()
  if (protocol === 'smtp') {
    if (upper.startsWith('EHLO')) return say(`250-mail.test\r\n250-PIPELINING\r\n${offer ? '250-STARTTLS\r\n' : ''}250 8BITMIME\r\n`)
    if (upper === 'STARTTLS') return offer ? say('220 2.0.0 Ready to start TLS\r\n', true) : say('502 5.5.1 not implemented\r\n')
    return say('250 ok\r\n')
  }
  if (protocol === 'imap') {
    const [tag, command] = line.split(' ')
    if (command?.toUpperCase() === 'CAPABILITY') return say(`* CAPABILITY IMAP4rev1${offer ? ' STARTTLS' : ''}\r\n${tag} OK done\r\n`)
    if (command?.toUpperCase() === 'STARTTLS') return offer ? say(`${tag} OK begin TLS\r\n`, true) : say(`${tag} BAD no\r\n`)
    return say(`${tag} BAD\r\n`)
  }
  if (protocol === 'pop3') return upper === 'STLS' && offer ? say('+OK begin TLS\r\n', true) : say('-ERR\r\n')
  return upper === 'AUTH TLS' && offer ? say('234 AUTH TLS ok\r\n', true) : say('502 no\r\n')
}

/** Misbehaving servers: each accepts and then does one wrong thing. */
export type BadBehaviour = 'ssh-banner' | 'silent' | 'reset' | 'garbage' | 'close'

export function startBadServer(behaviour: BadBehaviour): Promise<Running> {
  const server = createNetServer((socket) => {
    socket.on('error', () => socket.destroy())
    if (behaviour === 'ssh-banner') socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n')
    if (behaviour === 'garbage') socket.on('data', () => socket.write(Buffer.from('00ff13fe7a0102030405060708', 'hex')))
    if (behaviour === 'reset') socket.once('data', () => socket.resetAndDestroy())
    if (behaviour === 'close') socket.once('data', () => socket.end())
    // silent: accept and never answer
  })
  return listen(server)
}

/** A port that was free a moment ago and has nothing listening on it. */
export async function closedPort(): Promise<number> {
  return freePort()
}

// ---------------------------------------------------------------------------------------
// The protocol and cipher configurations the integration tests, the testssl.sh comparison
// (test/peer/tls-vs-testssl.ts) and the benchmark share.

/** Mozilla intermediate (guidelines 6.0) in OpenSSL names. */
export const mozillaIntermediateCiphers =
  'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305'

export const goodHeaders: [string, string][] = [
  ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains; preload'],
  ['Content-Security-Policy', "default-src 'self'; frame-ancestors 'self'"],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Content-Type-Options', 'nosniff'],
]

export interface CatalogueServer {
  /** What it demonstrates. */
  description: string
  /** The Debian tool it needs, if any. */
  tool: 'openssl' | 'gnutls-serv' | null
  start: (leaf: Issued) => Promise<Running>
}

export const serverCatalogue = {
  'node-modern': {
    description: 'Node https, TLS 1.2 + 1.3, Mozilla intermediate suites, HSTS and security headers',
    tool: null,
    start: (leaf) => startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, minVersion: 'TLSv1.2', ciphers: mozillaIntermediateCiphers, headers: goodHeaders }),
  },
  'node-no-tls13': {
    description: 'Node https capped at TLS 1.2',
    tool: null,
    start: (leaf) => startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: mozillaIntermediateCiphers, headers: goodHeaders }),
  },
  'node-tls13-only': {
    description: 'Node https, TLS 1.3 only (the certificate is encrypted: no raw chain)',
    tool: null,
    start: (leaf) => startHttpsServer({ key: readFileSync(leaf.key), cert: leaf.chain, minVersion: 'TLSv1.3', headers: goodHeaders }),
  },
  'openssl-legacy': {
    description: 'openssl s_server with TLS 1.0 and 1.1 enabled (ECDHE suites only)',
    tool: 'openssl',
    start: (leaf) => startOpensslServer({ cert: leaf.cert, key: leaf.key, chain: leaf.chain, extra: ['-cipher', 'ECDHE:!aNULL:!eNULL:@SECLEVEL=0'] }),
  },
  'openssl-everything': {
    description: 'openssl s_server offering every suite it has, NULL and anonymous ones included (ALL:COMPLEMENTOFALL)',
    tool: 'openssl',
    start: (leaf) => startOpensslServer({ cert: leaf.cert, key: leaf.key, chain: leaf.chain, extra: ['-cipher', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'] }),
  },
  'openssl-static-rsa': {
    description: 'openssl s_server, TLS 1.2 only, static-RSA AES-GCM suites only',
    tool: 'openssl',
    start: (leaf) => startOpensslServer({ cert: leaf.cert, key: leaf.key, chain: leaf.chain, extra: ['-tls1_2', '-cipher', 'AES128-GCM-SHA256:AES256-GCM-SHA384'] }),
  },
  'gnutls-3des-rc4': {
    description: 'gnutls-serv with TLS 1.0–1.2, 3DES, RC4 and static RSA besides AES',
    tool: 'gnutls-serv',
    start: (leaf) => startGnutlsServer({ chain: leaf.chain, key: leaf.key, priority: 'NORMAL:+3DES-CBC:+ARCFOUR-128:+RSA:+VERS-TLS1.0:+VERS-TLS1.1:-VERS-TLS1.3' }),
  },
  'gnutls-3des-only': {
    description: 'gnutls-serv with TLS 1.2 and 3DES suites only (Node cannot complete a handshake)',
    tool: 'gnutls-serv',
    start: (leaf) => startGnutlsServer({ chain: leaf.chain, key: leaf.key, priority: 'NONE:+VERS-TLS1.2:+3DES-CBC:+SHA1:+RSA:+ECDHE-RSA:+COMP-NULL:+SIGN-ALL:+CURVE-ALL' }),
  },
} satisfies Record<string, CatalogueServer>

export type CatalogueName = keyof typeof serverCatalogue
