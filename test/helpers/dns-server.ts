import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createTcpServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * DNS servers for the dns tests, on 127.0.0.1 only:
 * - `startNsd`: NLnet Labs NSD (Debian package `nsd`), authoritative for test zones under
 *   `.test` (RFC 6761), as an unprivileged-compatible foreground process on a free port;
 * - `startFakeResolver`: a UDP responder that answers every query with SERVFAIL, with the
 *   truncation bit set, or not at all — the failures a real resolver can show.
 */
export const nsdPath = ['/usr/sbin/nsd', '/usr/local/sbin/nsd'].find((p) => existsSync(p)) ?? null

export interface DnsServer {
  /** `127.0.0.1:PORT`, as `--resolver` and `dns.resolver` take it. */
  address: string
  port: number
  stop(): Promise<void>
}

/** A port free for both UDP and TCP right now (NSD cannot be given port 0). */
async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const tcp = createTcpServer()
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port))
    })
    const udp = createSocket('udp4')
    const udpOk = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    await new Promise<void>((resolve) => tcp.close(() => resolve()))
    if (udpOk) await new Promise<void>((resolve) => udp.close(() => resolve()))
    if (udpOk) return port
  }
  throw new Error('no port free for both UDP and TCP')
}

/** Starts NSD serving `zones` (origin → zone file text); resolves once it says "nsd started". */
export async function startNsd(zones: Record<string, string>): Promise<DnsServer> {
  if (!nsdPath) throw new Error('nsd is not installed (apt-get install nsd)')
  const dir = mkdtempSync(join(tmpdir(), 'posture-nsd-'))
  for (let attempt = 0; ; attempt++) {
    const port = await freeDnsPort()
    const zoneConfig = Object.keys(zones)
      .map((origin) => `zone:\n  name: "${origin}"\n  zonefile: "${join(dir, `${origin}.zone`)}"\n`)
      .join('')
    for (const [origin, text] of Object.entries(zones)) writeFileSync(join(dir, `${origin}.zone`), text)
    writeFileSync(
      join(dir, 'nsd.conf'),
      `server:
  ip-address: 127.0.0.1
  port: ${port}
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  database: ""
  zonelistfile: "${join(dir, 'zone.list')}"
  xfrdfile: "${join(dir, 'xfrd.state')}"
  pidfile: "${join(dir, 'nsd.pid')}"
  logfile: "/dev/stderr"
  server-count: 1
  verbosity: 1
  hide-version: yes
  do-ip6: no
remote-control:
  control-enable: no
${zoneConfig}`,
    )
    const child = spawn(nsdPath, ['-d', '-c', join(dir, 'nsd.conf')], { stdio: ['ignore', 'ignore', 'pipe'] })
    const started = await waitForStart(child)
    if (started.ok) {
      return {
        address: `127.0.0.1:${port}`,
        port,
        stop: async () => {
          await stopChild(child)
          rmSync(dir, { recursive: true, force: true })
        },
      }
    }
    await stopChild(child)
    // Another process took the port between the probe and NSD's bind: try another one.
    if (!/bind|address already in use/i.test(started.log) || attempt >= 3) {
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`nsd did not start:\n${started.log}`)
    }
  }
}

function waitForStart(child: ChildProcess): Promise<{ ok: boolean; log: string }> {
  return new Promise((resolve) => {
    let log = ''
    const timer = setTimeout(() => finish(false), 20_000)
    const finish = (ok: boolean) => {
      clearTimeout(timer)
      child.stderr?.off('data', onData)
      child.off('exit', onExit)
      // Keep draining stderr so NSD never blocks on a full pipe.
      child.stderr?.resume()
      resolve({ ok, log })
    }
    const onData = (chunk: Buffer) => {
      log += chunk.toString()
      if (/nsd started/.test(log)) finish(true)
      else if (/error: (can't bind|.*zone .* could not be read|.*syntax error)/i.test(log)) finish(false)
    }
    const onExit = () => finish(false)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

export type FakeResolverMode = 'servfail' | 'truncated' | 'silent'

/**
 * A UDP "resolver" that answers every question the same broken way. `truncated` sets TC
 * with an empty answer and serves no TCP, so the client's TCP retry is refused.
 */
export async function startFakeResolver(mode: FakeResolverMode): Promise<DnsServer & { queries: () => number }> {
  const socket: UdpSocket = createSocket('udp4')
  let queries = 0
  socket.on('message', (message, peer) => {
    queries++
    if (mode === 'silent' || message.length < 12) return
    // Header: ID, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT (RFC 1035 §4.1.1); then the question.
    let end = 12
    while (end < message.length && message[end] !== 0) end += message[end]! + 1
    end += 5 // root label, QTYPE, QCLASS
    const reply = Buffer.from(message.subarray(0, end))
    const rd = message.readUInt16BE(2) & 0x0100
    const flags = 0x8000 | 0x0080 | rd | (mode === 'servfail' ? 2 : 0) | (mode === 'truncated' ? 0x0200 : 0)
    reply.writeUInt16BE(flags, 2)
    reply.writeUInt16BE(1, 4)
    reply.writeUInt16BE(0, 6)
    reply.writeUInt16BE(0, 8)
    reply.writeUInt16BE(0, 10)
    socket.send(reply, peer.port, peer.address)
  })
  const port = await new Promise<number>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => resolve(socket.address().port))
  })
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries: () => queries,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}

/** A port nothing listens on (UDP): queries there are refused at once. */
export async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4')
  const port = await new Promise<number>((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)))
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}
