import { describe, expect, it } from 'vitest'
import type { Finding } from '../../../rules/finding.js'
import { applyWaivers, type Waiver } from '../../../rules/waivers.js'

const now = new Date('2026-11-23T00:00:00Z')
const failing: Finding = {
  rule: 'tls.protocol.tls13',
  domain: 'tls',
  severity: 'medium',
  status: 'fail',
  target: '10.0.0.1:443',
  title: 'TLS 1.3 offered',
  message: 'only TLS 1.2',
  evidence: null,
  remediation: 'enable it',
  controls: {},
}
const waiver: Waiver = {
  id: 'w-1',
  rule: 'tls.protocol.tls13',
  justification: 'appliance firmware cannot do 1.3 until Q2',
  approver: 'ciso@example.net',
  created: '2026-10-01T00:00:00Z',
  expires: '2027-04-01T00:00:00Z',
}
const scope = { nodeId: 'n1', labels: { role: 'edge' } }

describe('applyWaivers', () => {
  it('waives a matching failure and keeps what it was', () => {
    const [f] = applyWaivers([failing], [waiver], scope, now)
    expect(f).toMatchObject({ status: 'waived', waiver: { id: 'w-1', waivedStatus: 'fail', approver: 'ciso@example.net' } })
  })

  it('an expired waiver leaves the failure and says so', () => {
    const [f] = applyWaivers([failing], [{ ...waiver, expires: '2026-11-01T00:00:00Z' }], scope, now)
    expect(f).toMatchObject({ status: 'fail', message: 'only TLS 1.2 (waiver w-1 expired 2026-11-01T00:00:00Z)' })
  })

  it.each([
    ['another node', { node: 'n2' }],
    ['another target', { target: '10.0.0.2:443' }],
    ['labels that do not match', { labels: { role: 'db' } }],
    ['another rule', { rule: 'tls.grade' }],
  ])('does not apply to %s', (_name, change) => {
    const [f] = applyWaivers([failing], [{ ...waiver, ...change }], scope, now)
    expect(f?.status).toBe('fail')
  })

  it('applies by node, target and labels when they match', () => {
    const [f] = applyWaivers([failing], [{ ...waiver, node: 'n1', target: '10.0.0.1:443', labels: { role: 'edge' } }], scope, now)
    expect(f?.status).toBe('waived')
  })

  it('leaves na findings alone', () => {
    const [f] = applyWaivers([{ ...failing, status: 'na' }], [waiver], scope, now)
    expect(f?.status).toBe('na')
  })
})
