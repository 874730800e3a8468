import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './sshd.js'

/**
 * A real HAProxy (Debian's `haproxy`) TCP-balancing on 127.0.0.1 in front of backends on
 * loopback, the way several collectors are deployed: TLS passes through untouched (agents
 * pin the collectors' shared certificate), round robin, a TCP health check every 200 ms so
 * that a dead backend is taken out quickly, and `redispatch` so that a connection to a dead
 * backend is retried on another one.
 */
export interface TestHaproxy {
  port: number
  url(scheme?: 'https' | 'http'): string
  log(): string
  stop(): Promise<void>
}

export function haproxyBinary(): string | null {
  for (const path of ['/usr/sbin/haproxy', '/usr/bin/haproxy']) if (existsSync(path)) return path
  return null
}

/** False with a loud warning outside CI when haproxy is missing; in CI, missing haproxy is a failure. */
export function canRunHaproxy(): boolean {
  if (haproxyBinary() !== null) return true
  const reason = 'haproxy not found (apt-get install haproxy)'
  if (process.env.CI) throw new Error(`${reason}: CI must run the multi-collector tests`)
  console.warn(`SKIPPING multi-collector tests: ${reason}`)
  return false
}

/** The configuration file's text (pure, for the README example and the test). */
export function haproxyConfig(listenPort: number, backends: readonly { name: string; port: number }[]): string {
  return [
    'global',
    '  maxconn 8000', // each proxied connection takes two descriptors; stay under a 20,000 ulimit
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  retries 3',
    '  option redispatch',
    'frontend collectors',
    `  bind 127.0.0.1:${listenPort}`,
    '  default_backend collectors',
    'backend collectors',
    // leastconn, not roundrobin: agents hold one long WebSocket each, and round robin would
    // send every agent's socket to one collector when each enrollment request took the other turn.
    '  balance leastconn',
    ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check inter 200ms fall 1 rise 2`),
    '',
  ].join('\n')
}

export async function startHaproxy(backends: readonly { name: string; port: number }[]): Promise<TestHaproxy> {
  const bin = haproxyBinary()
  if (bin === null) throw new Error('haproxy not found (apt-get install haproxy)')
  const dir = mkdtempSync(join(tmpdir(), 'posture-haproxy-'))
  const configPath = join(dir, 'haproxy.cfg')
  let output = ''
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    writeFileSync(configPath, haproxyConfig(port, backends))
    const check = spawnSync(bin, ['-c', '-f', configPath], { encoding: 'utf8' })
    if (check.status !== 0) throw new Error(`haproxy -c refused the config: ${check.stdout}${check.stderr}`)
    // -db: foreground, no daemon; logs to stderr.
    const child: ChildProcess = spawn(bin, ['-db', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    if (await listening(port, child)) {
      return {
        port,
        url: (scheme = 'https') => `${scheme}://127.0.0.1:${port}`,
        log: () => output,
        async stop() {
          if (child.exitCode === null) {
            child.kill('SIGTERM')
            await once(child, 'exit')
          }
          rmSync(dir, { recursive: true, force: true })
        },
      }
    }
    if (child.exitCode === null) child.kill('SIGKILL')
    if (attempt >= 5) {
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`haproxy did not listen: ${output}`)
    }
  }
}

async function listening(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}
