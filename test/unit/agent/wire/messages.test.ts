import { beforeAll, describe, expect, it } from 'vitest'
import { agentMessageIngestSchema, agentMessageSchema, collectorMessageSchema } from '../../../../agent/wire/messages.js'
import { parseFrame } from '../../../../agent/wire/parse-frame.js'
import { closeCodes } from '../../../../agent/wire/close-codes.js'
import { loadRuleSet, type RuleSet } from '../../../../rules/load-rules.js'
import { fakeReport } from '../../../integration/collector-fixtures.js'

let ruleSet: RuleSet
beforeAll(() => {
  ruleSet = loadRuleSet()
})

describe('parseFrame', () => {
  it('accepts a report built by the agent scan, schema field dropped, seq added', async () => {
    const { schema: _schema, ...report } = await fakeReport(ruleSet, { hostname: 'w1' }, new Date('2026-03-02T10:00:00Z'))
    const result = parseFrame(JSON.stringify({ v: 1, type: 'report', seq: 3, ...report }), agentMessageSchema)
    expect(result.ok).toBe(true)
    if (result.ok && result.message.type === 'report') {
      expect(result.message.seq).toBe(3)
      expect(result.message.spoolDropped).toBe(0)
      expect(result.message.findings).toHaveLength(report.findings.length)
    }
  })

  it.each([
    ['not JSON', '{"v":1,', 'BAD_JSON'],
    ['no version', '{"type":"hello"}', 'UNSUPPORTED_VERSION'],
    ['version 2', '{"v":2,"type":"hello"}', 'UNSUPPORTED_VERSION'],
    ['unknown type', '{"v":1,"type":"launch-missiles"}', 'BAD_MESSAGE'],
    ['extra key', '{"v":1,"type":"rules-status","version":"x","ok":true,"sneaky":1}', 'BAD_MESSAGE'],
    ['wrong field type', '{"v":1,"type":"hello","agentVersion":1,"hostname":"h","rulesVersion":"r","intervalMs":1000,"spool":{"pending":0,"dropped":0}}', 'BAD_MESSAGE'],
  ] as const)('refuses %s as %s', (_name, text, reason) => {
    const result = parseFrame(text, agentMessageSchema)
    expect(result).toMatchObject({ ok: false, reason })
    if (!result.ok) expect(closeCodes[result.reason]).toBeGreaterThanOrEqual(4000)
  })

  it('the collector ingest schema checks facts only as an object and everything else strictly', async () => {
    const { schema: _schema, ...report } = await fakeReport(ruleSet, { hostname: 'w2' }, new Date('2026-03-02T10:00:00Z'))
    const frame = (fields: Record<string, unknown>) => JSON.stringify({ v: 1, type: 'report', seq: 1, ...report, ...fields })
    const odd = frame({ facts: { system: { hostname: 42 } } })
    expect(parseFrame(odd, agentMessageSchema)).toMatchObject({ ok: false, reason: 'BAD_MESSAGE', detail: expect.stringContaining('facts.system.hostname') })
    expect(parseFrame(odd, agentMessageIngestSchema)).toMatchObject({ ok: true, message: { facts: { system: { hostname: 42 } } } })
    expect(parseFrame(frame({ facts: [] }), agentMessageIngestSchema)).toMatchObject({ ok: false, reason: 'BAD_MESSAGE', detail: 'invalid message at facts: facts must be an object' })
    expect(parseFrame(frame({ facts: null }), agentMessageIngestSchema)).toMatchObject({ ok: false, reason: 'BAD_MESSAGE' })
    expect(parseFrame(frame({ findings: [{ rule: 'x' }] }), agentMessageIngestSchema)).toMatchObject({ ok: false, reason: 'BAD_MESSAGE' })
    expect(parseFrame(frame({ sneaky: 1 }), agentMessageIngestSchema)).toMatchObject({ ok: false, reason: 'BAD_MESSAGE' })
    expect(parseFrame('{"v":1,"type":"rules-status","version":"x","ok":true}', agentMessageIngestSchema).ok).toBe(true)
  })

  it('validates collector messages with their own schema', () => {
    expect(parseFrame('{"v":1,"type":"ack","scanId":"s1","duplicate":false}', collectorMessageSchema).ok).toBe(true)
    expect(parseFrame('{"v":1,"type":"scan","only":["tls"]}', collectorMessageSchema).ok).toBe(true)
    expect(parseFrame('{"v":1,"type":"scan","only":["nope"]}', collectorMessageSchema).ok).toBe(false)
    expect(parseFrame('{"v":1,"type":"rules","version":"1","digest":"00","files":{}}', collectorMessageSchema).ok).toBe(false)
    expect(parseFrame('{"v":1,"type":"rules","version":"1","digest":"' + '0'.repeat(64) + '","files":{"../etc/passwd.yaml":""}}', collectorMessageSchema).ok).toBe(false)
  })
})
