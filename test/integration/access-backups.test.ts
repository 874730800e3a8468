import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatherBackups } from '../../agent/gatherers/access/gather-backups.js'
import { backupSourceConfigSchema } from '../../agent/gatherers/access/access-config.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { evaluateRules } from '../../rules/evaluate.js'
import { accessRules } from '../unit/agent/gatherers/access/fixture.js'

/**
 * backup.recent against real backups: files found with the real find/stat, a real restic
 * repository and a real borg repository, passwords only in files the config names.
 */
function has(tool: string, versionArg: string): boolean {
  try {
    execFileSync(tool, [versionArg], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const tools = { restic: has('restic', 'version'), borg: has('borg', '--version') }
for (const [tool, present] of Object.entries(tools)) {
  if (present) continue
  if (process.env.CI) throw new Error(`${tool} is missing in CI (apt-get install restic borgbackup)`)
  console.warn(`SKIPPING the ${tool} part of the access backup tests: ${tool} is not installed`)
}

const rule = accessRules().filter((r) => r.spec.id === 'backup.recent')
const host = new LocalHost()
let dir = ''

function sources(list: unknown[]) {
  return list.map((s) => backupSourceConfigSchema.parse(s))
}

async function verdicts(list: unknown[], now: Date) {
  const found = await gatherBackups(host, sources(list))
  const findings = evaluateRules(rule, { facts: { access: { backup: { sources: found } } }, factErrors: {}, now })
  return { found, findings }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-access-backups-'))
  writeFileSync(join(dir, 'pass'), 'restic pass 93b1\n', { mode: 0o600 })
  writeFileSync(join(dir, 'wrong-pass'), 'not it\n', { mode: 0o600 })
  writeFileSync(join(dir, 'borg pass'), 'borg pass 5c2e', { mode: 0o600 })
  mkdirSync(join(dir, 'data'))
  writeFileSync(join(dir, 'data', 'file.txt'), 'payload\n')
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('backup.recent on real backups', () => {
  it('files: the newest match by modification time, depth-bounded', async () => {
    const backups = join(dir, 'var-backups')
    mkdirSync(join(backups, 'nested'), { recursive: true })
    const at = (name: string, iso: string) => {
      writeFileSync(join(backups, name), 'dump')
      utimesSync(join(backups, name), new Date(iso), new Date(iso))
    }
    at('db-2026-01-01.sql.gz', '2026-01-01T02:00:00Z')
    at('db-2026-01-02.sql.gz', '2026-01-02T02:00:00Z')
    at('other-2026-01-03.tar', '2026-01-03T02:00:00Z')
    at('nested/db-2026-01-04.sql.gz', '2026-01-04T02:00:00Z')
    const glob = join(backups, 'db-*.sql.gz')

    const { found, findings } = await verdicts([{ kind: 'files', name: 'db', glob }], new Date('2026-01-02T20:00:00Z'))
    expect(found).toEqual([{ target: 'db', kind: 'files', location: glob, newest: '2026-01-02T02:00:00.000Z', count: 2, maxAgeHours: 26 }])
    expect(findings.map((f) => f.status)).toEqual(['pass'])

    const late = await verdicts([{ kind: 'files', name: 'db', glob }], new Date('2026-01-04T20:00:00Z'))
    expect(late.findings[0]!.status).toBe('fail')
    expect(late.findings[0]!.message).toBe(`newest backup in ${glob} is from 2026-01-02T02:00:00.000Z, 66 h ago (limit 26 h)`)

    const deep = await verdicts([{ kind: 'files', glob: join(backups, '**', 'db-*.sql.gz') }], new Date('2026-01-04T20:00:00Z'))
    expect(deep.found[0]).toMatchObject({ newest: '2026-01-04T02:00:00.000Z', count: 3 })

    const missing = await verdicts([{ kind: 'files', glob: join(dir, 'nowhere', '*.tar') }], new Date())
    expect(missing.findings[0]).toMatchObject({ status: 'fail', message: `no backup found in ${join(dir, 'nowhere', '*.tar')}` })
  })

  it.skipIf(!tools.restic)('restic: the newest snapshot; a wrong password is an error', { timeout: 120_000 }, async () => {
    const repo = join(dir, 'restic')
    const restic = (...args: string[]) => execFileSync('restic', ['-r', repo, '--password-file', join(dir, 'pass'), '-q', ...args], { stdio: 'pipe' })
    restic('init')
    const before = Date.now()
    restic('backup', '--host', 'node1', join(dir, 'data'))
    const after = Date.now()

    const { found, findings } = await verdicts([{ kind: 'restic', repository: repo, passwordFile: join(dir, 'pass'), host: 'node1' }], new Date(after + 3_600_000))
    const source = found[0] as { newest: string; count: number }
    expect(source.count).toBe(1)
    expect(Date.parse(source.newest)).toBeGreaterThanOrEqual(before - 1000)
    expect(Date.parse(source.newest)).toBeLessThanOrEqual(after + 1000)
    expect(findings[0]!.status).toBe('pass')

    const otherHost = await verdicts([{ kind: 'restic', repository: repo, passwordFile: join(dir, 'pass'), host: 'node2' }], new Date())
    expect(otherHost.findings[0]).toMatchObject({ status: 'fail', message: `no backup found in ${repo}` })

    const wrong = await verdicts([{ kind: 'restic', name: 'r', repository: repo, passwordFile: join(dir, 'wrong-pass') }], new Date())
    expect(wrong.findings[0]!.status).toBe('error')
    expect(wrong.findings[0]!.message).toMatch(/exited \d+: .*(wrong password|no key found)/)
    expect(wrong.findings[0]!.message).not.toContain('not it')
  })

  it.skipIf(!tools.borg)('borg: the newest archive, with the passphrase read from a file', { timeout: 120_000 }, async () => {
    const repo = join(dir, 'borg')
    const env = { ...process.env, BORG_PASSPHRASE: 'borg pass 5c2e' }
    execFileSync('borg', ['init', '--encryption=repokey', repo], { env, stdio: 'pipe' })
    const before = Date.now()
    execFileSync('borg', ['create', `${repo}::first`, join(dir, 'data')], { env, stdio: 'pipe' })
    const after = Date.now()

    const { found, findings } = await verdicts([{ kind: 'borg', repository: repo, passphraseFile: join(dir, 'borg pass') }], new Date(after + 60_000))
    const source = found[0] as { newest: string; count: number }
    expect(source.count).toBe(1)
    // Borg prints local time without a zone; run with TZ=UTC it must land on the real instant.
    expect(Date.parse(source.newest)).toBeGreaterThanOrEqual(before - 2000)
    expect(Date.parse(source.newest)).toBeLessThanOrEqual(after + 1000)
    expect(findings[0]!.status).toBe('pass')

    const noPassphrase = await verdicts([{ kind: 'borg', name: 'b', repository: repo, passphraseFile: join(dir, 'wrong-pass') }], new Date())
    expect(noPassphrase.findings[0]!.status).toBe('error')
    expect(noPassphrase.findings[0]!.message).toMatch(/exited 2: .*passphrase/i)
  })
})
