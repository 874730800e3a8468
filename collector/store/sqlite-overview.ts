import { z } from 'zod'
import { grade, type Grade, type ScoringPolicy } from '../../rules/scoring.js'
import { severities, type Severity } from '../../rules/severity.js'
import type { FleetOverview, OverviewFinding, OverviewNode } from '../http/routes/overview-types.js'
import type { Db } from './sqlite-open.js'

/**
 * The fleet overview as a handful of indexed queries (DESIGN.md: API p95 under 50 ms at
 * 10,000 nodes): aggregates over `nodes` (one row per node), short lists through the
 * lifecycle indexes of dashboard-schema.ts, the trend from the daily rollup.
 */
const listLimit = 10
const changesWindowMs = 7 * 86_400_000
// tls.cert.expired / tls.cert.expiring (rules/catalogue/tls.yaml): the certificate list. (`+last_status`
// keeps SQLite on the rule index: two rules' rows, not every failure in the fleet.)
const certificateRules = ['tls.cert.expired', 'tls.cert.expiring']

interface NodeRow {
  id: string
  hostname: string
  score: number | null
  grade: Grade | null
  coverage: number | null
  last_seen: string
  offline_since: string | null
}

interface FindingRow {
  node_id: string
  hostname: string
  rule: string
  title: string | null
  target: string
  severity: Severity
  last_status: string
  message: string | null
  failing_since: string | null
  sla_due: string | null
  resolved_at: string | null
}

const gradeSchema = z.enum(['A', 'B', 'C', 'D', 'F']).nullable()

export function prepareOverview(db: Db, policy: ScoringPolicy) {
  const findingColumns = `l.node_id, n.hostname, l.rule, m.title, l.target, l.severity, l.last_status, f.message, l.failing_since, l.sla_due, l.resolved_at
    FROM finding_lifecycle l JOIN nodes n ON n.id = l.node_id
    LEFT JOIN rule_meta m ON m.rule = l.rule
    LEFT JOIN findings f ON f.scan_pk = n.last_scan_pk AND f.rule = l.rule AND f.target = l.target`
  const s = {
    fleet: db.prepare<[], { nodes: number; scored: number; score: number | null; coverage: number | null; offline: number }>(
      'SELECT count(*) AS nodes, count(score) AS scored, avg(score) AS score, avg(coverage) AS coverage, count(offline_since) AS offline FROM nodes',
    ),
    grades: db.prepare<[], { grade: string | null; n: number }>('SELECT grade, count(*) AS n FROM nodes GROUP BY grade'),
    domains: db.prepare<[], { domain: string; score: number | null; nodes: number }>(`
      SELECT d.key AS domain, avg(json_extract(d.value, '$.score')) AS score, count(json_extract(d.value, '$.score')) AS nodes
      FROM nodes, json_each(nodes.domain_scores) d GROUP BY d.key ORDER BY d.key`),
    trend: db.prepare<[string], { day: string; score: number }>('SELECT day, score_sum / nodes AS score FROM fleet_daily_scores WHERE day >= ? AND nodes > 0 ORDER BY day'),
    worst: db.prepare<[number], NodeRow>('SELECT id, hostname, score, grade, coverage, last_seen, offline_since FROM nodes WHERE score IS NOT NULL ORDER BY score, hostname LIMIT ?'),
    unscored: db.prepare<[number], NodeRow>('SELECT id, hostname, score, grade, coverage, last_seen, offline_since FROM nodes WHERE score IS NULL ORDER BY hostname LIMIT ?'),
    offline: db.prepare<[number], NodeRow>('SELECT id, hostname, score, grade, coverage, last_seen, offline_since FROM nodes WHERE offline_since IS NOT NULL ORDER BY offline_since LIMIT ?'),
    open: db.prepare<[], { severity: Severity; n: number }>("SELECT severity, count(*) AS n FROM finding_lifecycle WHERE state = 'open' AND last_status = 'fail' GROUP BY severity"),
    newFailures: db.prepare<[string, number], FindingRow>(`SELECT ${findingColumns} WHERE l.state = 'open' AND l.failing_since >= ? ORDER BY l.failing_since DESC LIMIT ?`),
    resolved: db.prepare<[string, number], FindingRow>(`SELECT ${findingColumns} WHERE l.state = 'resolved' AND l.resolved_at >= ? ORDER BY l.resolved_at DESC LIMIT ?`),
    overdueCount: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM finding_lifecycle WHERE state = 'open' AND sla_due < ? AND last_status = 'fail'"),
    overdue: db.prepare<[string, number], FindingRow>(`SELECT ${findingColumns} WHERE l.state = 'open' AND l.last_status = 'fail' AND l.sla_due < ? ORDER BY l.sla_due LIMIT ?`),
    certificates: db.prepare<[string, string, number], FindingRow>(
      `SELECT ${findingColumns} WHERE l.rule IN (?, ?) AND +l.last_status = 'fail' ORDER BY (l.rule = 'tls.cert.expired') DESC, n.hostname LIMIT ?`,
    ),
  }

  return function overview(now: Date, days: number): FleetOverview {
    const fleet = s.fleet.get()!
    const grades: FleetOverview['grades'] = { A: 0, B: 0, C: 0, D: 0, F: 0, none: 0 }
    for (const row of s.grades.all()) {
      const g = gradeSchema.safeParse(row.grade)
      grades[g.success && g.data ? g.data : 'none'] += row.n
    }
    const fleetScore = fleet.score === null ? null : round(fleet.score, 1)
    const openFailures = Object.fromEntries(severities.map((sev) => [sev, 0])) as Record<Severity, number>
    for (const row of s.open.all()) openFailures[row.severity] = row.n
    const to = now.toISOString().slice(0, 10)
    const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10)
    const since = new Date(now.getTime() - changesWindowMs).toISOString()
    const worst = s.worst.all(listLimit)
    return {
      generatedAt: now.toISOString(),
      fleet: {
        score: fleetScore,
        // The fleet's grade is its mean score's; critical caps apply per node, where they are shown.
        grade: grade(fleetScore, false, policy),
        coverage: fleet.coverage === null ? null : round(fleet.coverage, 3),
        nodes: fleet.nodes,
        scoredNodes: fleet.scored,
        offline: fleet.offline,
      },
      grades,
      domains: s.domains.all().map((d) => {
        const score = d.score === null ? null : round(d.score, 1)
        return { domain: d.domain, score, grade: grade(score, false, policy), nodes: d.nodes }
      }),
      trend: { from, to, points: s.trend.all(from).map((p) => ({ day: p.day, score: round(p.score, 1) })) },
      worstNodes: [...worst, ...(worst.length < listLimit ? s.unscored.all(listLimit - worst.length) : [])].map(toNode),
      openFailures,
      newFailures: s.newFailures.all(since, listLimit).map(toFinding),
      resolved: s.resolved.all(since, listLimit).map(toFinding),
      offline: s.offline.all(listLimit).map(toNode),
      overdue: { count: s.overdueCount.get(now.toISOString())?.n ?? 0, items: s.overdue.all(now.toISOString(), listLimit).map(toFinding) },
      certificates: s.certificates.all(certificateRules[0]!, certificateRules[1]!, listLimit).map(toFinding),
    }
  }
}

function toNode(row: NodeRow): OverviewNode {
  return { id: row.id, hostname: row.hostname, score: row.score, grade: gradeSchema.parse(row.grade), coverage: row.coverage, lastSeen: row.last_seen, offlineSince: row.offline_since }
}

function toFinding(row: FindingRow): OverviewFinding {
  return {
    nodeId: row.node_id,
    hostname: row.hostname,
    rule: row.rule,
    title: row.title ?? row.rule,
    target: row.target,
    severity: row.severity,
    status: row.last_status,
    message: row.message ?? '',
    failingSince: row.failing_since,
    slaDue: row.sla_due,
    resolvedAt: row.resolved_at,
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
