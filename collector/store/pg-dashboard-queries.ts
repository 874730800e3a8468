import { z } from 'zod'
import { grade, type Grade, type ScoringPolicy } from '../../rules/scoring.js'
import { severities, type Severity } from '../../rules/severity.js'
import type { FleetOverview, OverviewFinding, OverviewNode } from '../http/routes/overview-types.js'
import type { ComplianceView } from '../http/routes/rules-types.js'
import { complianceView, type RuleNodeRow } from './compliance-view.js'
import type { DashboardQueries } from './dashboard-queries.js'
import { explorerConditions } from './finding-conditions.js'
import { explorerPageSql, type ExplorerFilter } from './sqlite-explorer.js'
import { positionalParameters } from './sql-parameters.js'
import { toFleetFinding, type FleetFindingRow } from './store-rows.js'
import type { FleetFinding } from './store.js'
import type { PgPool } from './pg/pg-pool.js'

/**
 * The dashboard's read queries on PostgreSQL: the same overview, explorer and compliance
 * answers as sqlite-overview.ts, sqlite-explorer.ts and sqlite-compliance.ts, over the same
 * tables and read-model indexes (pg-schema-subsystems.ts). JSON columns are text in both
 * schemas; here they are read with `::jsonb`. Keep in step with the SQLite files.
 */
const listLimit = 10
const changesWindowMs = 7 * 86_400_000
const certificateRules = ['tls.cert.expired', 'tls.cert.expiring']
const gradeSchema = z.enum(['A', 'B', 'C', 'D', 'F']).nullable()

interface NodeRow { id: string; hostname: string; score: number | null; grade: Grade | null; coverage: number | null; last_seen: string; offline_since: string | null }
interface OverviewRow {
  node_id: string; hostname: string; rule: string; title: string | null; target: string; severity: Severity; last_status: string; message: string | null
  failing_since: string | null; sla_due: string | null; resolved_at: string | null
}

const findingColumns = `l.node_id, n.hostname, l.rule, m.title, l.target, l.severity, l.last_status, f.message, l.failing_since, l.sla_due, l.resolved_at
  FROM finding_lifecycle l JOIN nodes n ON n.id = l.node_id
  LEFT JOIN rule_meta m ON m.rule = l.rule
  LEFT JOIN findings f ON f.scan_pk = n.last_scan_pk AND f.rule = l.rule AND f.target = l.target`
const nodeColumns = 'id, hostname, score, grade, coverage, last_seen, offline_since'

export function pgDashboardQueries(pool: PgPool, policy: ScoringPolicy): DashboardQueries {
  const rows = async <T extends object>(sql: string, params: unknown[] = []) => (await pool.query<T>(sql, params)).rows

  return {
    async overview(now, days) {
      const to = now.toISOString().slice(0, 10)
      const from = new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10)
      const since = new Date(now.getTime() - changesWindowMs).toISOString()
      const at = now.toISOString()
      const [fleetRows, gradeRows, domainRows, trend, worst, open, newFailures, resolved, offline, overdueCount, overdue, certificates] = await Promise.all([
        rows<{ nodes: number; scored: number; score: number | null; coverage: number | null; offline: number }>(
          'SELECT count(*) AS nodes, count(score) AS scored, avg(score) AS score, avg(coverage) AS coverage, count(offline_since) AS offline FROM nodes'),
        rows<{ grade: string | null; n: number }>('SELECT grade, count(*) AS n FROM nodes GROUP BY grade'),
        rows<{ domain: string; score: number | null; nodes: number }>(`
          SELECT d.key AS domain, avg(CAST(d.value ->> 'score' AS double precision)) AS score, count(d.value ->> 'score') AS nodes
          FROM nodes, jsonb_each(CAST(nodes.domain_scores AS jsonb)) d GROUP BY d.key ORDER BY d.key COLLATE "C"`),
        rows<{ day: string; score: number }>('SELECT day, score_sum / nodes AS score FROM fleet_daily_scores WHERE day >= $1 AND nodes > 0 ORDER BY day', [from]),
        rows<NodeRow>(`SELECT ${nodeColumns} FROM nodes WHERE score IS NOT NULL ORDER BY score, hostname LIMIT $1`, [listLimit]),
        rows<{ severity: Severity; n: number }>("SELECT severity, count(*) AS n FROM finding_lifecycle WHERE state = 'open' AND last_status = 'fail' GROUP BY severity"),
        rows<OverviewRow>(`SELECT ${findingColumns} WHERE l.state = 'open' AND l.failing_since >= $1 ORDER BY l.failing_since DESC LIMIT $2`, [since, listLimit]),
        rows<OverviewRow>(`SELECT ${findingColumns} WHERE l.state = 'resolved' AND l.resolved_at >= $1 ORDER BY l.resolved_at DESC LIMIT $2`, [since, listLimit]),
        rows<NodeRow>(`SELECT ${nodeColumns} FROM nodes WHERE offline_since IS NOT NULL ORDER BY offline_since LIMIT $1`, [listLimit]),
        rows<{ n: number }>("SELECT count(*) AS n FROM finding_lifecycle WHERE state = 'open' AND sla_due < $1 AND last_status = 'fail'", [at]),
        rows<OverviewRow>(`SELECT ${findingColumns} WHERE l.state = 'open' AND l.last_status = 'fail' AND l.sla_due < $1 ORDER BY l.sla_due LIMIT $2`, [at, listLimit]),
        rows<OverviewRow>(
          `SELECT ${findingColumns} WHERE l.rule IN ($1, $2) AND l.last_status = 'fail' ORDER BY (l.rule = 'tls.cert.expired') DESC, n.hostname LIMIT $3`,
          [certificateRules[0], certificateRules[1], listLimit],
        ),
      ])
      const unscored = worst.length < listLimit
        ? await rows<NodeRow>(`SELECT ${nodeColumns} FROM nodes WHERE score IS NULL ORDER BY hostname LIMIT $1`, [listLimit - worst.length])
        : []
      const fleet = fleetRows[0]!
      const grades: FleetOverview['grades'] = { A: 0, B: 0, C: 0, D: 0, F: 0, none: 0 }
      for (const row of gradeRows) {
        const g = gradeSchema.safeParse(row.grade)
        grades[g.success && g.data ? g.data : 'none'] += Number(row.n)
      }
      const fleetScore = fleet.score === null ? null : round(fleet.score, 1)
      const openFailures = Object.fromEntries(severities.map((sev) => [sev, 0])) as Record<Severity, number>
      for (const row of open) openFailures[row.severity] = Number(row.n)
      return {
        generatedAt: at,
        fleet: {
          score: fleetScore,
          grade: grade(fleetScore, false, policy),
          coverage: fleet.coverage === null ? null : round(fleet.coverage, 3),
          nodes: Number(fleet.nodes),
          scoredNodes: Number(fleet.scored),
          offline: Number(fleet.offline),
        },
        grades,
        domains: domainRows.map((d) => {
          const score = d.score === null ? null : round(d.score, 1)
          return { domain: d.domain, score, grade: grade(score, false, policy), nodes: Number(d.nodes) }
        }),
        trend: { from, to, points: trend.map((p) => ({ day: p.day, score: round(p.score, 1) })) },
        worstNodes: [...worst, ...unscored].map(toNode),
        openFailures,
        newFailures: newFailures.map(toOverviewFinding),
        resolved: resolved.map(toOverviewFinding),
        offline: offline.map(toNode),
        overdue: { count: Number(overdueCount[0]?.n ?? 0), items: overdue.map(toOverviewFinding) },
        certificates: certificates.map(toOverviewFinding),
      }
    },

    async explore(filter: ExplorerFilter): Promise<FleetFinding[]> {
      const { values: params, add: p } = positionalParameters()
      const where = explorerConditions(filter, p)
      if (filter.rule?.endsWith('.')) where.push(`l.rule >= ${p(filter.rule)} AND l.rule < ${p(filter.rule.slice(0, -1) + '/')}`)
      const sql = explorerPageSql(`finding_lifecycle l WHERE ${where.join(' AND ')}`, filter.sort, p(filter.limit), p(filter.offset))
      return (await rows<FleetFindingRow>(sql, params)).map(toFleetFinding)
    },

    async compliance(framework, catalogue): Promise<ComplianceView> {
      const [perRule, meta] = await Promise.all([
        rows<RuleNodeRow>(`
          SELECT rule, node_id, max(CASE WHEN last_status = 'fail' THEN 1 ELSE 0 END) AS failing FROM finding_lifecycle
          WHERE last_status IN ('pass', 'fail', 'waived') GROUP BY rule, node_id`),
        rows<{ rule: string; controls: string }>('SELECT rule, controls FROM rule_meta'),
      ])
      return complianceView(framework, catalogue, meta, perRule)
    },
  }
}

function toNode(row: NodeRow): OverviewNode {
  return { id: row.id, hostname: row.hostname, score: row.score, grade: gradeSchema.parse(row.grade), coverage: row.coverage, lastSeen: row.last_seen, offlineSince: row.offline_since }
}

function toOverviewFinding(row: OverviewRow): OverviewFinding {
  return {
    nodeId: row.node_id, hostname: row.hostname, rule: row.rule, title: row.title ?? row.rule, target: row.target, severity: row.severity, status: row.last_status,
    message: row.message ?? '', failingSince: row.failing_since, slaDue: row.sla_due, resolvedAt: row.resolved_at,
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
