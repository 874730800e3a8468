import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import type { Agent } from '../../agent/agent-runtime.js'
import { openAgentStream } from '../../agent/agent-transport.js'
import { closeCodes } from '../../agent/wire/close-codes.js'
import type { Collector } from '../../collector/build-collector.js'
import { captureLog, eventCount, fakeAgent, joinAgent, startCollector } from './collector-fixtures.js'

/** The per-connection byte rate (agents.bytesPerSecond / burstBytes): a flooder is cut, others are served. */
let dir: string
let collector: Collector
let logs: ReturnType<typeof captureLog>
let agent: Agent | undefined
let flooder: WebSocket | undefined

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-byte-rate-'))
  logs = captureLog()
  // The message bucket is generous here, so that only the byte bucket can stop the flood.
  collector = await startCollector(
    join(dir, 'data'),
    { agents: { maxPayloadBytes: 128 * 1024, messagesPerSecond: 100_000, messageBurst: 100_000, bytesPerSecond: 64 * 1024, burstBytes: 256 * 1024 } },
    logs.log,
  )
})
afterEach(async () => {
  if (flooder && flooder.readyState !== flooder.CLOSED) flooder.terminate()
  await agent?.stop()
  agent = undefined
  await collector.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('per-connection byte rate', () => {
  it('closes a client sending valid frames too fast with 4009 BYTE_RATE_LIMITED, while another agent keeps being served', async () => {
    const goodDir = join(dir, 'good')
    agent = fakeAgent(goodDir, await joinAgent(collector, goodDir), { hostname: 'steady' })
    const first = eventCount(agent, 'acked', 1)
    agent.start()
    await first

    const state = await joinAgent(collector, join(dir, 'flood'))
    flooder = await openAgentStream(state.collectorUrl, state.fingerprint, state.credential, 16 * 1024 * 1024)
    await once(flooder, 'open')
    let errorCode: string | null = null
    flooder.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; code?: string }
      if (m.type === 'error') errorCode = m.code ?? null
    })
    const closed = once(flooder, 'close') as Promise<[number]>
    // Each frame is a valid message of ~4 KB: 1,000 of them are ~4 MB against a 256 KiB burst.
    const frame = JSON.stringify({ v: 1, type: 'scan-failed', error: 'x'.repeat(4000) })
    let sent = 0
    const flood = setInterval(() => {
      for (let i = 0; i < 100 && flooder!.readyState === flooder!.OPEN; i++, sent++) flooder!.send(frame)
    }, 5)
    try {
      // Meanwhile the good agent scans and is acked.
      const during = eventCount(agent, 'acked', 1)
      await agent.scanNow()
      await during
      const [code] = await closed
      expect(code).toBe(closeCodes.BYTE_RATE_LIMITED)
      expect(errorCode).toBe('BYTE_RATE_LIMITED')
      expect(sent * frame.length).toBeGreaterThan(256 * 1024)
    } finally {
      clearInterval(flood)
    }
    expect(logs.lines().some((l) => l.msg === 'closing agent connection' && l.reason === 'BYTE_RATE_LIMITED' && l.agentId === state.agentId)).toBe(true)

    // The good agent is still connected and served after the flood.
    const after = eventCount(agent, 'acked', 1)
    await agent.scanNow()
    expect(await after).toEqual([{ scanId: expect.any(String), duplicate: false }])
    expect(collector.gateway.session(state.agentId)).toBeUndefined()
    expect(collector.gateway.sessions().length).toBe(1)
  }, 60_000)

  it('lets an agent within the rate through: a steady sender is never cut', async () => {
    const state = await joinAgent(collector, join(dir, 'steady'))
    const ws = await openAgentStream(state.collectorUrl, state.fingerprint, state.credential, 16 * 1024 * 1024)
    flooder = ws
    await once(ws, 'open')
    const frame = JSON.stringify({ v: 1, type: 'scan-failed', error: 'y'.repeat(4000) })
    // 40 KB in bursts of 10 frames, 200 ms apart: well inside 64 KiB/s with a 256 KiB burst.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) ws.send(frame)
      await new Promise((done) => setTimeout(done, 200))
    }
    expect(ws.readyState).toBe(ws.OPEN)
    expect(logs.lines().some((l) => l.reason === 'BYTE_RATE_LIMITED')).toBe(false)
  })
})
