import { describe, expect, it } from 'vitest'
import { deriveScanEvents, eventsFor, groupByNode, hostKeyRule, type ScanFinding, type ScanResults } from '../../../../collector/alerts/derive-events.js'

const node = { id: 'n1', hostname: 'web-1' }
const options = { scoreDropPoints: 10 }

function finding(rule: string, status: ScanFinding['status'], over: Partial<ScanFinding> = {}): ScanFinding {
  return { rule, target: '', domain: 'system', severity: 'high', status, title: rule, message: `${rule} ${status}`, ...over }
}

function scan(scanId: string, findings: ScanFinding[], score: number | null = 100, grade: ScanResults['grade'] = 'A', domains = ['system']): ScanResults {
  return { scanId, score, grade, domains, findings }
}

describe('deriveScanEvents', () => {
  it('reports every failure of a first scan as new', () => {
    const events = deriveScanEvents(node, null, scan('s1', [finding('a', 'fail'), finding('b', 'pass')], 50, 'F'), options)
    expect(events.map((e) => [e.type, e.subject, e.severity])).toEqual([['finding.new', 'a@', 'high']])
  })

  it('says nothing when a failure keeps failing or the scan is unchanged', () => {
    const prev = scan('s1', [finding('a', 'fail')], 60, 'D')
    expect(deriveScanEvents(node, prev, scan('s2', [finding('a', 'fail')], 60, 'D'), options)).toEqual([])
  })

  it('resolves on pass, na, or disappearing from a scanned domain; not on error or from an unscanned domain', () => {
    const prev = scan('s1', [finding('pass', 'fail'), finding('na', 'fail'), finding('gone', 'fail'), finding('err', 'fail'), finding('other', 'fail', { domain: 'tls' })], 50, 'F')
    const cur = scan('s2', [finding('pass', 'pass'), finding('na', 'na'), finding('err', 'error')], 50, 'F', ['system'])
    const events = deriveScanEvents(node, prev, cur, options)
    expect(events.map((e) => [e.type, e.subject, e.details.status])).toEqual([
      ['finding.resolved', 'pass@', 'pass'],
      ['finding.resolved', 'na@', 'na'],
      ['finding.resolved', 'gone@', 'gone'],
    ])
  })

  it('reports a failure that was waived or erroring before as new when it fails now', () => {
    const prev = scan('s1', [finding('a', 'waived'), finding('b', 'error')])
    expect(deriveScanEvents(node, prev, scan('s2', [finding('a', 'fail'), finding('b', 'fail')]), options).map((e) => e.subject)).toEqual(['a@', 'b@'])
  })

  it('tells targets apart', () => {
    const prev = scan('s1', [finding('tls.x', 'fail', { target: 'a:443' })])
    const events = deriveScanEvents(node, prev, scan('s2', [finding('tls.x', 'fail', { target: 'a:443' }), finding('tls.x', 'fail', { target: 'b:443' })]), options)
    expect(events.map((e) => e.subject)).toEqual(['tls.x@b:443'])
  })

  it.each([
    ['a drop of the threshold', 100, 'A', 90, 'A', true, 'high'],
    ['a smaller drop', 100, 'A', 91, 'A', false, null],
    ['a falling grade with a small drop', 90, 'A', 89, 'B', true, 'high'],
    ['a fall to D (critical cap)', 95, 'A', 65, 'D', true, 'critical'],
    ['a rise', 50, 'F', 100, 'A', false, null],
  ] as const)('score: %s', (_name, before, beforeGrade, after, afterGrade, fires, severity) => {
    const events = deriveScanEvents(node, scan('s1', [], before, beforeGrade), scan('s2', [], after, afterGrade), options)
    expect(events.filter((e) => e.type === 'score.dropped').map((e) => e.severity)).toEqual(fires ? [severity] : [])
  })

  it('has no score event without a previous score', () => {
    expect(deriveScanEvents(node, scan('s1', [], null, null), scan('s2', [], 10, 'F'), options)).toEqual([])
  })

  it('adds ssh.host-key-changed when the host key rule starts failing', () => {
    const events = deriveScanEvents(node, scan('s1', [finding(hostKeyRule, 'pass')]), scan('s2', [finding(hostKeyRule, 'fail', { severity: 'critical', target: 'legacy-1' })]), options)
    expect(events.map((e) => [e.type, e.severity, e.subject])).toEqual([
      ['finding.new', 'critical', `${hostKeyRule}@legacy-1`],
      ['ssh.host-key-changed', 'critical', `${hostKeyRule}@legacy-1`],
    ])
  })
})

describe('eventsFor and groupByNode', () => {
  const events = deriveScanEvents(node, null, scan('s1', [finding('crit', 'fail', { severity: 'critical' }), finding('low', 'fail', { severity: 'low' })]), options)

  it('keeps the destination’s event types at or above its minimum severity', () => {
    expect(eventsFor(events, { events: ['finding.new'], minSeverity: 'high' }).map((e) => e.subject)).toEqual(['crit@'])
    expect(eventsFor(events, { events: ['finding.new'], minSeverity: 'info' })).toHaveLength(2)
    expect(eventsFor(events, { events: ['finding.resolved'], minSeverity: 'info' })).toEqual([])
  })

  it('groups per node, fleet-wide events apart', () => {
    const fleet = { ...events[0]!, node: null }
    expect([...groupByNode([...events, fleet]).entries()].map(([k, v]) => [k, v.length])).toEqual([['n1', 2], ['', 1]])
  })
})
