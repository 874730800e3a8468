import { createHash } from 'node:crypto'
import type { Finding } from '../../../rules/finding.js'
import { errorMessage } from '../../../rules/posture-error.js'
import type { ScoringPolicy } from '../../../rules/scoring.js'
import { lifecycleKey, nextLifecycle, observationDigest, observe, type Lifecycle } from '../lifecycle.js'
import type { IngestItem, IngestResult } from '../store.js'
import { pgAdvisoryLocks } from './pg-advisory-locks.js'
import { lifecycleFromRow, type LifecycleRow } from '../store-rows.js'
import type { PgClient, PgPool } from './pg-pool.js'
import { withPgTransaction } from './pg-transaction.js'

/**
 * Writes reports to PostgreSQL with the SQLite store's semantics (sqlite-ingest.ts): node,
 * scan, findings, lifecycle and the node's current score, each report in its own savepoint
 * inside one transaction per batch. Idempotent on scanId even across collectors: the scan
 * row is inserted with `ON CONFLICT (scan_id) DO NOTHING` against its unique constraint,
 * and a report that turns out to be a duplicate rolls its savepoint back, so a report
 * delivered twice — through two collectors at the same moment — is stored once.
 *
 * Batches take a transaction-level advisory lock: batches from every collector commit one
 * at a time. Each batch touches shared rows (the day's `fleet_daily_scores` row through the
 * scans trigger, node rows, lifecycle rows) in an order the reports dictate; without the
 * lock, two collectors' batches deadlock. One writer at a time is what SQLite does too;
 * a batch of many reports still costs one commit.
 */
export function createPgIngest(pool: PgPool, policy: ScoringPolicy) {
  // Rule titles and remediation repeat in every report; write them only when they change.
  const metaSeen = new Map<string, string>()

  async function writeRuleMeta(items: readonly IngestItem[]): Promise<void> {
    const changed = new Map<string, { meta: string; title: string; remediation: string; controls: string }>()
    for (const item of items) {
      for (const f of item.report.findings) {
        const meta = `${f.title}\0${f.remediation}\0${JSON.stringify(f.controls)}`
        if (metaSeen.get(f.rule) !== meta) changed.set(f.rule, { meta, title: f.title, remediation: f.remediation, controls: JSON.stringify(f.controls) })
      }
    }
    if (changed.size === 0) return
    // Outside the batch transaction, in rule order: an upsert of descriptive rows that holds no lock past its own commit.
    const rules = [...changed.keys()].sort()
    await pool.query(
      `INSERT INTO rule_meta (rule, title, remediation, controls)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (rule) DO UPDATE SET title = excluded.title, remediation = excluded.remediation, controls = excluded.controls`,
      [rules, rules.map((r) => changed.get(r)!.title), rules.map((r) => changed.get(r)!.remediation), rules.map((r) => changed.get(r)!.controls)],
    )
    for (const rule of rules) metaSeen.set(rule, changed.get(rule)!.meta)
  }

  async function storeOne(client: PgClient, item: IngestItem): Promise<IngestResult> {
    const { report } = item
    const seen = await client.query('SELECT 1 FROM scans WHERE scan_id = $1', [report.scanId])
    if (seen.rowCount) return { status: 'duplicate' }
    const at = item.receivedAt.toISOString()
    if (item.kind === 'scan') {
      await client.query(
        `INSERT INTO nodes (id, hostname, os, kernel, arch, labels, agent_id, agent_version, first_seen, last_seen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, kernel = excluded.kernel,
           arch = excluded.arch, labels = excluded.labels, agent_id = coalesce(excluded.agent_id, nodes.agent_id),
           agent_version = coalesce(excluded.agent_version, nodes.agent_version), last_seen = excluded.last_seen, offline_since = NULL`,
        [report.node.id, report.node.hostname, report.node.os, report.node.kernel, report.node.arch, JSON.stringify(item.labels), item.agentId, item.agentVersion, at],
      )
    }
    const { score } = report
    const inserted = await client.query<{ pk: number }>(
      `INSERT INTO scans (scan_id, node_id, agent_id, kind, seq, source, posture_version, rules_version, agent_rules_version,
         domains, started_at, finished_at, received_at, score, grade, coverage, score_json, facts, fact_errors)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
       ON CONFLICT (scan_id) DO NOTHING RETURNING pk`,
      [
        report.scanId, report.node.id, item.agentId, item.kind, item.seq, report.source, report.postureVersion, report.rulesVersion,
        item.agentRulesVersion, JSON.stringify(report.domains), report.startedAt, report.finishedAt, at, score.score, score.grade,
        score.coverage, JSON.stringify(score), JSON.stringify(report.facts), JSON.stringify(report.factErrors),
      ],
    )
    const pk = inserted.rows[0]?.pk
    // Stored meanwhile by someone else (another collector): the caller rolls this report's savepoint back.
    if (pk === undefined) return { status: 'duplicate' }
    if (report.reads) {
      const reads = JSON.stringify(report.reads)
      const digest = createHash('sha256').update(reads).digest('hex')
      await client.query('INSERT INTO read_sets (digest, reads) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING', [digest, reads])
      await client.query('INSERT INTO scan_reads (scan_pk, digest) VALUES ($1, $2)', [pk, digest])
    }
    if (report.findings.length > 0) {
      const f = report.findings
      await client.query(
        `INSERT INTO findings (scan_pk, rule, target, domain, severity, status, message, evidence, waiver)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
        [
          pk, f.map((x) => x.rule), f.map((x) => x.target), f.map((x) => x.domain), f.map((x) => x.severity), f.map((x) => x.status), f.map((x) => x.message),
          f.map((x) => (x.evidence === undefined ? null : JSON.stringify(x.evidence))), f.map((x) => (x.waiver ? JSON.stringify(x.waiver) : null)),
        ],
      )
    }
    // Only the newest scan moves the node's current state; a late, older one is history.
    const node = (await client.query<{ last_scan_at: string | null; lifecycle_digest: string | null }>('SELECT last_scan_at, lifecycle_digest FROM nodes WHERE id = $1 FOR UPDATE', [report.node.id])).rows[0]
    const latest = node?.last_scan_at ?? null
    if (latest !== null && latest > report.finishedAt) return { status: 'stored', scanPk: pk }
    // The same observations as the last update change no lifecycle row (observationDigest).
    const lifecycleDigest = observationDigest(report.findings, report.domains)
    if (node?.lifecycle_digest !== lifecycleDigest) await updateLifecycle(client, report.node.id, report.findings, report.domains, new Date(report.finishedAt))
    await client.query(
      `UPDATE nodes SET last_scan_pk = $1, last_scan_at = $2, scored_with = $3, score = $4, grade = $5, coverage = $6, domain_scores = $7, lifecycle_digest = $9 WHERE id = $8`,
      [
        pk, report.finishedAt, item.scoredWith, score.score, score.grade, score.coverage,
        JSON.stringify(Object.fromEntries(Object.entries(score.domains).map(([d, s]) => [d, { score: s.score, grade: s.grade, coverage: s.coverage }]))),
        report.node.id,
        lifecycleDigest,
      ],
    )
    return { status: 'stored', scanPk: pk }
  }

  async function updateLifecycle(client: PgClient, nodeId: string, findings: readonly Finding[], domains: readonly string[], at: Date): Promise<void> {
    const known = new Map<string, Lifecycle & { domain: string }>()
    const { rows } = await client.query<LifecycleRow>('SELECT * FROM finding_lifecycle WHERE node_id = $1', [nodeId])
    for (const row of rows) known.set(lifecycleKey(row.rule, row.target), lifecycleFromRow(row))
    const changes: (Lifecycle & { rule: string; target: string; domain: string })[] = []
    for (const [key, seen] of observe(findings, known, domains, at)) {
      const next = nextLifecycle(known.get(key), seen, policy)
      if (next) changes.push({ rule: seen.rule, target: seen.target, domain: seen.domain, ...next })
    }
    if (changes.length === 0) return
    const column = <K extends keyof (typeof changes)[number]>(key: K) => changes.map((c) => c[key])
    await client.query(
      `INSERT INTO finding_lifecycle (node_id, rule, target, domain, severity, state, last_status, first_seen, last_changed,
         failing_since, sla_due, resolved_at, reopened_count)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
         $10::text[], $11::text[], $12::text[], $13::bigint[])
       ON CONFLICT (node_id, rule, target) DO UPDATE SET domain = excluded.domain, severity = excluded.severity,
         state = excluded.state, last_status = excluded.last_status, last_changed = excluded.last_changed,
         failing_since = excluded.failing_since, sla_due = excluded.sla_due, resolved_at = excluded.resolved_at,
         reopened_count = excluded.reopened_count`,
      [
        nodeId, column('rule'), column('target'), column('domain'), column('severity'), column('state'), column('lastStatus'), column('firstSeen'),
        column('lastChanged'), column('failingSince'), column('slaDue'), column('resolvedAt'), column('reopenedCount'),
      ],
    )
  }

  async function storeBatch(items: readonly IngestItem[]): Promise<IngestResult[]> {
    if (items.length === 0) return []
    await writeRuleMeta(items)
    return withPgTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [pgAdvisoryLocks.ingest])
      const results: IngestResult[] = []
      for (const item of items) {
        await client.query('SAVEPOINT ingest_report')
        let result: IngestResult
        try {
          result = await storeOne(client, item)
        } catch (err) {
          // This report's writes are rolled back; the others in the batch still commit.
          result = { status: 'failed', error: errorMessage(err) }
        }
        // A duplicate found at the scan insert may have touched its node first: undo that too.
        await client.query(result.status === 'stored' ? 'RELEASE SAVEPOINT ingest_report' : 'ROLLBACK TO SAVEPOINT ingest_report')
        results.push(result)
      }
      return results
    })
  }

  return { storeBatch }
}
