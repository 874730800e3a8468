import { createHash } from 'node:crypto'
import type { Finding } from '../../rules/finding.js'
import type { ScoringPolicy } from '../../rules/scoring.js'
import { errorMessage } from '../../rules/posture-error.js'
import { lifecycleKey, nextLifecycle, observationDigest, observe, type Lifecycle } from './lifecycle.js'
import type { Db } from './sqlite-open.js'
import { lifecycleFromRow, type LifecycleRow } from './store-rows.js'
import type { IngestItem, IngestResult } from './store.js'

/**
 * Writes reports: node, scan, findings, lifecycle and the node's current score, each report
 * in its own savepoint inside one transaction per batch (one commit for many reports is
 * what lets thousands of agents be acked quickly). Idempotent on scanId.
 */
export function prepareIngest(db: Db, policy: ScoringPolicy) {
  const statements = {
    scanExists: db.prepare<[string], { pk: number }>('SELECT pk FROM scans WHERE scan_id = ?'),
    upsertNodeFromScan: db.prepare(`
      INSERT INTO nodes (id, hostname, os, kernel, arch, labels, agent_id, agent_version, first_seen, last_seen)
      VALUES (@id, @hostname, @os, @kernel, @arch, @labels, @agentId, @agentVersion, @at, @at)
      ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, os = excluded.os, kernel = excluded.kernel,
        arch = excluded.arch, labels = excluded.labels, agent_id = coalesce(excluded.agent_id, agent_id),
        agent_version = coalesce(excluded.agent_version, agent_version), last_seen = excluded.last_seen, offline_since = NULL`),
    nodeLatest: db.prepare<[string], { last_scan_at: string | null; lifecycle_digest: string | null }>('SELECT last_scan_at, lifecycle_digest FROM nodes WHERE id = ?'),
    ruleMeta: db.prepare(`
      INSERT INTO rule_meta (rule, title, remediation, controls) VALUES (?, ?, ?, ?)
      ON CONFLICT (rule) DO UPDATE SET title = excluded.title, remediation = excluded.remediation, controls = excluded.controls`),
    insertScan: db.prepare(`
      INSERT INTO scans (scan_id, node_id, agent_id, kind, seq, source, posture_version, rules_version, agent_rules_version,
        domains, started_at, finished_at, received_at, score, grade, coverage, score_json, facts, fact_errors)
      VALUES (@scanId, @nodeId, @agentId, @kind, @seq, @source, @postureVersion, @rulesVersion, @agentRulesVersion,
        @domains, @startedAt, @finishedAt, @receivedAt, @score, @grade, @coverage, @scoreJson, @facts, @factErrors)`),
    insertReadSet: db.prepare('INSERT INTO read_sets (digest, reads) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING'),
    insertScanReads: db.prepare('INSERT INTO scan_reads (scan_pk, digest) VALUES (?, ?)'),
    insertFinding: db.prepare(`
      INSERT INTO findings (scan_pk, rule, target, domain, severity, status, message, evidence, waiver)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    lifecycleOf: db.prepare<[string], LifecycleRow>('SELECT * FROM finding_lifecycle WHERE node_id = ?'),
    upsertLifecycle: db.prepare(`
      INSERT INTO finding_lifecycle (node_id, rule, target, domain, severity, state, last_status, first_seen, last_changed,
        failing_since, sla_due, resolved_at, reopened_count)
      VALUES (@nodeId, @rule, @target, @domain, @severity, @state, @lastStatus, @firstSeen, @lastChanged,
        @failingSince, @slaDue, @resolvedAt, @reopenedCount)
      ON CONFLICT (node_id, rule, target) DO UPDATE SET domain = excluded.domain, severity = excluded.severity,
        state = excluded.state, last_status = excluded.last_status, last_changed = excluded.last_changed,
        failing_since = excluded.failing_since, sla_due = excluded.sla_due, resolved_at = excluded.resolved_at,
        reopened_count = excluded.reopened_count`),
    setNodeScore: db.prepare(`
      UPDATE nodes SET last_scan_pk = @pk, last_scan_at = @at, scored_with = @scoredWith, score = @score, grade = @grade,
        coverage = @coverage, domain_scores = @domainScores, lifecycle_digest = @lifecycleDigest WHERE id = @nodeId`),
  }
  // Rule titles and remediation repeat in every report; write them only when they change.
  const metaSeen = new Map<string, string>()
  // Cached only once the batch commits: a rolled-back savepoint must not leave a stale entry.
  let metaPending: [string, string][] = []

  const storeOne = db.transaction((item: IngestItem): IngestResult => {
    const { report } = item
    if (statements.scanExists.get(report.scanId)) return { status: 'duplicate' }
    const at = item.receivedAt.toISOString()
    if (item.kind === 'scan') {
      statements.upsertNodeFromScan.run({
        id: report.node.id,
        hostname: report.node.hostname,
        os: report.node.os,
        kernel: report.node.kernel,
        arch: report.node.arch,
        labels: JSON.stringify(item.labels),
        agentId: item.agentId,
        agentVersion: item.agentVersion,
        at,
      })
    }
    for (const f of report.findings) {
      const meta = `${f.title}\0${f.remediation}\0${JSON.stringify(f.controls)}`
      if (metaSeen.get(f.rule) === meta) continue
      statements.ruleMeta.run(f.rule, f.title, f.remediation, JSON.stringify(f.controls))
      metaPending.push([f.rule, meta])
    }
    const { score } = report
    const pk = Number(
      statements.insertScan.run({
        scanId: report.scanId,
        nodeId: report.node.id,
        agentId: item.agentId,
        kind: item.kind,
        seq: item.seq,
        source: report.source,
        postureVersion: report.postureVersion,
        rulesVersion: report.rulesVersion,
        agentRulesVersion: item.agentRulesVersion,
        domains: JSON.stringify(report.domains),
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        receivedAt: at,
        score: score.score,
        grade: score.grade,
        coverage: score.coverage,
        scoreJson: JSON.stringify(score),
        facts: JSON.stringify(report.facts),
        factErrors: JSON.stringify(report.factErrors),
      }).lastInsertRowid,
    )
    if (report.reads) {
      const reads = JSON.stringify(report.reads)
      const digest = createHash('sha256').update(reads).digest('hex')
      statements.insertReadSet.run(digest, reads)
      statements.insertScanReads.run(pk, digest)
    }
    for (const f of report.findings) {
      statements.insertFinding.run(
        pk, f.rule, f.target, f.domain, f.severity, f.status, f.message,
        f.evidence === undefined ? null : JSON.stringify(f.evidence),
        f.waiver ? JSON.stringify(f.waiver) : null,
      )
    }
    // Only the newest scan moves the node's current state; a late, older one is history.
    const node = statements.nodeLatest.get(report.node.id)
    const latest = node?.last_scan_at ?? null
    if (latest !== null && latest > report.finishedAt) return { status: 'stored', scanPk: pk }
    // The same observations as the last update change no lifecycle row (observationDigest).
    const lifecycleDigest = observationDigest(report.findings, report.domains)
    if (node?.lifecycle_digest !== lifecycleDigest) updateLifecycle(report.node.id, report.findings, report.domains, new Date(report.finishedAt))
    statements.setNodeScore.run({
      pk,
      at: report.finishedAt,
      scoredWith: item.scoredWith,
      score: score.score,
      grade: score.grade,
      coverage: score.coverage,
      domainScores: JSON.stringify(Object.fromEntries(Object.entries(score.domains).map(([d, s]) => [d, { score: s.score, grade: s.grade, coverage: s.coverage }]))),
      nodeId: report.node.id,
      lifecycleDigest,
    })
    return { status: 'stored', scanPk: pk }
  })

  function updateLifecycle(nodeId: string, findings: readonly Finding[], domains: readonly string[], at: Date): void {
    const known = new Map<string, Lifecycle & { domain: string }>()
    for (const row of statements.lifecycleOf.all(nodeId)) known.set(lifecycleKey(row.rule, row.target), lifecycleFromRow(row))
    for (const [key, seen] of observe(findings, known, domains, at)) {
      const next = nextLifecycle(known.get(key), seen, policy)
      if (!next) continue
      statements.upsertLifecycle.run({ nodeId, rule: seen.rule, target: seen.target, domain: seen.domain, ...next })
    }
  }

  const batch = db.transaction((items: readonly IngestItem[]): IngestResult[] => {
    const committed: [string, string][] = []
    const results = items.map((item): IngestResult => {
      metaPending = []
      try {
        const result = storeOne(item)
        committed.push(...metaPending)
        return result
      } catch (err) {
        // The savepoint rolled this report back; the others in the batch still commit.
        return { status: 'failed', error: errorMessage(err) }
      }
    })
    metaPending = committed
    return results
  })
  function storeBatch(items: readonly IngestItem[]): IngestResult[] {
    metaPending = []
    const results = batch(items)
    for (const [rule, meta] of metaPending) metaSeen.set(rule, meta)
    metaPending = []
    return results
  }
  return { storeBatch }
}
