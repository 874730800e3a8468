import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runExport } from '../../../../collector/evidence/run-export.js'
import { verifyEvidenceArchive } from '../../../../collector/evidence/verify-archive.js'
import { loadRuleSet, type RuleSet } from '../../../../rules/load-rules.js'
import { fakeReport } from '../../../integration/collector-fixtures.js'
import type { BackendUnderTest, OpenBackend } from '../store/backend-under-test.js'

/**
 * Evidence on a backend: manual evidence (rows and bytes), the evidence source an export
 * streams from, and a whole signed export that verifies. Run on SQLite
 * (evidence-backend.test.ts) and PostgreSQL (test/integration/pg-backend.test.ts).
 */
export function describeEvidenceBackendContract(backendName: string, open: OpenBackend, options: { skip?: boolean } = {}): void {
  describe.skipIf(options.skip ?? false)(`evidence contract: ${backendName}`, () => {
    let subject: BackendUnderTest
    let ruleSet: RuleSet
    let dir: string
    const day = (d: number, h = 10) => new Date(Date.UTC(2026, 2, d, h))
    beforeAll(() => {
      ruleSet = loadRuleSet()
    })
    beforeEach(async () => {
      subject = await open({ clock: () => day(3) })
      dir = mkdtempSync(join(tmpdir(), 'posture-evidence-contract-'))
    })
    afterEach(async () => {
      await subject?.close()
      rmSync(dir, { recursive: true, force: true })
    })

    async function ingest(hostname: string, synchronized: boolean, at: Date, labels: Record<string, string>) {
      const report = await fakeReport(ruleSet, { hostname, synchronized }, at)
      const [result] = await subject.backend.store.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: 'test', receivedAt: at, labels, agentVersion: null }])
      expect(result?.status).toBe('stored')
      return report
    }

    it('keeps manual evidence rows and bytes, streams them back, removes a file with its last row', async () => {
      const { manualEvidence } = subject.backend
      const content = Buffer.alloc(2.5 * 1024 * 1024, 7)
      content.write('policy v3', 0)
      const input = { framework: 'soc2', control: 'CC1.1', fileName: 'policy.pdf', mediaType: 'application/pdf', note: 'signed', addedBy: 'user:auditor', content }
      const first = await manualEvidence.add(input, day(2))
      const second = await manualEvidence.add({ ...input, control: 'CC1.2' }, day(2, 11))
      expect(first).toMatchObject({ framework: 'soc2', control: 'CC1.1', bytes: content.length, addedAt: day(2).toISOString() })
      expect(second.sha256).toBe(first.sha256)
      expect((await manualEvidence.list('soc2')).map((m) => m.control)).toEqual(['CC1.1', 'CC1.2'])
      expect((await manualEvidence.list('soc2', 'CC1.2')).map((m) => m.id)).toEqual([second.id])
      expect(await manualEvidence.get(first.id)).toEqual(first)
      const parts: Buffer[] = []
      for await (const part of manualEvidence.content(first)) parts.push(part)
      expect(Buffer.concat(parts).equals(content)).toBe(true)
      expect(await manualEvidence.remove(first.id)).toBe(true)
      expect(await manualEvidence.remove(first.id)).toBe(false)
      // The other row still uses the bytes.
      const again: Buffer[] = []
      for await (const part of manualEvidence.content(second)) again.push(part)
      expect(Buffer.concat(again).length).toBe(content.length)
    })

    it('streams the window’s scans node by node with their findings, filtered by labels', async () => {
      await ingest('web-1', true, day(1), { env: 'prod' })
      await ingest('web-1', false, day(2), { env: 'prod' })
      await ingest('lab-1', false, day(2), { env: 'dev' })
      await ingest('web-1', true, day(9), { env: 'prod' })
      const { evidence } = subject.backend
      const window = { from: day(1, 0), to: day(5, 0) }
      const batches = []
      for await (const batch of evidence.scanBatches(window, { env: 'prod' })) batches.push(batch)
      expect(batches).toHaveLength(1)
      expect(batches[0]!.map((s) => [s.scan.hostname, s.scan.finishedAt])).toEqual([['web-1', day(1).toISOString()], ['web-1', day(2).toISOString()]])
      expect(batches[0]![0]!.scan).toMatchObject({ labels: { env: 'prod' }, source: expect.any(String), grade: expect.stringMatching(/^[A-F]$/) })
      const findings = batches[0]![1]!.findings
      expect(findings.length).toBeGreaterThan(0)
      expect(findings.map((f) => f.rule)).toEqual([...findings.map((f) => f.rule)].sort())
      expect(findings.some((f) => f.status === 'fail')).toBe(true)
      const lists = []
      for await (const list of evidence.scanList(window, {})) lists.push(...list)
      expect(lists.map((s) => s.hostname).sort()).toEqual(['lab-1', 'web-1', 'web-1'])
      expect(await evidence.countScans?.(window, {})).toBe(3)
      const failing = findings.find((f) => f.status === 'fail')!
      const nodeId = batches[0]![1]!.scan.nodeId
      expect(await evidence.priorFailingSince(nodeId, failing.rule, failing.target)).toBe(null)
    })

    it('gives each distinct read set of the window’s scans (what the gatherers read), for methods.json', async () => {
      const first = await ingest('web-1', true, day(1), { env: 'prod' })
      await ingest('web-2', false, day(2), { env: 'prod' })
      await ingest('lab-1', true, day(2), { env: 'dev' })
      const { evidence } = subject.backend
      // The same files and commands on both prod nodes: one set, stored and returned once.
      expect(first.reads?.find((r) => r.gatherer === 'system')?.commands).toContain('timedatectl show')
      expect(await evidence.gathererReads?.({ from: day(1, 0), to: day(5, 0) }, { env: 'prod' })).toEqual([first.reads])
      expect(await evidence.gathererReads?.({ from: day(3, 0), to: day(5, 0) }, {})).toEqual([])
    })

    it('exports a signed archive that verifies, with the audit excerpt of the window', async () => {
      await ingest('web-1', false, day(1), { env: 'prod' })
      await ingest('web-1', true, day(2), { env: 'prod' })
      await subject.backend.audit.append({ actor: 'user:alice', action: 'login', target: null, outcome: 'success', ip: null, details: {} })
      await subject.backend.manualEvidence.add({ framework: 'soc2', control: 'CC1.1', fileName: 'conduct.txt', mediaType: 'text/plain', note: 'all staff', addedBy: 'user:auditor', content: Buffer.from('Code of conduct\n') }, day(2))
      const out = join(dir, 'soc2.zip')
      const manifest = await runExport(
        { source: subject.backend.evidence, dataDir: dir, ruleSet, collectorVersion: '0.1.0', audit: subject.backend.audit, now: day(4) },
        { framework: 'soc2', window: { from: day(1, 0), to: day(4, 0) }, labels: {}, exportedBy: 'user:auditor', ip: null, out },
      )
      expect(manifest.counts).toMatchObject({ nodes: 1, scans: 2, auditEntries: 1, manualEvidence: 1 })
      const verdict = await verifyEvidenceArchive(out)
      expect(verdict.problems).toEqual([])
      expect(verdict.ok).toBe(true)
      // The export itself is audited, after the excerpt was written.
      expect((await subject.backend.audit.list({ limit: 1 }))[0]).toMatchObject({ action: 'export.create', actor: 'user:auditor' })
    }, 60_000)
  })
}
