import { describe, expect, it } from 'vitest'
import type { AlertMessage } from '../../../../collector/alerts/alert-events.js'
import { jsonBody, slackBody } from '../../../../collector/alerts/alert-payload.js'
import { deliveryFromRow, eventTypesOf, kindOf } from '../../../../collector/alerts/delivery-view.js'
import { displayUrl } from '../../../../collector/alerts/webhook-spec.js'

const message: AlertMessage = {
  schema: 'posture.alert/v1', id: 'm1', kind: 'scan', createdAt: '2026-03-02T10:00:00.000Z', node: { id: 'n1', hostname: 'web-1' }, scanId: 's1',
  events: [
    { type: 'finding.new', severity: 'high', node: { id: 'n1', hostname: 'web-1' }, subject: 'a@', summary: 'a fails', details: {} },
    { type: 'finding.new', severity: 'high', node: { id: 'n1', hostname: 'web-1' }, subject: 'b@', summary: 'b fails', details: {} },
    { type: 'score.dropped', severity: 'critical', node: { id: 'n1', hostname: 'web-1' }, subject: 'score', summary: 'score 100 → 0', details: {} },
  ],
}

describe('delivery log view', () => {
  it('reads the event types of both formats, each once, and the kind from the dedupe key', () => {
    expect(eventTypesOf(jsonBody(message))).toEqual(['finding.new', 'score.dropped'])
    expect(eventTypesOf(slackBody(message))).toEqual(['finding.new', 'score.dropped'])
    expect(eventTypesOf('not json')).toEqual([])
    expect(['scan|s1', 'rescore|r1', 'sweep|silent|n1|t', 'run|7', 'test|u', 'odd'].map(kindOf)).toEqual(['scan', 'rescore', 'sweep', 'schedule', 'test', null])
  })

  it('gives the next attempt only on the latest attempt of a pending message', () => {
    const row = { id: 1, message_id: 'm1', attempt: 1, at: 't1', outcome: 'retry' as const, http_status: 500, error: 'HTTP 500', duration_ms: 4, dedupe_key: 'scan|s1', body: jsonBody(message), message_status: 'pending' as const, message_attempts: 1, next_attempt_at: 't2' }
    expect(deliveryFromRow(row)).toEqual({ id: 1, messageId: 'm1', attempt: 1, at: 't1', outcome: 'retry', httpStatus: 500, error: 'HTTP 500', durationMs: 4, kind: 'scan', events: ['finding.new', 'score.dropped'], nextAttemptAt: 't2' })
    expect(deliveryFromRow({ ...row, message_attempts: 2 }).nextAttemptAt).toBeNull()
    expect(deliveryFromRow({ ...row, message_status: 'delivered' }).nextAttemptAt).toBeNull()
  })
})

describe('displayUrl', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', 'http://127.0.0.1:8080/hook'],
    ['https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'https://hooks.slack.com/services/…'],
    ['https://discord.com/api/webhooks/123/abc', 'https://discord.com/api/…'],
    ['https://user:pass@alerts.example.net/posture?token=s3cret', 'https://alerts.example.net/posture?…'],
    ['https://alerts.example.net/0123456789abcdef0123456789abcdef', 'https://alerts.example.net/…'],
    ['https://alerts.example.net', 'https://alerts.example.net/'],
  ])('%s → %s', (url, shown) => {
    expect(displayUrl(url)).toBe(shown)
  })
})
