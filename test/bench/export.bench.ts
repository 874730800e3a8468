import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteAuditLog } from '../../collector/audit/sqlite-audit-log.js'
import { runExport } from '../../collector/evidence/run-export.js'
import { SqliteEvidenceSource } from '../../collector/evidence/sqlite-evidence-source.js'
import { SqliteManualEvidence } from '../../collector/evidence/sqlite-manual-evidence.js'
import { openDatabase } from '../../collector/store/sqlite-open.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { verifyEvidenceArchive } from '../../collector/evidence/verify-archive.js'

/**
 * Evidence export at fleet scale (issue 11): a year of daily scans of 1,000 nodes, written
 * straight into a collector database, then exported for SOC 2 and verified. Prints the
 * export's time and peak memory (RSS sampled during the export, and the heap), the
 * archive's size, and the verification time. The export streams: peak memory should stay
 * flat however many scans the window holds. POSTURE_BENCH_NODES / _DAYS / _FINDINGS scale it.
 */
const nodes = Number(process.env.POSTURE_BENCH_NODES ?? 1000)
const days = Number(process.env.POSTURE_BENCH_DAYS ?? 365)
const findingsPerScan = Number(process.env.POSTURE_BENCH_FINDINGS ?? 12)
const start = Date.parse('2025-01-01T00:00:00Z')

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'posture-bench-export-'))
  try {
    const ruleSet = loadRuleSet()
    const rules = ruleSet.rules.filter((r) => (r.spec.controls.soc2 ?? []).length > 0).slice(0, findingsPerScan)
    const db = openDatabase(join(dir, 'posture.db'), { synchronous: 'normal' })
    const generated = performance.now()
    const insertNode = db.prepare("INSERT INTO nodes (id, hostname, labels, first_seen, last_seen) VALUES (?, ?, '{\"env\":\"prod\"}', ?, ?)")
    const insertScan = db.prepare(`INSERT INTO scans (scan_id, node_id, kind, source, posture_version, rules_version, domains, started_at, finished_at, received_at, score, grade, coverage, score_json)
      VALUES (?, ?, 'scan', 'agent', '0.1.0', ?, '[]', ?, ?, ?, ?, 'B', 1, ?)`)
    const insertFinding = db.prepare('INSERT INTO findings (scan_pk, rule, target, domain, severity, status, message, evidence, waiver) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)')
    for (let n = 0; n < nodes; n++) {
      db.transaction(() => {
        const id = `node-${String(n).padStart(5, '0')}`
        insertNode.run(id, `${id}.dc1.example.net`, new Date(start).toISOString(), new Date(start).toISOString())
        for (let d = 0; d < days; d++) {
          const at = new Date(start + d * 86_400_000 + (n % 3600) * 1000).toISOString()
          const pk = Number(insertScan.run(`${id}-${d}`, id, ruleSet.version, at, at, at, 82.5, '{"scoreWithoutWaivers":80}').lastInsertRowid)
          rules.forEach((rule, i) => {
            // A few nodes fail a few rules for stretches of the year.
            const failing = (n + i) % 17 === 0 && Math.floor(d / 30) % 2 === 0
            insertFinding.run(pk, rule.spec.id, '', rule.spec.domain, rule.spec.severity, failing ? 'fail' : 'pass', failing ? `${rule.spec.title}: not so` : '', `{"observed":${failing ? 'false' : 'true'},"source":"bench"}`)
          })
        }
      })()
    }
    const generatedSeconds = (performance.now() - generated) / 1000
    console.log(`bench: export.setup ${generatedSeconds.toFixed(1)} s (${nodes} nodes × ${days} daily scans × ${findingsPerScan} findings = ${(nodes * days * findingsPerScan).toLocaleString('en')} findings; database ${(statSync(join(dir, 'posture.db')).size / 1e6).toFixed(0)} MB)`)

    global.gc?.()
    const baseline = process.memoryUsage()
    let peakRss = baseline.rss
    let peakHeap = baseline.heapUsed
    const sampler = setInterval(() => {
      const m = process.memoryUsage()
      peakRss = Math.max(peakRss, m.rss)
      peakHeap = Math.max(peakHeap, m.heapUsed)
    }, 20)
    const out = join(dir, 'soc2-year.zip')
    const began = performance.now()
    const manifest = await runExport(
      { source: new SqliteEvidenceSource(db, new SqliteManualEvidence(db, dir), new SqliteAuditLog(db)), dataDir: dir, ruleSet, collectorVersion: '0.1.0', audit: new SqliteAuditLog(db), now: new Date() },
      { framework: 'soc2', window: { from: new Date(start), to: new Date(start + days * 86_400_000) }, labels: {}, exportedBy: 'bench', ip: null, out },
    )
    const seconds = (performance.now() - began) / 1000
    clearInterval(sampler)
    const findings = manifest.counts.findings
    console.log(`bench: export.time ${seconds.toFixed(1)} s (${manifest.counts.scans.toLocaleString('en')} scans, ${findings.toLocaleString('en')} findings, ${Math.round(findings / seconds).toLocaleString('en')} findings/s; archive ${(statSync(out).size / 1e6).toFixed(1)} MB)`)
    console.log(`bench: export.peak-rss ${(peakRss / 1e6).toFixed(0)} MB (baseline before the export ${(baseline.rss / 1e6).toFixed(0)} MB, +${((peakRss - baseline.rss) / 1e6).toFixed(0)} MB)`)
    console.log(`bench: export.peak-heap ${(peakHeap / 1e6).toFixed(0)} MB (baseline ${(baseline.heapUsed / 1e6).toFixed(0)} MB)`)
    const verifyStart = performance.now()
    const verdict = await verifyEvidenceArchive(out)
    if (!verdict.ok) throw new Error(`the exported archive does not verify: ${JSON.stringify(verdict.problems)}`)
    console.log(`bench: export.verify ${((performance.now() - verifyStart) / 1000).toFixed(1)} s (${verdict.filesChecked} files)`)
    db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
