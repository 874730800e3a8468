import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAdminBackend } from '../../collector/collector-admin.js'
import { scoreReport } from '../../collector/ingest/prepare-report.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { runPosture } from '../helpers/cli.js'
import { fakeReport } from './collector-fixtures.js'
import { readZipEntries, writeZipEntries } from '../unit/collector/evidence/zip-entries.js'

/**
 * The evidence commands end to end, on a real collector database: scans ingested through
 * the store, a waiver added with `posture waiver`, `posture export`, `posture verify` with
 * the key from `posture collector signing-key`, tampering, the audit chain check, the PDF
 * rendered by pdftoppm and the HTML opened in headless Chromium with no outside request.
 */
const hasPdftoppm = spawnSync('pdftoppm', ['-v']).status === 0
const chromiumPath = '/usr/bin/chromium'
const hasChromium = existsSync(chromiumPath)
for (const [tool, present, pkg] of [['pdftoppm', hasPdftoppm, 'poppler-utils'], ['chromium', hasChromium, 'chromium']] as const) {
  if (!present && process.env.CI) throw new Error(`${tool} is missing: .ci/run installs ${pkg}`)
  if (!present) console.warn(`\n*** SKIPPING evidence ${tool} checks: ${tool} is missing (apt-get install ${pkg}) ***\n`)
}

const dir = mkdtempSync(join(tmpdir(), 'posture-evidence-it-'))
const data = join(dir, 'data')
const day = (d: string, h = 2) => new Date(`2026-03-${d}T${String(h).padStart(2, '0')}:00:00.000Z`)
let archive = ''
let entries: Map<string, Buffer>

beforeAll(async () => {
  const ruleSet = loadRuleSet()
  // Waiver first (through the CLI, as an operator would), so the scans after it are waived.
  const added = await runPosture(['waiver', 'add', '--data', data, '--rule', 'system.time-sync-enabled', '--node', 'placeholder', '--justification', 'NTP is pushed by the hypervisor on this host', '--approver', 'J. Smith, CISO', '--expires', new Date(Date.now() + 30 * 86_400_000).toISOString()])
  expect(added.code, added.stderr).toBe(0)
  const backend = openAdminBackend(data)
  const { store, waivers } = backend
  try {
    // web-1 (env=prod): in sync. db-1 (env=prod): NTP off, waived for it. lab-1 (env=dev): not in sync.
    const nodes = [
      { node: { hostname: 'web-1', synchronized: true, ntp: true }, labels: { env: 'prod' } },
      { node: { hostname: 'db-1', synchronized: true, ntp: false }, labels: { env: 'prod' } },
      { node: { hostname: 'lab-1', synchronized: false, ntp: true }, labels: { env: 'dev' } },
    ]
    for (let d = 1; d <= 10; d++) {
      for (const { node, labels } of nodes) {
        const at = day(String(d).padStart(2, '0'))
        const raw = await fakeReport(ruleSet, node, at, `${node.hostname}-${d}`)
        // The waiver is scoped to db-1's node id, known once its first report exists.
        if (node.hostname === 'db-1' && d === 1) {
          const placeholder = (await waivers.list())[0]!
          await waivers.remove(placeholder.id)
          await waivers.add({ ...placeholder, node: raw.node.id })
        }
        const { report } = scoreReport(raw, { ruleSet, waivers: await waivers.list(), labels, now: at })
        const [result] = await store.ingest([{ kind: 'scan', agentId: null, seq: null, report, agentRulesVersion: null, scoredWith: 'test', receivedAt: at, labels, agentVersion: null }])
        expect(result?.status).toBe('stored')
      }
    }
    await backend.manualEvidence.add({ framework: 'soc2', control: 'CC1.1', fileName: 'code-of-conduct.txt', mediaType: 'text/plain', note: 'acknowledged by all staff, 2026', addedBy: 'user:auditor', content: Buffer.from('Code of conduct v3\n') }, day('02'))
  } finally {
    await backend.close()
  }
  archive = join(dir, 'soc2.zip')
  const exported = await runPosture(['export', '--framework', 'soc2', '--data', data, '--from', '2026-03-03T00:00:00Z', '--to', '2026-03-08T00:00:00Z', '--out', archive])
  expect(exported.code, exported.stderr).toBe(0)
  expect(exported.stdout.trim()).toBe(archive)
  entries = await readZipEntries(archive)
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('posture export and posture verify', () => {
  it('exports exactly the scans of the window, with waived findings', () => {
    const manifest = JSON.parse(entries.get('manifest.json')!.toString())
    expect(manifest.counts).toMatchObject({ nodes: 3, scans: 15, manualEvidence: 1 })
    expect(manifest.exportedBy).toMatch(/^cli:/)
    const { controls } = JSON.parse(entries.get('controls.json')!.toString())
    const cc72 = controls.find((c: { control: string }) => c.control === 'CC7.2')
    expect(cc72).toMatchObject({ automated: true, verdict: 'fail', nodesEvaluated: 3, nodesFailing: 1, nodesWaived: 1, nodesPassing: 1 })
    const byHost = Object.fromEntries(cc72.failures.map((f: { hostname: string; rule: string }) => [`${f.hostname} ${f.rule}`, f]))
    expect(byHost['db-1 system.time-sync-enabled']).toMatchObject({ remediation: 'waived', waiver: { approver: 'J. Smith, CISO' } })
    expect(byHost['lab-1 system.time-synced']).toMatchObject({ remediation: 'open', status: 'fail', failingBeforeWindow: true, failingSince: '2026-03-01T02:00:00.000Z' })
    const waivers = JSON.parse(entries.get('waivers.json')!.toString())
    expect(waivers).toHaveLength(1)
    expect(waivers[0]).toMatchObject({ rule: 'system.time-sync-enabled', approver: 'J. Smith, CISO', findingsWaived: 5 })
    const findings = entries.get('findings.jsonl')!.toString().trim().split('\n').map((l) => JSON.parse(l))
    expect(new Set(findings.map((f) => f.finishedAt.slice(0, 10)))).toEqual(new Set(['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07']))
    expect(findings.find((f) => f.rule === 'system.time-synced' && f.hostname === 'lab-1').evidence).toBeTruthy()
    // How: the rule's check and facts, and the commands its gatherer runs.
    const methods = JSON.parse(entries.get('methods.json')!.toString())
    expect(methods.rules.find((r: { rule: string }) => r.rule === 'system.time-synced')).toMatchObject({ check: 'facts.system.timeSync.synchronized', reads: expect.arrayContaining(['system.timeSync.synchronized']), gatheredBy: ['system'] })
    expect(methods.gatherers.find((g: { gatherer: string }) => g.gatherer === 'system').commands).toContain('timedatectl show')
  })

  it('verifies with the collector key, and names the file when one is changed', async () => {
    const key = await runPosture(['collector', 'signing-key', '--data', data])
    expect(key.code).toBe(0)
    expect(key.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/)
    const keyFile = join(dir, 'collector.pub')
    writeFileSync(keyFile, key.stdout)
    const ok = await runPosture(['verify', archive, '--key', keyFile])
    expect(ok.code, ok.stdout).toBe(0)
    expect(ok.stdout).toMatch(/^OK .*SOC 2/)

    const changed = new Map(entries)
    changed.set('waivers.json', Buffer.from(changed.get('waivers.json')!.toString().replace('J. Smith, CISO', 'J. Smith, CIS0')))
    const tampered = join(dir, 'tampered.zip')
    await writeZipEntries(tampered, changed)
    const failed = await runPosture(['verify', tampered, '--key', keyFile])
    expect(failed.code).toBe(1)
    expect(failed.stdout).toContain('FAILED')
    expect(failed.stdout).toMatch(/waivers\.json: SHA-256 [0-9a-f]{64} differs from the manifest's/)
  }, 120_000)

  it('records the export in the audit log', async () => {
    const db = new Database(join(data, 'posture.db'), { readonly: true })
    try {
      const actions = db.prepare<[], { action: string }>('SELECT action FROM audit_log ORDER BY seq').all().map((r) => r.action)
      expect(actions).toEqual(['waiver.create', 'export.create'])
      const details = JSON.parse(db.prepare<[], { details: string }>("SELECT details FROM audit_log WHERE action = 'export.create'").get()!.details)
      expect(details).toMatchObject({ from: '2026-03-03T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z', scans: 15, manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    } finally {
      db.close()
    }
  })

  it.skipIf(!hasPdftoppm)('renders the PDF (pdftoppm), and the pages are not blank', () => {
    const pdf = join(dir, 'report.pdf')
    writeFileSync(pdf, entries.get('report.pdf')!)
    const out = join(dir, 'pages')
    mkdirSync(out)
    execFileSync('pdftoppm', ['-png', '-r', '60', pdf, join(out, 'page')])
    execFileSync('pdftoppm', ['-gray', '-r', '30', '-f', '1', '-l', '1', pdf, join(out, 'gray')])
    const pngs = readdirSync(out).filter((f) => f.endsWith('.png'))
    expect(pngs.length).toBeGreaterThanOrEqual(2)
    const pgm = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.pgm'))!))
    // P5 header: "P5\n<w> <h>\n255\n", then one byte per pixel.
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'))!
    const pixels = pgm.subarray(header[0].length)
    const dark = pixels.filter((p) => p < 128).length
    expect(pixels.length).toBe(Number(header[1]) * Number(header[2]))
    expect(dark / pixels.length).toBeGreaterThan(0.005)
  })

  it.skipIf(!hasChromium)('opens the HTML report in headless Chromium with no outside request', async () => {
    const html = join(dir, 'report.html')
    writeFileSync(html, entries.get('report.html')!)
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
    try {
      const page = await browser.newPage()
      const requests: string[] = []
      page.on('request', (r) => requests.push(r.url()))
      const violations: string[] = []
      page.on('console', (m) => m.type() === 'error' && violations.push(m.text()))
      await page.goto(pathToFileURL(html).href)
      expect(await page.title()).toMatch(/^SOC 2 evidence, 2026-03-03 to 2026-03-08/)
      expect(await page.locator('table.controls tbody tr').count()).toBeGreaterThan(3)
      expect(await page.textContent('body')).toContain('J. Smith, CISO')
      expect(requests).toEqual([pathToFileURL(html).href])
      expect(violations).toEqual([])
      mkdirSync(join(import.meta.dirname, '..', 'artifacts'), { recursive: true })
      await page.screenshot({ path: join(import.meta.dirname, '..', 'artifacts', 'evidence-report.png'), fullPage: true })
    } finally {
      await browser.close()
    }
  }, 120_000)
})

describe('posture collector audit verify', () => {
  it('passes on the untouched log and names the row someone edited', async () => {
    const ok = await runPosture(['collector', 'audit', 'verify', '--data', data])
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/^audit log intact: \d+ rows/)
    // Someone with the database file: drops the append-only trigger and edits row 2.
    const db = new Database(join(data, 'posture.db'))
    db.exec('DROP TRIGGER audit_log_no_update')
    db.prepare("UPDATE audit_log SET actor = 'cli:someone-else' WHERE seq = 2").run()
    db.close()
    const broken = await runPosture(['collector', 'audit', 'verify', '--data', data])
    expect(broken.code).toBe(1)
    expect(broken.stdout).toContain('audit log BROKEN at row 2: its content does not match its hash (the row was edited) (hash-mismatch); 1 rows before it verify')
  }, 120_000)
})
