import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportEvidence, type ExportContext } from '../../../../collector/evidence/export-evidence.js'
import type { EvidenceFinding, EvidenceScan } from '../../../../collector/evidence/evidence-model.js'
import { loadOrCreateSigningKey, publicKeyFingerprint, type SigningKey } from '../../../../collector/evidence/signing-key.js'
import { verifyEvidenceArchive } from '../../../../collector/evidence/verify-archive.js'
import { loadFrameworks } from '../../../../rules/frameworks/framework-catalogue.js'
import { loadScoringPolicy } from '../../../../rules/load-rules.js'
import { MemoryEvidenceSource, testRules } from './memory-evidence-source.js'
import { readZipEntries, writeZipEntries } from './zip-entries.js'

/**
 * Export then verify (issue 11): the archive verifies; one changed byte, a removed file,
 * an added file, another signing key and an edited audit row each fail, naming the file;
 * the window holds exactly the scans inside it; waived and expired-waiver findings show as
 * such.
 */
const soc2 = loadFrameworks().get('soc2')!
const day = (d: string) => new Date(`2026-${d}T00:00:00.000Z`)
const window = { from: day('03-01'), to: day('03-08') }

let dir: string
let key: SigningKey
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-evidence-'))
  key = loadOrCreateSigningKey(join(dir, 'data'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function scan(nodeId: string, at: Date, labels: Record<string, string>): EvidenceScan {
  return { scanId: `${nodeId}-${at.toISOString().slice(0, 10)}`, nodeId, hostname: `${nodeId}.example.net`, labels, startedAt: new Date(at.getTime() - 60_000).toISOString(), finishedAt: at.toISOString(), rulesVersion: '2026.11.0+abc', postureVersion: '0.1.0', source: 'agent', score: 80, scoreWithoutWaivers: 70, grade: 'B' }
}

function finding(rule: string, status: EvidenceFinding['status'], extra: Partial<EvidenceFinding> = {}): EvidenceFinding {
  const info = testRules.find((r) => r.id === rule)!
  return { rule, target: '', domain: info.domain, severity: info.severity, status, message: status === 'fail' ? `${rule} failed` : '', evidence: { sample: rule }, waiver: null, ...extra }
}

/** Three nodes scanned daily at midnight from Feb 27 to Mar 9: 7 scans each inside the window. */
function fleet(): MemoryEvidenceSource {
  const source = new MemoryEvidenceSource()
  const dbWaiver = { id: 'w-db', justification: 'legacy backup job logs in as root until the migration', approver: 'carol', expires: '2026-04-01T00:00:00.000Z', waivedStatus: 'fail' as const }
  source.waiverList = [
    { id: 'w-db', rule: 'ssh.root-login', node: 'db-1', justification: dbWaiver.justification, approver: 'carol', created: '2026-02-01T00:00:00.000Z', expires: dbWaiver.expires },
    { id: 'w-dev', rule: 'ssh.root-login', labels: { env: 'dev' }, justification: 'lab machines', approver: 'dave', created: '2026-02-01T00:00:00.000Z', expires: '2026-03-04T00:00:00.000Z' },
    { id: 'w-old', rule: 'ssh.root-login', justification: 'long gone', approver: 'erin', created: '2025-01-01T00:00:00.000Z', expires: '2025-06-01T00:00:00.000Z' },
  ]
  for (let t = day('02-27').getTime(); t <= day('03-09').getTime(); t += 86_400_000) {
    const at = new Date(t)
    const d = at.toISOString().slice(5, 10)
    source.scans.push({
      scan: scan('web-1', at, { env: 'prod' }),
      findings: [finding('ssh.root-login', d >= '02-28' ? 'fail' : 'pass'), finding('tls.protocol.legacy-disabled', 'pass', { target: '10.0.0.1:443' }), finding('system.time-synced', 'pass')],
    })
    source.scans.push({
      scan: scan('db-1', at, { env: 'prod' }),
      findings: [finding('ssh.root-login', 'waived', { waiver: dbWaiver }), finding('system.time-synced', d === '03-03' || d === '03-04' ? 'fail' : 'pass')],
    })
    const devWaived = at < new Date('2026-03-04T00:00:00.000Z')
    source.scans.push({
      scan: scan('dev-1', at, { env: 'dev' }),
      findings: [
        devWaived
          ? finding('ssh.root-login', 'waived', { waiver: { id: 'w-dev', justification: 'lab machines', approver: 'dave', expires: '2026-03-04T00:00:00.000Z', waivedStatus: 'fail' } })
          : finding('ssh.root-login', 'fail', { message: 'PermitRootLogin yes (waiver w-dev expired 2026-03-04T00:00:00.000Z)' }),
      ],
    })
  }
  source.prior.set('web-1|ssh.root-login|', '2026-02-28T00:00:00.000Z')
  source.appendAudit({ action: 'login' }, new Date('2026-02-20T10:00:00Z'))
  source.appendAudit({ action: 'waiver.create', target: 'waiver:w-db' }, new Date('2026-03-02T10:00:00Z'))
  source.appendAudit({ action: 'login', actor: 'user:bob' }, new Date('2026-03-05T10:00:00Z'))
  source.appendAudit({ action: 'export.create' }, new Date('2026-03-09T10:00:00Z'))
  source.manual.push({ id: 'm1', framework: 'soc2', control: 'CC1.1', fileName: 'code-of-conduct.pdf', sha256: '', bytes: 11, mediaType: 'application/pdf', note: 'signed by all staff', addedBy: 'user:auditor', addedAt: '2026-03-02T00:00:00.000Z', content: Buffer.from('%PDF-1.4 hi') })
  source.manual[0]!.sha256 = 'a'.repeat(64)
  return source
}

function context(source: MemoryEvidenceSource): ExportContext {
  // Manual evidence is hashed as it is written; record the real hash like the store does.
  for (const m of source.manual) m.sha256 = createHash('sha256').update(m.content).digest('hex')
  return { source, rules: testRules, rulesVersion: '2026.11.0+abc', collectorVersion: '0.1.0', policy: loadScoringPolicy(), signingKey: key, now: new Date('2026-03-10T12:00:00.000Z') }
}

async function exported(source = fleet(), labels: Record<string, string> = {}): Promise<string> {
  const out = join(dir, 'evidence.zip')
  await exportEvidence({ framework: soc2, window, labels, exportedBy: 'user:auditor', out }, context(source))
  return out
}

async function tampered(path: string, change: (entries: Map<string, Buffer>) => void): Promise<string> {
  const entries = await readZipEntries(path)
  change(entries)
  const out = join(dir, `tampered-${Math.random().toString(36).slice(2)}.zip`)
  await writeZipEntries(out, entries)
  return out
}

describe('evidence export and verification', () => {
  it('verifies an untouched export, with the embedded key and with the pinned key', async () => {
    const path = await exported()
    const embedded = await verifyEvidenceArchive(path)
    expect(embedded.problems).toEqual([])
    expect(embedded.ok).toBe(true)
    expect(embedded.key).toEqual({ fingerprint: key.fingerprint, source: 'manifest' })
    const pinned = await verifyEvidenceArchive(path, { publicKeyPem: key.publicKeyPem })
    expect(pinned.ok).toBe(true)
    expect(pinned.key?.source).toBe('pinned')
    const entries = await readZipEntries(path)
    expect([...entries.keys()].sort()).toEqual([
      'audit-log.jsonl', 'control-failures.csv', 'controls.csv', 'controls.json', 'findings.jsonl', 'manifest.json', 'manifest.sig',
      'manual-evidence/index.json', 'manual-evidence/m1-code-of-conduct.pdf', 'methods.json', 'report.html', 'report.pdf', 'scans.csv', 'signing-key.pub.pem', 'waivers.json',
    ])
    const manifest = JSON.parse(entries.get('manifest.json')!.toString())
    expect(manifest).toMatchObject({
      schema: 'posture.evidence/v1', framework: { id: 'soc2', version: 'TSC 2017 (rev. 2022)' }, window: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' },
      exportedBy: 'user:auditor', exportedAt: '2026-03-10T12:00:00.000Z', collectorVersion: '0.1.0', rulesVersions: ['2026.11.0+abc'],
      signingKey: { algorithm: 'Ed25519', fingerprint: key.fingerprint },
    })
    expect(manifest.files).toHaveLength(entries.size - 2)
  })

  it('includes exactly the scans inside the window, [from, to)', async () => {
    const path = await exported()
    const entries = await readZipEntries(path)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString())
    expect(manifest.counts).toMatchObject({ nodes: 3, scans: 21, findings: 42 })
    const scans = entries.get('scans.csv')!.toString().trim().split('\r\n').slice(1).map((l) => l.split(',')[4]!)
    expect(scans).toHaveLength(21)
    expect(scans.every((t) => t >= '2026-03-01T00:00:00.000Z' && t < '2026-03-08T00:00:00.000Z')).toBe(true)
    expect(scans).toContain('2026-03-01T00:00:00.000Z')
    expect(scans).not.toContain('2026-03-08T00:00:00.000Z')
    const findings = entries.get('findings.jsonl')!.toString().trim().split('\n').map((l) => JSON.parse(l))
    expect(findings).toHaveLength(42)
    expect(new Set(findings.map((f) => f.finishedAt.slice(0, 10)))).toEqual(new Set(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07']))
  })

  it('restricts to nodes with the given labels', async () => {
    const path = await exported(fleet(), { env: 'prod' })
    const manifest = JSON.parse((await readZipEntries(path)).get('manifest.json')!.toString())
    expect(manifest.counts).toMatchObject({ nodes: 2, scans: 14 })
    expect(manifest.labels).toEqual({ env: 'prod' })
  })

  it('shows waived findings as waived, an expired waiver as a flagged failure, and scores with and without waivers', async () => {
    const entries = await readZipEntries(await exported())
    const { controls } = JSON.parse(entries.get('controls.json')!.toString())
    const cc61 = controls.find((c: { control: string }) => c.control === 'CC6.1')
    expect(cc61).toMatchObject({ automated: true, rules: ['ssh.root-login'], verdict: 'fail', nodesEvaluated: 3, nodesFailing: 2, nodesWaived: 1, nodesPassing: 0 })
    const byNode = Object.fromEntries(cc61.failures.map((f: { nodeId: string }) => [f.nodeId, f]))
    expect(byNode['db-1']).toMatchObject({ status: 'waived', remediation: 'waived', waiver: { id: 'w-db', approver: 'carol' } })
    expect(byNode['dev-1']).toMatchObject({ status: 'fail', remediation: 'expired-waiver', expiredWaiver: { id: 'w-dev', expired: '2026-03-04T00:00:00.000Z' } })
    // The underlying check failed all along: waived first, then the waiver lapsed. The failure dates from before.
    expect(byNode['dev-1']).toMatchObject({ failingSince: '2026-03-01T00:00:00.000Z', failingBeforeWindow: true, failedScans: 7 })
    // Failing since before the window: the lifecycle's start, and the high-severity SLA (30 days) from it.
    expect(byNode['web-1']).toMatchObject({ status: 'fail', remediation: 'open', failingSince: '2026-02-28T00:00:00.000Z', failingBeforeWindow: true, slaDue: '2026-03-30T00:00:00.000Z', failedScans: 7 })
    expect(cc61.scoreWithWaivers).toBe(0)
    expect(cc61.scoreWithoutWaivers).toBe(0)
    const cc72 = controls.find((c: { control: string }) => c.control === 'CC7.2')
    expect(cc72).toMatchObject({ verdict: 'pass', nodesPassing: 2, openFailures: 0 })
    expect(cc72.failures).toMatchObject([{ nodeId: 'db-1', rule: 'system.time-synced', remediation: 'resolved', failingSince: '2026-03-03T00:00:00.000Z', resolvedAt: '2026-03-05T00:00:00.000Z', failedScans: 2 }])
    expect(controls.find((c: { control: string }) => c.control === 'CC1.1')).toMatchObject({ automated: false, verdict: 'manual', manualEvidence: 1 })
    const { summary } = JSON.parse(entries.get('controls.json')!.toString())
    // db-1: ssh waived (high) + time passing → 100 with waivers; without, the waived failure counts: 3/(5+3) = 37.5.
    expect(summary.scoreWithWaivers).not.toBe(summary.scoreWithoutWaivers)
    const waivers = JSON.parse(entries.get('waivers.json')!.toString())
    expect(waivers.map((w: { id: string; expiredInWindow: boolean; findingsWaived: number }) => [w.id, w.expiredInWindow, w.findingsWaived])).toEqual([['w-db', false, 7], ['w-dev', true, 3]])
    const failuresCsv = entries.get('control-failures.csv')!.toString()
    expect(failuresCsv).toContain('w-dev expired 2026-03-04T00:00:00.000Z')
    const html = entries.get('report.html')!.toString()
    expect(html).toContain('(expired)')
    expect(html).toContain('expired-waiver')
    expect(html).toContain(key.fingerprint)
  })

  it('exports the audit-log rows of the window with their chain links', async () => {
    const entries = await readZipEntries(await exported())
    const rows = entries.get('audit-log.jsonl')!.toString().trim().split('\n').map((l) => JSON.parse(l))
    expect(rows.map((r) => r.seq)).toEqual([2, 3])
    const manifest = JSON.parse(entries.get('manifest.json')!.toString())
    expect(manifest.auditLog).toMatchObject({ firstSeq: 2, lastSeq: 3, anchorPrevHash: rows[0].prevHash, lastHash: rows[1].hash, chainAtExport: { ok: true, rows: 4 } })
  })

  it.each([
    ['report.html', 'the HTML report'],
    ['findings.jsonl', 'the findings'],
    ['controls.csv', 'the control results'],
    ['manual-evidence/m1-code-of-conduct.pdf', 'a manual evidence file'],
  ])('fails when one byte of %s changes (%s), naming it', async (name) => {
    const path = await tampered(await exported(), (entries) => {
      const content = Buffer.from(entries.get(name)!)
      content[Math.floor(content.length / 2)]! ^= 0x01
      entries.set(name, content)
    })
    const result = await verifyEvidenceArchive(path, { publicKeyPem: key.publicKeyPem })
    expect(result.ok).toBe(false)
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]).toMatchObject({ file: name, problem: expect.stringMatching(/^SHA-256 [0-9a-f]{64} differs from the manifest's/) })
  })

  it('fails when a file is removed, naming it', async () => {
    const path = await tampered(await exported(), (entries) => entries.delete('waivers.json'))
    const result = await verifyEvidenceArchive(path)
    expect(result.problems).toEqual([{ file: 'waivers.json', problem: 'listed in the manifest but missing from the archive' }])
  })

  it('fails when a file is added, naming it', async () => {
    const path = await tampered(await exported(), (entries) => entries.set('extra-waiver.json', Buffer.from('{}')))
    const result = await verifyEvidenceArchive(path)
    expect(result.problems).toEqual([{ file: 'extra-waiver.json', problem: 'not listed in the manifest (added after the export was signed)' }])
  })

  it('fails when the manifest is edited', async () => {
    const path = await tampered(await exported(), (entries) => entries.set('manifest.json', Buffer.from(entries.get('manifest.json')!.toString().replace('user:auditor', 'user:mallory'))))
    const result = await verifyEvidenceArchive(path)
    expect(result.problems).toEqual([{ file: 'manifest.sig', problem: expect.stringContaining('does not verify') }])
  })

  it('fails when re-signed with another key: against the pinned key, and even with the manifest naming the new key', async () => {
    const other = generateKeyPairSync('ed25519')
    const otherPem = other.publicKey.export({ format: 'pem', type: 'spki' }).toString()
    const original = await exported()
    // Only the signature replaced.
    const resigned = await tampered(original, (entries) => entries.set('manifest.sig', Buffer.from(sign(null, entries.get('manifest.json')!, other.privateKey).toString('base64'))))
    expect((await verifyEvidenceArchive(resigned)).problems).toEqual([{ file: 'manifest.sig', problem: expect.stringContaining(`does not verify with key ${key.fingerprint}`) }])
    // The manifest rewritten to name the new key and signed with it: consistent, so only a pinned key catches it.
    const forged = await tampered(original, (entries) => {
      const manifest = JSON.parse(entries.get('manifest.json')!.toString())
      manifest.signingKey = { algorithm: 'Ed25519', fingerprint: publicKeyFingerprint(otherPem), publicKeyPem: otherPem }
      const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)
      entries.set('manifest.json', bytes)
      entries.set('manifest.sig', Buffer.from(sign(null, bytes, other.privateKey).toString('base64')))
    })
    expect((await verifyEvidenceArchive(forged)).ok).toBe(true)
    const pinned = await verifyEvidenceArchive(forged, { publicKeyPem: key.publicKeyPem })
    expect(pinned.problems).toEqual([
      { file: 'manifest.json', problem: `names signing key ${publicKeyFingerprint(otherPem)}, not the pinned key ${key.fingerprint}` },
      { file: 'manifest.sig', problem: expect.stringContaining(`does not verify with key ${key.fingerprint}`) },
    ])
  })

  it('fails at the edited row when an audit-log row is tampered with and its file hash patched', async () => {
    // Even a forger who rewrites the excerpt cannot keep the chain: the edited row's hash no longer matches.
    const path = await tampered(await exported(), (entries) => {
      const lines = entries.get('audit-log.jsonl')!.toString().trim().split('\n')
      const row = JSON.parse(lines[1]!)
      row.actor = 'user:mallory'
      lines[1] = JSON.stringify(row)
      entries.set('audit-log.jsonl', Buffer.from(`${lines.join('\n')}\n`))
    })
    const result = await verifyEvidenceArchive(path)
    expect(result.problems).toContainEqual({ file: 'audit-log.jsonl', problem: 'line 2 (audit row 3): hash does not match the row content (the row was edited)' })
    expect(result.problems).toContainEqual({ file: 'audit-log.jsonl', problem: expect.stringMatching(/^SHA-256/) })
  })

  it('fails on a byte flipped in the raw archive', async () => {
    const path = await exported()
    const raw = readFileSync(path)
    // Inside the first entry's compressed data (after its 30-byte local header and name).
    raw[60]! ^= 0xff
    writeFileSync(path, raw)
    const result = await verifyEvidenceArchive(path)
    expect(result.ok).toBe(false)
    expect(result.problems[0]).toMatchObject({ file: 'findings.jsonl' })
  })

  it('says what is wrong with something that is not an evidence archive', async () => {
    const notZip = join(dir, 'notes.txt')
    writeFileSync(notZip, 'hello')
    expect((await verifyEvidenceArchive(notZip)).problems).toEqual([{ file: null, problem: expect.stringContaining('not a readable zip archive') }])
    const noManifest = join(dir, 'plain.zip')
    await writeZipEntries(noManifest, [['a.txt', Buffer.from('a')]])
    expect((await verifyEvidenceArchive(noManifest)).problems).toEqual([{ file: 'manifest.json', problem: 'missing: without the manifest nothing can be verified' }])
  })

  it('keeps the signing key private (0600) and stable across loads', () => {
    const again = loadOrCreateSigningKey(join(dir, 'data'))
    expect(again.fingerprint).toBe(key.fingerprint)
    expect(statSync(join(dir, 'data', 'evidence-signing-key.pem')).mode & 0o777).toBe(0o600)
  })

  it('refuses a window that ends before it starts and leaves no file behind', async () => {
    const out = join(dir, 'bad.zip')
    await expect(exportEvidence({ framework: soc2, window: { from: window.to, to: window.from }, labels: {}, exportedBy: 'x', out }, context(fleet()))).rejects.toThrow(RangeError)
    expect(() => statSync(out)).toThrow()
  })
})
