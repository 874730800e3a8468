import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { release } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { patchesGatherer } from '../../agent/gatherers/patches/gather-patches.js'
import type { GatherResult } from '../../agent/gatherers/gatherer.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { patchesFactsSchema } from '../../rules/facts/patches.js'

/**
 * The patches gatherer on this machine (Debian 12 here and in CI) against apt itself: the
 * pending updates Posture reports must be the set apt reports at the same moment, parsed
 * here independently from `apt-get -s dist-upgrade`'s Inst lines (Posture reads
 * `apt list --upgradable`), and the security subset must agree with the origins apt prints.
 */
const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0
const isRoot = process.getuid?.() === 0
const ci = Boolean(process.env.CI)
if (!hasApt) console.warn('patches integration test: apt-get not found, this is not a Debian/Ubuntu machine: SKIPPED')

interface AptView {
  /** Installed packages apt would upgrade (Inst lines with an installed version) or keeps back. */
  pending: string[]
  /** Of the Inst lines, those whose candidate comes from a security origin. */
  security: string[]
  keptBack: string[]
  /** apt-cache policy lists a security archive. */
  securityArchive: boolean
}

/** apt's own view, parsed with plain string operations (not Posture's parsers). */
function aptView(): AptView {
  const text = execFileSync('apt-get', ['-s', '-o', 'Debug::NoLocking=true', 'dist-upgrade'], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8', maxBuffer: 64 << 20 })
  const upgrades = new Set<string>()
  const security = new Set<string>()
  const keptBack = new Set<string>()
  let inKeptBack = false
  for (const line of text.split('\n')) {
    if (inKeptBack && line.startsWith(' ')) {
      for (const name of line.trim().split(/\s+/)) keptBack.add(name)
      continue
    }
    inKeptBack = line.startsWith('The following packages have been kept back')
    const fields = line.split(' ')
    if (fields[0] !== 'Inst' || !fields[2]?.startsWith('[')) continue
    const name = fields[1]!.split(':')[0]!
    upgrades.add(name)
    const origins = line.slice(line.indexOf('(') + 1, line.lastIndexOf(' ['))
    if (origins.includes('Debian-Security:') || origins.split(', ').some((o) => o.endsWith('-security'))) security.add(name)
  }
  const policy = execFileSync('apt-cache', ['policy'], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' })
  return {
    pending: [...new Set([...upgrades, ...keptBack])].sort(),
    security: [...security].sort(),
    keptBack: [...keptBack].sort(),
    securityArchive: policy.split('\n').some((l) => l.trim().startsWith('release ') && /(l=Debian-Security|[an]=[^,]*-security)/.test(l)),
  }
}

function hasReleaseFiles(): boolean {
  return execFileSync('ls', ['/var/lib/apt/lists'], { encoding: 'utf8' }).split('\n').some((n) => /_(In)?Release$/.test(n))
}

async function gatherHere(): Promise<{ result: GatherResult; ms: number }> {
  const started = performance.now()
  const result = await patchesGatherer.gather({ host: new LocalHost(), now: new Date(), config: defaultScanConfig })
  return { result, ms: performance.now() - started }
}

/** Gathers between two looks at apt; retries when the package state changed meanwhile (another apt run). */
async function gatherAtOneMoment(): Promise<{ result: GatherResult; apt: AptView; ms: number }> {
  for (let attempt = 1; ; attempt++) {
    const before = aptView()
    const { result, ms } = await gatherHere()
    const after = aptView()
    if (JSON.stringify(before) === JSON.stringify(after) || attempt === 3) return { result, apt: after, ms }
  }
}

const lockHolders: ChildProcess[] = []
afterEach(() => {
  for (const child of lockHolders.splice(0)) child.kill()
})

/**
 * Holds fcntl write locks on the given files, as dpkg and apt do (struct flock on
 * x86_64/aarch64: short type, short whence, 4 bytes padding, off_t start, off_t len,
 * pid_t pid, padding). Perl is Essential on Debian. Resolves once the locks are held.
 */
function holdLocks(paths: string[]): Promise<ChildProcess> {
  const script = `
    use Fcntl qw(F_SETLK F_WRLCK SEEK_SET O_RDWR O_CREAT);
    $| = 1; my @held;
    for my $p (@ARGV) {
      sysopen(my $fh, $p, O_RDWR | O_CREAT, 0640) or die "open $p: $!\\n";
      my $flock = pack("s s x4 q q i x4", F_WRLCK, SEEK_SET, 0, 0, 0);
      fcntl($fh, F_SETLK, $flock) or die "lock $p: $!\\n";
      push @held, $fh;
    }
    print "locked\\n"; <STDIN>;`
  return new Promise((resolve, reject) => {
    const child = spawn('perl', ['-e', script, ...paths], { stdio: ['pipe', 'pipe', 'pipe'] })
    lockHolders.push(child)
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve(child)
    })
    child.on('exit', (code) => reject(new Error(`lock holder exited ${code}: ${stderr.trim()}`)))
  })
}

describe.skipIf(!hasApt && !ci)('patches gatherer on this machine (apt)', () => {
  it('reports the pending updates apt reports, and the same security subset', async () => {
    expect(hasApt, 'apt-get is required in CI').toBe(true)
    const { result, apt, ms } = await gatherAtOneMoment()
    const patches = patchesFactsSchema.parse(result.facts.patches)
    console.info(`patches gather took ${Math.round(ms)} ms; apt: ${apt.pending.length} pending, ${apt.security.length} security, ${apt.keptBack.length} kept back`)
    expect(patches.manager).toBe('apt')

    if (!hasReleaseFiles()) {
      // No index at all: apt knows of no updates, and Posture says it cannot know.
      expect(apt.pending).toEqual([])
      expect(result.errors['patches.pendingUpdates']).toMatch(/^apt has no package index/)
      return
    }
    const pending = patches.pendingUpdates
    expect(pending, result.errors['patches.pendingUpdates']).toBeDefined()
    expect([...new Set(pending!.map((u) => u.name))].sort()).toEqual(apt.pending)
    for (const u of pending!) {
      expect(u.installed, u.name).toMatch(/^\S+$/)
      expect(u.candidate, u.name).toMatch(/^\S+$/)
      expect(u.candidate, u.name).not.toBe(u.installed)
    }

    if (patches.securityUpdates) {
      const posture = patches.securityUpdates.map((u) => u.name).filter((n) => !apt.keptBack.includes(n))
      expect([...new Set(posture)].sort()).toEqual(apt.security.filter((n) => !apt.keptBack.includes(n)))
      expect(apt.securityArchive || apt.security.length > 0).toBe(true)
    } else {
      // Posture refused to say "none": apt must indeed have no security archive.
      expect(result.errors['patches.securityUpdates']).toMatch(/^no security archive/)
      expect(apt.securityArchive).toBe(false)
      expect(apt.security).toEqual([])
    }
  }, 120_000)

  it('gathers well-formed facts about this node', async () => {
    const { result, ms } = await gatherHere()
    const patches = patchesFactsSchema.parse(result.facts.patches)
    expect(ms).toBeLessThan(60_000)

    const osRelease = readFileSync('/etc/os-release', 'utf8')
    const versionId = /^VERSION_ID="?([^"\n]+)"?$/m.exec(osRelease)?.[1]
    expect(patches.osSupport, result.errors['patches.osSupport']).toMatchObject({ distribution: /^ID=(\S+)$/m.exec(osRelease)?.[1], cycle: versionId?.split('.')[0] })
    expect(patches.osSupport!.securityEnd).toMatch(/^\d{4}-\d{2}-\d{2}$/)

    expect(patches.index, result.errors['patches.index']).toBeDefined()
    if (patches.index!.updatedAt !== null) {
      expect(Date.parse(patches.index!.updatedAt)).toBeLessThanOrEqual(Date.now() + 60_000)
      expect(existsSync(patches.index!.source)).toBe(true)
    }

    // The kernel: this machine's, a container's (na) or an error with a reason — never a silent pass.
    if (patches.kernel) expect(patches.kernel.running).toBe(release())
    else expect(result.errors['patches.kernel']).toMatch(/\S/)
    if (!patches.reboot) expect(result.errors['patches.reboot']).toMatch(/^cannot tell whether a reboot is owed: /)

    const unattended = spawnSync('dpkg-query', ['-W', '--showformat=${db:Status-Abbrev}', 'unattended-upgrades'], { encoding: 'utf8' })
    if (!unattended.stdout.startsWith('ii')) expect(patches.autoUpdates).toMatchObject({ enabled: false, tool: 'unattended-upgrades' })
    else expect(patches.autoUpdates?.tool).toBe('unattended-upgrades')
  }, 120_000)

  it.skipIf(!isRoot && !ci)('never waits for or takes apt’s and dpkg’s locks', async () => {
    expect(isRoot, 'the lock test needs root in CI').toBe(true)
    const locks = ['/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock', '/var/lib/apt/lists/lock', '/var/cache/apt/archives/lock'].filter((p) => existsSync(p))
    await holdLocks(locks)
    // The locks really are held: a second holder cannot get them.
    await expect(holdLocks(locks.slice(0, 1))).rejects.toThrow(/lock \/var\/lib\/dpkg\/lock-frontend: Resource temporarily unavailable/)
    const { result } = await gatherHere()
    expect(result.errors['patches.pendingUpdates'] ?? '').not.toMatch(/lock/i)
    expect(result.errors['patches.autoUpdates'] ?? '').not.toMatch(/lock/i)
    if (hasReleaseFiles()) expect(result.facts.patches?.pendingUpdates).toBeDefined()
  }, 120_000)
})
