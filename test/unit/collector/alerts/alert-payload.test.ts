import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { AlertMessage } from '../../../../collector/alerts/alert-events.js'
import { signBody, slackBody, verifySignature } from '../../../../collector/alerts/alert-payload.js'
import { backoffMs } from '../../../../collector/alerts/backoff.js'
import { parseWebhookSpec, redactUrl } from '../../../../collector/alerts/webhook-spec.js'

const message: AlertMessage = {
  schema: 'posture.alert/v1',
  id: 'm1',
  kind: 'scan',
  createdAt: '2026-03-02T10:00:00.000Z',
  node: { id: 'n1', hostname: '<b>evil</b> & co' },
  scanId: 's1',
  events: [{ type: 'finding.new', severity: 'critical', node: { id: 'n1', hostname: '<b>evil</b> & co' }, subject: 'r@', summary: 'r fails on <b>evil</b> & co', details: {} }],
}

describe('signatures', () => {
  it('is HMAC-SHA256 of the raw body in hex, as a receiver computes it', () => {
    const body = '{"a":1}'
    expect(signBody(body, 'whsec_k')).toBe(`sha256=${createHmac('sha256', 'whsec_k').update(body).digest('hex')}`)
    expect(verifySignature(body, 'whsec_k', signBody(body, 'whsec_k'))).toBe(true)
    expect(verifySignature(body + ' ', 'whsec_k', signBody(body, 'whsec_k'))).toBe(false)
    expect(verifySignature(body, 'whsec_k', undefined)).toBe(false)
    expect(verifySignature(body, 'whsec_k', 'sha256=00')).toBe(false)
  })
})

describe('slackBody', () => {
  it('is {text, blocks} with agent-supplied text escaped for mrkdwn', () => {
    const body = JSON.parse(slackBody(message)) as { text: string; blocks: { type: string; text: { text: string } }[] }
    expect(Object.keys(body)).toEqual(['text', 'blocks'])
    expect(body.blocks[1]!.text.text).toBe('*finding.new* (critical) r fails on &lt;b&gt;evil&lt;/b&gt; &amp; co')
    expect(body.text).not.toContain('<b>')
  })

  it('stays within Slack’s block limit', () => {
    const many = { ...message, events: Array.from({ length: 100 }, () => message.events[0]!) }
    const body = JSON.parse(slackBody(many)) as { blocks: { type: string }[] }
    expect(body.blocks.length).toBeLessThanOrEqual(50)
    expect(body.blocks.at(-1)!.type).toBe('context')
  })
})

describe('backoffMs', () => {
  it('doubles per attempt within [ceiling/2, ceiling], capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 60_000, 1))).toEqual([1000, 2000, 4000, 8000])
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 60_000, 0))).toEqual([500, 1000, 2000, 4000])
    expect(backoffMs(20, 1000, 60_000, 1)).toBe(60_000)
  })
})

describe('parseWebhookSpec', () => {
  it('defaults to every event, high and above, JSON', () => {
    const spec = parseWebhookSpec({ url: 'https://hooks.example.net/x' })
    expect(spec).toMatchObject({ minSeverity: 'high', format: 'json' })
    expect(spec.events).toContain('node.silent')
  })

  it.each([
    [{ url: 'file:///etc/passwd' }, 'webhook: url:'],
    [{ url: 'ftp://example.net/' }, 'webhook: url:'],
    [{ url: 'https://x.example/', events: ['nope'] }, 'webhook: events.0:'],
    [{ url: 'https://x.example/', minSeverity: 'urgent' }, 'webhook: minSeverity:'],
    [{ url: 'https://x.example/', colour: 'red' }, 'unknown key colour'],
  ])('refuses %j', (input, message) => {
    expect(() => parseWebhookSpec(input)).toThrow(message)
  })

  it('redacts URLs for logs (Slack URLs carry their secret in the path)', () => {
    expect(redactUrl('https://hooks.slack.com/services/T0/B0/secret')).toBe('https://hooks.slack.com/…')
  })
})

describe('alerts.manage', () => {
  it('is for admins and operators; auditors may not see destinations (URLs can be secrets)', async () => {
    const { can } = await import('../../../../collector/auth/permissions.js')
    expect([can('admin', 'alerts.manage'), can('operator', 'alerts.manage'), can('auditor', 'alerts.manage')]).toEqual([true, true, false])
  })
})
