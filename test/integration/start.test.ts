import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:https'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'

/**
 * `npm start`'s path with the real CLI: a child process on a temp data directory and a
 * free port, read back over TLS with the printed fingerprint pinned, stopped with SIGINT,
 * started again with everything kept.
 */
const root = resolve(import.meta.dirname, '..', '..')
const cli = join(root, 'dist', 'cli', 'posture.js')
let dir: string
let children: ChildProcessWithoutNullStreams[] = []

beforeAll(() => {
  // test/global-setup.ts builds dist/ for `npm test`; fail loudly if it is missing.
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npx tsc -p tsconfig.build.json`)
})
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  children = []
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function posture(args: string[]): { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  return { child, stdout: () => out, stderr: () => err }
}

async function until(read: () => string, pattern: RegExp, child: ChildProcessWithoutNullStreams): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(read())
    if (match) return match
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before printing ${pattern}: ${read()}`)
    await Promise.race([once(child.stdout, 'data'), once(child, 'exit')])
  }
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = posture(args)
  const [code] = (await once(p.child, 'exit')) as [number]
  return { code, stdout: p.stdout(), stderr: p.stderr() }
}

/** GET over TLS, accepting only the certificate with `fingerprint`. */
async function pinnedGet(url: string, fingerprint: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers, agent: false }, (res) => {
      const presented = (res.socket as TLSSocket).getPeerCertificate().fingerprint256
      if (presented !== fingerprint) return reject(new Error(`certificate ${presented} is not the pinned ${fingerprint}`))
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('posture start', () => {
  it('starts a collector and a local agent, prints the URL and first login, and keeps everything across restarts', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-start-'))
    const data = join(dir, 'data')
    const first = posture(['start', '--data', data, '--port', '0', '--only', 'system'])
    const [, url] = await until(first.stdout, /Dashboard:\s+(https:\/\/127\.0\.0\.1:\d+)\//, first.child)
    const [, password] = await until(first.stdout, /First login:\s+admin \/ (\S+)/, first.child)
    const [, fingerprint] = await until(first.stdout, /Certificate:\s+SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/, first.child)
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/)
    expect(first.stdout()).toContain('posture collector token')

    const page = await pinnedGet(`${url!}/`, fingerprint!)
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    expect(page.body).toMatch(/^<!doctype html>/i)
    // No inline script or style: scripts only by src (the CSP forbids the rest anyway).
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)|style=/)

    // Admin commands work beside the running collector (WAL).
    const token = (await run(['collector', 'api-token', '--data', data, '--role', 'auditor'])).stdout.trim()
    const nodes = JSON.parse((await pinnedGet(`${url!}/api/nodes`, fingerprint!, { authorization: `Bearer ${token}` })).body) as { nodes: { id: string; lastScanAt: string | null; online: boolean }[] }
    expect(nodes.nodes).toHaveLength(1)
    expect(nodes.nodes[0]?.lastScanAt).not.toBeNull()
    expect(nodes.nodes[0]?.online).toBe(true)
    const nodeId = nodes.nodes[0]!.id
    // Every part of the fleet collector is there: schedules, webhooks, evidence exports, waivers.
    for (const path of ['/api/schedules', '/api/webhooks', '/api/exports', '/api/waivers']) {
      const answer = await pinnedGet(`${url!}${path}`, fingerprint!, { authorization: `Bearer ${token}` })
      expect(answer.status, path).toBe(200)
    }

    // A second collector on the same data directory is refused with a clear error.
    const second = await run(['collector', '--data', data, '--listen', '127.0.0.1:0'])
    expect(second.code).toBe(3)
    expect(second.stderr).toMatch(/is in use by another collector \(pid \d+\)/)

    first.child.kill('SIGINT')
    const [code] = (await once(first.child, 'exit')) as [number]
    expect(code).toBe(0)
    expect(first.stdout() + first.stderr()).not.toContain(token)

    const again = posture(['start', '--data', data, '--port', '0', '--only', 'system'])
    const [, url2] = await until(again.stdout, /Dashboard:\s+(https:\/\/127\.0\.0\.1:\d+)\//, again.child)
    expect(again.stdout()).toContain('the admin user exists')
    expect(again.stdout()).not.toContain(password!)
    await until(again.stdout, new RegExp(`SHA-256 ${fingerprint!}`), again.child)
    const history = JSON.parse((await pinnedGet(`${url2!}/api/nodes/${nodeId}/history`, fingerprint!, { authorization: `Bearer ${token}` })).body) as { scans: unknown[] }
    expect(history.scans.length).toBeGreaterThanOrEqual(2)
    again.child.kill('SIGINT')
    expect(((await once(again.child, 'exit')) as [number])[0]).toBe(0)
  }, 180_000)
})
