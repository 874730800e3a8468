import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { reportSchema, type Report } from '../../rules/report.js'
import { root, runPosture } from '../helpers/cli.js'

const work = mkdtempSync(join(tmpdir(), 'posture-scan-'))
const fixtureSnapshot = join(root, 'test/fixtures/snapshots/web-01.system.json')

function parseReport(stdout: string): Report {
  return reportSchema.parse(JSON.parse(stdout))
}

/** A report without what legitimately differs between two runs over the same evidence. */
function comparable(report: Report) {
  const { scanId: _s, source: _src, finishedAt: _f, ...rest } = report
  return rest
}

describe('posture scan (real CLI)', () => {
  it('a live scan and the replay of the snapshot it recorded give the same report', async () => {
    const snapshot = join(work, 'live.json')
    const live = await runPosture(['scan', '--json', '--save-snapshot', snapshot])
    expect(live.stderr).toBe('')
    expect(live.code).toBe(0)
    const replay = await runPosture(['scan', '--json', '--snapshot', snapshot])
    expect(replay.code).toBe(0)
    const [a, b] = [parseReport(live.stdout), parseReport(replay.stdout)]
    expect(a.findings.length).toBeGreaterThan(0)
    expect(comparable(b)).toEqual(comparable(a))
    expect(b.source).toBe(`snapshot:${snapshot}`)
  }, 180_000) // a full live scan of every domain: seconds normally, much longer on a loaded CI machine

  it('gather then scan --snapshot equals a live scan of the same machine (timestamps aside)', async () => {
    const snapshot = join(work, 'gathered.json')
    const gather = await runPosture(['gather', '--only', 'system', '--out', snapshot])
    expect(gather.code).toBe(0)
    expect(gather.stderr).toMatch(/^wrote .*gathered\.json \(\d+ files, \d+ commands, 0 probes\)\n$/)
    const [fromSnapshot, live] = await Promise.all([
      runPosture(['scan', '--only', 'system', '--json', '--snapshot', snapshot]),
      runPosture(['scan', '--only', 'system', '--json']),
    ])
    const [a, b] = [parseReport(fromSnapshot.stdout), parseReport(live.stdout)]
    const volatile = (r: Report) => ({ ...r.facts, system: { ...r.facts.system, uptimeSeconds: 0 } })
    expect(volatile(a)).toEqual(volatile(b))
    expect(a.findings).toEqual(b.findings)
    expect(a.node).toEqual(b.node)
  }, 120_000)

  it('a fixture snapshot produces the expected report', async () => {
    const result = await runPosture(['scan', '--json', '--snapshot', fixtureSnapshot])
    expect(result.code).toBe(0)
    const report = parseReport(result.stdout)
    expect(report.node).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      hostname: 'web-01',
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-27-amd64',
      arch: 'x86_64',
    })
    expect(report.startedAt).toBe('2026-11-20T08:00:00.000Z')
    const system = report.findings.filter((f) => f.domain === 'system').map((f) => [f.rule, f.status, f.message])
    expect(system).toEqual([
      ['system.time-synced', 'fail', 'timedatectl reports the clock as not synchronised'],
      ['system.time-sync-enabled', 'pass', ''],
    ])
    // medium (3) failed, low (1) passed → 100 × 1 / 4.
    expect(report.score.domains.system).toMatchObject({ score: 25, grade: 'F', coverage: 1 })
    expect(report.facts.system).toMatchObject({ virtualization: 'kvm', uptimeSeconds: 864012.55 })
  })

  it('prints a readable terminal report without colour when not a TTY', async () => {
    const result = await runPosture(['scan', '--only', 'system', '--snapshot', fixtureSnapshot])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Posture report for web-01 (Debian GNU/Linux 12 (bookworm), kernel 6.1.0-27-amd64, x86_64)')
    expect(result.stdout).toMatch(/FAIL  medium +system\.time-synced/)
    expect(result.stdout).toContain('fix: Enable a time client')
    expect(result.stdout).not.toContain('\u001b[')
  })

  it('--fail-on exits 1 only for failures at or above the severity', async () => {
    expect((await runPosture(['scan', '--snapshot', fixtureSnapshot, '--fail-on', 'medium'])).code).toBe(1)
    expect((await runPosture(['scan', '--snapshot', fixtureSnapshot, '--fail-on', 'high'])).code).toBe(0)
  })

  it('--rules adds user rules and overrides, and rules test checks them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posture-user-rules-'))
    writeFileSync(
      join(dir, 'virt.yaml'),
      `- id: site.no-containers
  title: Production runs on full VMs
  domain: system
  severity: low
  check: facts.system.virtualization in params.allowed
  message: "virtualization is {{ facts.system.virtualization }}"
  params: { allowed: [kvm, none] }
  rationale: Our hosting policy promises dedicated kernels to customers.
  remediation: Move the service to a KVM guest.
  controls: { iso27001: [A.8.22] }
  tests:
    - { facts: { system: { virtualization: kvm } }, expect: pass }
    - { facts: { system: { virtualization: docker } }, expect: fail }
- override: system.time-synced
  severity: critical
`,
    )
    const scan = parseReport((await runPosture(['scan', '--json', '--snapshot', fixtureSnapshot, '--rules', dir])).stdout)
    expect(scan.findings.find((f) => f.rule === 'site.no-containers')?.status).toBe('pass')
    expect(scan.findings.find((f) => f.rule === 'system.time-synced')).toMatchObject({ severity: 'critical', status: 'fail' })
    expect(scan.score.grade).toBe('F')

    const test = await runPosture(['rules', 'test', dir])
    expect(test.stdout).toContain('2 passed, 0 failed (1 rules)')
    expect(test.code).toBe(0)

    writeFileSync(join(dir, 'virt.yaml'), readFileSync(join(dir, 'virt.yaml'), 'utf8').replace('expect: fail', 'expect: pass'))
    const failing = await runPosture(['rules', 'test', dir])
    expect(failing.code).toBe(2)
    expect(failing.stdout).toContain('FAIL site.no-containers — case 2: expected "pass", got "fail"')
  })

  it('rules list shows the catalogue', async () => {
    const result = await runPosture(['rules', 'list', '--json'])
    const list = JSON.parse(result.stdout) as { version: string; rules: { id: string; controls: object }[] }
    expect(list.rules.map((r) => r.id)).toContain('system.time-synced')
  })
})

describe('bad input: one clear line, exit 2, nothing half-written', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['not JSON', () => ['scan', '--snapshot', write('garbage.json', '{"schema": "posture.snap')], /garbage\.json: not a snapshot: invalid JSON/],
    ['another schema', () => ['scan', '--snapshot', write('report.json', '{"schema":"posture.report/v1"}')], /report\.json: not a posture\.snapshot\/v1 file \(schema is "posture\.report\/v1"\)/],
    [
      'a corrupt snapshot',
      () => ['scan', '--snapshot', write('corrupt.json', JSON.stringify({ ...JSON.parse(readFileSync(fixtureSnapshot, 'utf8')), commands: { 'uname -m': { stdout: 1 } } }))],
      /corrupt\.json: corrupt snapshot at commands\.uname -m/,
    ],
    ['a missing snapshot', () => ['scan', '--snapshot', join(work, 'nope.json')], /nope\.json: cannot read snapshot \(no such file\)/],
    ['an unknown domain', () => ['scan', '--only', 'system,weather'], /--only: unknown domain "weather" \(known: system, tls/],
    ['an unknown flag', () => ['scan', '--jsn'], /posture scan: Unknown option '--jsn' \(see posture scan --help\)/],
    ['an unknown severity', () => ['scan', '--fail-on', 'severe'], /--fail-on: unknown severity "severe"/],
    ['malformed rule YAML', () => ['scan', '--snapshot', fixtureSnapshot, '--rules', dirWith('bad.yaml', '- id: a.b\n  title: [x\n')], /bad\.yaml:\d+: invalid YAML/],
    ['a CEL syntax error', () => ['rules', 'list', '--rules', dirWith('cel.yaml', rule('facts.system.hostname ==='))], /cel\.yaml:5: rule u\.cel: check: CEL .* \(at column \d+\)/],
    ['an unknown fact', () => ['rules', 'list', '--rules', dirWith('fact.yaml', rule('facts.system.kernal.release == "x"'))], /rule u\.cel: check: unknown fact facts\.system\.kernal/],
    ['gather without --out', () => ['gather'], /posture gather: --out FILE is required/],
    ['an unknown command', () => ['scna'], /posture: unknown command "scna"/],
  ]
  it.each(cases)('%s', async (_name, args, message) => {
    const result = await runPosture(args())
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('a snapshot that cannot be written leaves no file behind and exits 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posture-out-'))
    const result = await runPosture(['gather', '--only', 'system', '--out', join(dir, 'missing-dir', 'snap.json')])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/snap\.json: cannot write snapshot \(ENOENT\)/)
    expect(readdirSync(dir)).toEqual([])
  })
})

function write(name: string, text: string): string {
  const path = join(work, name)
  writeFileSync(path, text)
  return path
}

function dirWith(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'posture-bad-rules-'))
  writeFileSync(join(dir, name), text)
  return dir
}

function rule(check: string): string {
  return `- id: u.cel\n  title: t\n  domain: system\n  severity: low\n  check: ${JSON.stringify(check)}\n  rationale: r\n  remediation: x\n`
}
