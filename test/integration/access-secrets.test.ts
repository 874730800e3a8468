import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatherSnapshot } from '../../agent/gather-snapshot.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { scanConfigSchema } from '../../agent/scan-config.js'
import { scanHost } from '../../agent/scan.js'
import { parseSnapshot } from '../../agent/snapshot.js'
import { loadScoringPolicy, type RuleSet } from '../../rules/load-rules.js'
import { accessRules, fixture } from '../unit/agent/gatherers/access/fixture.js'

/**
 * Secrets never leave the node: a live gather of a temporary root holding a shadow file
 * with known hashes (and a restic repository with a known password, when restic is
 * here), recorded into a snapshot and replayed into a report. Neither the snapshot, nor
 * the facts, findings or report, holds any hash, salt or password.
 */
const shadow = fixture('shadow.sample')
const passwd = fixture('passwd.sample')
/** Salts and hashes of every stored password in the samples (whatever follows `$id$`), plus the DES ones. */
const hashSecrets = [...`${shadow}\n${passwd}`.matchAll(/\$[A-Za-z0-9]+\$([^:\n]+)/g)]
  .flatMap((m) => m[1]!.split('$'))
  .filter((part) => part.length >= 8)
  .concat(['aby5jL/kxH6jI', 'zqbjNGt8Qg4SM'])
const repositoryPassword = 'correct horse battery staple 7f3a'
const hasRestic = commandExists('restic')
if (!hasRestic) {
  if (process.env.CI) throw new Error('restic is missing in CI (apt-get install restic)')
  console.warn('SKIPPING the restic part of the access secrets test: restic is not installed')
}

let dir = ''
let root = ''

function commandExists(name: string): boolean {
  try {
    execFileSync(name, ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'posture-access-secrets-'))
  root = join(dir, 'root')
  mkdirSync(join(root, 'etc/pam.d'), { recursive: true })
  writeFileSync(join(root, 'etc/shadow'), shadow, { mode: 0o640 })
  writeFileSync(join(root, 'etc/passwd'), passwd)
  writeFileSync(join(root, 'etc/login.defs'), fixture('debian12/login.defs'))
  writeFileSync(join(root, 'etc/sudoers'), fixture('debian12/sudoers'))
  for (const file of ['sshd', 'common-auth', 'common-account', 'common-session', 'common-password', 'login', 'passwd', 'other']) {
    writeFileSync(join(root, 'etc/pam.d', file), fixture(`debian12/pam.d/${file}`))
  }
  if (hasRestic) {
    writeFileSync(join(dir, 'restic-pass'), `${repositoryPassword}\n`, { mode: 0o600 })
    mkdirSync(join(dir, 'data'))
    writeFileSync(join(dir, 'data', 'file.txt'), 'payload\n')
    const restic = (...args: string[]) => execFileSync('restic', ['-r', join(dir, 'restic'), '--password-file', join(dir, 'restic-pass'), '-q', ...args], { stdio: 'pipe' })
    restic('init')
    restic('backup', join(dir, 'data'))
  }
}, 120_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('secrets never leave the node', () => {
  it('no hash, salt or repository password in the snapshot, facts, findings or report', { timeout: 120_000 }, async () => {
    const now = new Date()
    const config = scanConfigSchema.parse({
      access: {
        rootDir: root,
        sshdPath: join(dir, 'no-sshd'),
        backups: hasRestic ? [{ kind: 'restic', name: 'restic', repository: join(dir, 'restic'), passwordFile: join(dir, 'restic-pass') }] : [],
      },
    })
    const snapshot = await gatherSnapshot(new LocalHost(), ['access'], config, now)
    const snapshotJson = JSON.stringify(snapshot)

    // The gatherer read the shadow file (redacted) and saw the accounts.
    expect(snapshot.files[join(root, 'etc/shadow')]).toEqual({ content: expect.stringContaining('alice:$y$:19710') })
    expect(snapshotJson).toContain('legacy:$1$:17000')

    const ruleSet: RuleSet = { version: 'test', rules: accessRules(), scoring: loadScoringPolicy() }
    const live = await scanHost(new LocalHost(), { ruleSet, domains: ['access'], config, clock: () => now })
    const replayed = await scanHost(new SnapshotHost(parseSnapshot(snapshotJson, 'test'), 'test'), { ruleSet, domains: ['access'], config, clock: () => now })
    const outputs = { snapshot: snapshotJson, live: JSON.stringify(live), replayed: JSON.stringify(replayed) }

    for (const [name, text] of Object.entries(outputs)) {
      for (const secret of hashSecrets) expect(text, `${name} holds a password hash part`).not.toContain(secret)
      expect(text, `${name} holds the repository password`).not.toContain(repositoryPassword)
    }

    // Redaction is idempotent: the replay sees what the live scan saw.
    const verdicts = (r: typeof live) => r.findings.map((f) => `${f.rule} ${f.target} ${f.status} ${f.message}`)
    expect(verdicts(replayed)).toEqual(verdicts(live))
    expect(live.facts.access!.accounts!.passwordHashes!.map((h) => `${h.target}:${h.algorithm}`)).toEqual([
      'root:yescrypt',
      'alice:yescrypt',
      'bob:sha512crypt',
      'legacy:md5crypt',
      'olddes:descrypt',
      'guest:empty',
      'inpasswd:descrypt',
    ])
    const status = (rule: string) => live.findings.find((f) => f.rule === rule)!.status
    expect([status('auth.password-hashes'), status('auth.empty-passwords'), status('auth.uid0')]).toEqual(['fail', 'fail', 'fail'])
    if (hasRestic) {
      expect(live.facts.access!.backup!.sources[0]).toMatchObject({ target: 'restic', kind: 'restic', count: 1 })
      expect(status('backup.recent')).toBe('pass')
    }
  })
})
