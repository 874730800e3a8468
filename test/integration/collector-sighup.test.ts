import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Agent } from '../../agent/agent-runtime.js'
import { saveAgentState, type AgentState } from '../../agent/agent-state.js'
import { enroll } from '../../agent/agent-transport.js'
import { parseJoinString } from '../../agent/wire/join-string.js'
import { openDatabase } from '../../collector/store/sqlite-open.js'
import { eventCount, fakeAgent } from './collector-fixtures.js'

/** `posture collector` as a real process: SIGHUP reloads its rule directories (and waivers). */
const cli = join(resolve(import.meta.dirname, '..', '..'), 'dist', 'cli', 'posture.js')
let dir: string
let child: ChildProcessWithoutNullStreams | undefined
let agent: Agent | undefined

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npx tsc -p tsconfig.build.json`)
})
afterEach(async () => {
  await agent?.stop()
  agent = undefined
  if (child && child.exitCode === null) {
    child.kill('SIGTERM')
    await once(child, 'exit')
  }
  child = undefined
  rmSync(dir, { recursive: true, force: true })
})

/** The collector's stderr, searchable; `waitFor` resolves once a line matches. */
function stderrOf(c: ChildProcessWithoutNullStreams): { text: () => string; waitFor: (re: RegExp) => Promise<RegExpExecArray> } {
  let text = ''
  const waiters: (() => void)[] = []
  c.stderr.on('data', (d: Buffer) => {
    text += d.toString()
    for (const w of waiters.splice(0)) w()
  })
  const waitFor = async (re: RegExp): Promise<RegExpExecArray> => {
    for (;;) {
      const match = re.exec(text)
      if (match) return match
      if (c.exitCode !== null) throw new Error(`collector exited ${c.exitCode}: ${text}`)
      await new Promise<void>((done) => {
        waiters.push(done)
        c.once('exit', () => done())
      })
    }
  }
  return { text: () => text, waitFor }
}

async function cliOutput(args: string[]): Promise<string> {
  const c = spawn(process.execPath, [cli, ...args])
  let out = ''
  c.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const [code] = (await once(c, 'exit')) as [number]
  if (code !== 0) throw new Error(`posture ${args.join(' ')} exited ${code}`)
  return out
}

function nodeRow(data: string): { score: number; grade: string; scored_with: string } {
  const db = openDatabase(join(data, 'posture.db'), { readonly: true })
  try {
    return db.prepare('SELECT score, grade, scored_with FROM nodes').get() as { score: number; grade: string; scored_with: string }
  } finally {
    db.close()
  }
}

describe('posture collector and SIGHUP', () => {
  it('reloads a changed rules directory: new rules version, node re-scored, pack pushed; a broken file keeps the previous rules', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-sighup-'))
    const data = join(dir, 'data')
    const rulesDir = join(dir, 'rules')
    mkdirSync(rulesDir)
    child = spawn(process.execPath, [cli, 'collector', '--data', data, '--listen', '127.0.0.1:0', '--rules', rulesDir])
    const err = stderrOf(child)
    await err.waitFor(/listening on (https:\/\/\S+)/)

    const joined = parseJoinString((await cliOutput(['collector', 'token', '--data', data])).trim())
    const enrolled = await enroll(joined.url, joined.fingerprint, { token: joined.token, hostname: 'hup', agentVersion: '0.1.0' })
    const stateDir = join(dir, 'agent')
    const state: AgentState = { v: 1, collectorUrl: joined.url, fingerprint: joined.fingerprint, agentId: enrolled.agentId, credential: enrolled.credential, labels: enrolled.labels, enrolledAt: new Date().toISOString() }
    saveAgentState(stateDir, state)
    agent = fakeAgent(stateDir, state, { hostname: 'hup', synchronized: false })
    const acked = eventCount(agent, 'acked', 1)
    agent.start()
    await acked
    const before = nodeRow(data)
    // system.time-synced (medium) fails, system.time-sync-enabled (low) passes: 100 × 1 / (1 + 3).
    expect(before).toMatchObject({ score: 25, grade: 'F' })

    // The passing rule made critical: 100 × 10 / (10 + 3) = 76.9.
    writeFileSync(join(rulesDir, 'site.yaml'), '- override: system.time-sync-enabled\n  severity: critical\n')
    const pushed = eventCount(agent, 'rules', 1)
    child.kill('SIGHUP')
    const reloaded = await err.waitFor(/rules reloaded \(version (\S+), (\d+) nodes re-scored\)/)
    expect(reloaded[2]).toBe('1')
    const after = nodeRow(data)
    expect(after).toMatchObject({ score: 76.9, grade: 'C' })
    expect(after.scored_with.startsWith(`${reloaded[1]}|`)).toBe(true)
    expect(after.scored_with).not.toBe(before.scored_with)
    // The agent stores the pack as NN-name.yaml; the version covers contents, not names, so it is the collector's.
    expect(await pushed).toEqual([{ version: reloaded[1], ok: true }])

    // A broken rule file: the reload fails loudly, the collector keeps its rules and keeps serving.
    writeFileSync(join(rulesDir, 'broken.yaml'), '- id: [not, a, rule\n')
    child.kill('SIGHUP')
    await err.waitFor(/rules reload failed, keeping the previous rules: .+/)
    expect(child.exitCode).toBe(null)
    expect(nodeRow(data).scored_with).toBe(after.scored_with)
    const again = eventCount(agent, 'acked', 1)
    await agent.scanNow()
    await again
    expect(nodeRow(data)).toMatchObject({ score: 76.9 })
  }, 60_000)
})
