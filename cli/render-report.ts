import { styleText } from 'node:util'
import type { Finding, Status } from '../rules/finding.js'
import type { Report } from '../rules/report.js'
import type { ScoreSummary } from '../rules/scoring.js'
import { severityRank } from '../rules/severity.js'

type Style = Parameters<typeof styleText>[0]

/** A report as an operator reads it in a terminal. Colour only when asked (a TTY). */
export function renderReport(report: Report, options: { color: boolean }): string {
  const paint = (style: Style, text: string) => (options.color ? styleText(style, text) : text)
  const lines: string[] = []
  const { node, score } = report
  const identity = [node.os, node.kernel && `kernel ${node.kernel}`, node.arch].filter(Boolean).join(', ')
  lines.push(paint('bold', `Posture report for ${node.hostname}`) + (identity ? ` (${identity})` : ''))
  lines.push(`  scanned ${report.startedAt} from ${report.source}, rules ${report.rulesVersion}`)
  lines.push('')
  lines.push(`  ${paint('bold', 'Score')}  ${formatScore(score, paint)}`)
  if (score.counts.waived > 0) {
    lines.push(`         without waivers: ${score.scoreWithoutWaivers ?? '—'} (${score.gradeWithoutWaivers ?? '—'}), ${score.counts.waived} waived`)
  }
  const domainNames = Object.keys(score.domains).sort()
  for (const domain of domainNames) lines.push(`    ${domain.padEnd(9)} ${formatScore(score.domains[domain]!, paint)}`)

  const byDomain = new Map<string, Finding[]>()
  for (const f of report.findings) byDomain.set(f.domain, [...(byDomain.get(f.domain) ?? []), f])
  for (const domain of [...byDomain.keys()].sort()) {
    lines.push('')
    lines.push(paint('bold', domain.toUpperCase()))
    const findings = [...byDomain.get(domain)!].sort(findingOrder)
    for (const f of findings) lines.push(...renderFinding(f, paint))
  }
  const c = score.counts
  lines.push('')
  lines.push(`${c.fail} failed, ${c.error} could not be checked, ${c.pass} passed, ${c.na} not applicable, ${c.waived} waived`)
  return lines.join('\n') + '\n'
}

const statusLabel: Record<Status, [string, Style]> = {
  fail: ['FAIL ', 'red'],
  error: ['ERROR', 'yellow'],
  pass: ['pass ', 'green'],
  na: ['n/a  ', 'gray'],
  waived: ['WAIVED', 'cyan'],
}

function renderFinding(f: Finding, paint: (s: Style, t: string) => string): string[] {
  const [label, style] = statusLabel[f.status]
  const target = f.target ? ` ${paint('dim', `[${f.target}]`)}` : ''
  const head = `  ${paint(style, label)} ${f.severity.padEnd(8)} ${f.rule}${target}  ${f.title}`
  if (f.status === 'pass') return [head]
  const lines = [head]
  if (f.message && f.message !== f.title) lines.push(`         ${f.message}`)
  if (f.status === 'fail') lines.push(`         ${paint('dim', 'fix:')} ${f.remediation}`)
  if (f.status === 'waived' && f.waiver) lines.push(`         waived by ${f.waiver.approver} until ${f.waiver.expires}: ${f.waiver.justification}`)
  return lines
}

function formatScore(s: ScoreSummary, paint: (s: Style, t: string) => string): string {
  const value = s.score === null ? '  —  ' : s.score.toFixed(1).padStart(5)
  const grade = s.grade ?? '—'
  const gradeStyle: Style = grade === 'A' || grade === 'B' ? 'green' : grade === 'C' || grade === 'D' ? 'yellow' : grade === '—' ? 'gray' : 'red'
  const coverage = s.coverage === null ? '—' : `${Math.round(s.coverage * 100)}%`
  return `${value} ${paint(gradeStyle, grade.padEnd(2))} coverage ${coverage}`
}

const statusOrder: Record<Status, number> = { fail: 0, error: 1, waived: 2, pass: 3, na: 4 }

function findingOrder(a: Finding, b: Finding): number {
  return statusOrder[a.status] - statusOrder[b.status] || severityRank(a.severity) - severityRank(b.severity) || a.rule.localeCompare(b.rule) || a.target.localeCompare(b.target)
}
