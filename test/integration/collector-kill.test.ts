import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import { saveAgentState } from '../../agent/agent-state.js'
import { enroll } from '../../agent/agent-transport.js'
import { parseJoinString } from '../../agent/wire/join-string.js'
import { SqliteStore } from '../../collector/store/sqlite-store.js'
import { loadScoringPolicy } from '../../rules/load-rules.js'
import { eventCount, fakeAgent } from './collector-fixtures.js'

/** The collector as a real process, killed with SIGKILL while an agent streams to it. */
const cli = join(resolve(import.meta.dirname, '..', '..'), 'dist', 'cli', 'posture.js')
let dir: string
let children: ChildProcessWithoutNullStreams[] = []
let agent: Agent | undefined

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npx tsc -p tsconfig.build.json`)
})
afterEach(async () => {
  await agent?.stop()
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  children = []
  rmSync(dir, { recursive: true, force: true })
})

async function collectorProcess(data: string, listen: string): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [cli, 'collector', '--data', data, '--listen', listen])
  children.push(child)
  let err = ''
  for (;;) {
    const match = /listening on (https:\/\/\S+)/.exec(err)
    if (match) return { child, url: match[1]! }
    if (child.exitCode !== null) throw new Error(`collector exited ${child.exitCode}: ${err}`)
    const [chunk] = (await Promise.race([once(child.stderr, 'data'), once(child, 'exit')])) as [Buffer | number]
    if (Buffer.isBuffer(chunk)) err += chunk.toString()
  }
}

async function cliOutput(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [cli, ...args])
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const [code] = (await once(child, 'exit')) as [number]
  if (code !== 0) throw new Error(`posture ${args.join(' ')} exited ${code}`)
  return out
}

describe('collector killed mid-stream', () => {
  it('loses nothing and doubles nothing: the agent spool delivers every report after the restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-kill-'))
    const data = join(dir, 'data')
    const first = await collectorProcess(data, '127.0.0.1:0')
    const port = new URL(first.url).port

    const join1 = parseJoinString((await cliOutput(['collector', 'token', '--data', data])).trim())
    const enrolled = await enroll(join1.url, join1.fingerprint, { token: join1.token, hostname: 'k', agentVersion: '0.1.0' })
    const stateDir = join(dir, 'agent')
    const state = { v: 1 as const, collectorUrl: join1.url, fingerprint: join1.fingerprint, agentId: enrolled.agentId, credential: enrolled.credential, labels: enrolled.labels, enrolledAt: new Date().toISOString() }
    saveAgentState(stateDir, state)
    agent = fakeAgent(stateDir, state, { hostname: 'streamer' }, { scanOnStart: false })
    const connected = eventCount(agent, 'connected', 1)
    agent.start()
    await connected

    const total = 30
    const spooled: string[] = []
    agent.on('spooled', ({ scanId }) => spooled.push(scanId))
    const someAcked = eventCount(agent, 'acked', 3)
    const scanning = (async () => {
      for (let i = 0; i < total; i++) await agent!.scanNow()
    })()
    await someAcked
    first.child.kill('SIGKILL')
    await once(first.child, 'exit')
    await scanning
    expect(spooled).toHaveLength(total)
    expect(agent.spool.pending).toBeGreaterThan(0)

    const second = await collectorProcess(data, `127.0.0.1:${port}`)
    await expect.poll(() => agent!.spool.pending, { timeout: 20_000 }).toBe(0)
    second.child.kill('SIGTERM')
    expect(((await once(second.child, 'exit')) as [number])[0]).toBe(0)

    const store = new SqliteStore(join(data, 'posture.db'), loadScoringPolicy())
    const rows = store.db.prepare("SELECT scan_id FROM scans WHERE kind = 'scan'").all() as { scan_id: string }[]
    store.close()
    expect(rows.map((r) => r.scan_id).sort()).toEqual([...spooled].sort())
  }, 150_000)
})
