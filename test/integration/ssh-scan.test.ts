import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Finding } from '../../rules/finding.js'
import { reportSchema, type Report } from '../../rules/report.js'
import { runPosture } from '../helpers/cli.js'
import { freePort, hasSshd, startSshd, type TestSshd } from '../helpers/sshd.js'

/**
 * `posture ssh-scan` of this machine through a real sshd on 127.0.0.1 against `posture
 * scan` of the same machine: the same facts and findings, domain by domain. What is
 * normalised, and why (everything else must be equal):
 * - `system.uptimeSeconds`: the two scans run at two moments;
 * - `storage.filesystems[].usedBytes/availableBytes/usedPercent`, `storage.inodes[].used/
 *   free/usedPercent` and the same values in the evidence of `storage.fs.space` and
 *   `storage.fs.inodes`: the disk is shared with everything else running on the machine;
 * - `storage.filesystems`/`storage.inodes` and findings targeting a mount point: only mount
 *   points both scans saw (other tests mount and unmount; `/` must be among them);
 * - `network.listeners` and findings targeting a listener: only listeners seen by both
 *   scans are compared (other test processes open and close sockets between the two
 *   moments); the test's own sshd must be among them, seen the same way by both;
 * - the finding `agentless.ssh-host-key` is about the SSH connection, not the machine: `na`
 *   for the local scan, `pass` (key pinned on first use) for the SSH scan; checked apart;
 * - the `tls` and `http` domains are not compared: this machine's TLS endpoints are on
 *   loopback, which an SSH scan cannot probe from the collector's side (it would reach the
 *   collector). Instead the SSH scan must report each of them as `error` with that
 *   reason, and no tls or http finding of the SSH scan may pass or fail.
 */
const available = hasSshd()
if (!available) {
  if (process.env.CI) throw new Error('openssh-server is required in CI (.ci/run installs it)')
  console.warn('SKIPPED: ssh-scan integration tests need /usr/sbin/sshd and ssh-keygen (apt-get install openssh-server)')
}

const probedDomains = new Set(['tls', 'http'])

function parseReport(stdout: string): Report {
  return reportSchema.parse(JSON.parse(stdout))
}

type Listener = { target: string; port: number; processes?: string[] }

function listenersOf(report: Report): Listener[] {
  return ((report.facts.network as { listeners?: Listener[] } | undefined)?.listeners ?? []) as Listener[]
}

type Mount = { target: string }

function mountsOf(report: Report): Mount[] {
  const storage = report.facts.storage as { filesystems?: Mount[]; inodes?: Mount[] } | undefined
  return [...(storage?.filesystems ?? []), ...(storage?.inodes ?? [])]
}

/** A copy of the report with the moment-dependent values above normalised. */
function normalise(report: Report, sharedListeners: Set<string>, sharedMounts: Set<string>): Report {
  const copy = structuredClone(report)
  const facts = copy.facts as Record<string, Record<string, unknown> | undefined>
  if (facts.system) delete facts.system.uptimeSeconds
  const storage = facts.storage as { filesystems?: Record<string, unknown>[]; inodes?: Record<string, unknown>[] } | undefined
  const volatile = ['usedBytes', 'availableBytes', 'usedPercent', 'used', 'free']
  const strip = (o: unknown) => {
    if (o && typeof o === 'object') for (const k of volatile) delete (o as Record<string, unknown>)[k]
  }
  if (storage?.filesystems) storage.filesystems = storage.filesystems.filter((m) => sharedMounts.has(String(m.target)))
  if (storage?.inodes) storage.inodes = storage.inodes.filter((m) => sharedMounts.has(String(m.target)))
  storage?.filesystems?.forEach(strip)
  storage?.inodes?.forEach(strip)
  const network = facts.network as { listeners?: Listener[] } | undefined
  if (network?.listeners) network.listeners = network.listeners.filter((l) => sharedListeners.has(l.target))
  const listenerTargets = new Set(listenersOf(report).map((l) => l.target))
  const mountTargets = new Set(mountsOf(report).map((m) => m.target))
  copy.findings = copy.findings.filter(
    (f) => f.rule !== 'agentless.ssh-host-key' && (!listenerTargets.has(f.target) || sharedListeners.has(f.target)) && (!mountTargets.has(f.target) || sharedMounts.has(f.target)),
  )
  for (const f of copy.findings) if (f.rule === 'storage.fs.space' || f.rule === 'storage.fs.inodes') strip(f.evidence)
  return copy
}

describe.skipIf(!available)('posture ssh-scan against a real sshd', () => {
  let sshd: TestSshd
  let knownHosts: string
  const target = () => `${sshd.username}@127.0.0.1:${sshd.port}`
  const sshScan = (...extra: string[]) => runPosture(['ssh-scan', target(), '--key', sshd.clientKeyPath, '--known-hosts', knownHosts, ...extra])

  beforeAll(async () => {
    sshd = await startSshd()
    knownHosts = join(sshd.dir, 'known_hosts.json')
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('gives the same facts and findings as a local scan, domain by domain', async () => {
    const local = await runPosture(['scan', '--json'])
    expect(local.code, local.stderr).toBe(0)
    const remote = await sshScan('--json')
    expect(remote.code, remote.stderr).toBe(0)
    expect(remote.stderr).toBe(`posture ssh-scan: ${target()}: pinned host key ssh-ed25519 ${sshd.hostKeyFingerprint} (first use) in ${knownHosts}\n`)
    const [l, r] = [parseReport(local.stdout), parseReport(remote.stdout)]

    expect(r.source).toBe(`ssh:${target()}`)
    expect(r.node).toEqual(l.node)
    expect(r.domains).toEqual(l.domains)
    expect(r.factErrors).toEqual(l.factErrors)

    // The test's own sshd is listening during both scans and both see it the same way.
    const remoteListeners = new Map(listenersOf(r).map((x) => [x.target, x]))
    const shared = new Set(listenersOf(l).filter((x) => remoteListeners.has(x.target)).map((x) => x.target))
    const ownSshd = `tcp 127.0.0.1:${sshd.port}`
    expect(shared.has(ownSshd), `listeners: ${[...remoteListeners.keys()].join(', ')}`).toBe(true)
    expect(remoteListeners.get(ownSshd)?.processes).toEqual(['sshd'])

    // Mounts come and go too (other tests' network namespaces, temp mounts): compare those both saw; / must be one.
    const remoteMounts = new Set(mountsOf(r).map((m) => m.target))
    const sharedMounts = new Set(mountsOf(l).map((m) => m.target).filter((t) => remoteMounts.has(t)))
    expect(sharedMounts.has('/')).toBe(true)

    const [nl, nr] = [normalise(l, shared, sharedMounts), normalise(r, shared, sharedMounts)]
    const byDomain = (findings: Finding[], domain: string) => findings.filter((f) => f.domain === domain)
    const compared: string[] = []
    for (const domain of l.domains.filter((d) => !probedDomains.has(d))) {
      expect(nr.facts[domain as keyof Report['facts']], `facts.${domain}`).toEqual(nl.facts[domain as keyof Report['facts']])
      expect(byDomain(nr.findings, domain), `findings of ${domain}`).toEqual(byDomain(nl.findings, domain))
      if (byDomain(nl.findings, domain).length > 0) compared.push(domain)
    }
    // The comparison covers real work: the domains with rules today all produce findings.
    expect(compared).toEqual(expect.arrayContaining(['system', 'network', 'storage', 'patches', 'access']))

    const hostKey = (report: Report) => report.findings.find((f) => f.rule === 'agentless.ssh-host-key')?.status
    expect([hostKey(l), hostKey(r)]).toEqual(['na', 'pass'])
    expect(r.facts.agentless).toEqual({
      transport: 'ssh',
      target: target(),
      sudo: false,
      hostKey: { status: 'new', keyType: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprint, pinnedKeyType: null, pinnedFingerprint: null, pinnedSince: null },
    })

    // Probes of this machine's loopback services cannot run over SSH: error, never pass.
    const endpoints = ((r.facts.tls as { endpoints?: { target: string; error?: string | null }[] } | undefined)?.endpoints ?? [])
    for (const endpoint of endpoints) expect(endpoint.error, endpoint.target).toMatch(/cannot run over SSH: .* would reach the collector, not the node/)
    for (const f of r.findings.filter((f) => probedDomains.has(f.domain))) expect(['error', 'na'], `${f.rule} ${f.target}`).toContain(f.status)
  }, 300_000)

  it('prints the terminal report like posture scan, from the trusted pin on the next run', async () => {
    const result = await sshScan('--only', 'system')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe('') // already pinned: nothing to say
    expect(result.stdout).toMatch(/^Posture report for \S+/)
    expect(result.stdout).toContain(`from ssh:${target()}, rules `)
    const pins = JSON.parse(readFileSync(knownHosts, 'utf8')) as { hosts: Record<string, { fingerprint: string }> }
    expect(pins.hosts[`[127.0.0.1]:${sshd.port}`]?.fingerprint).toBe(sshd.hostKeyFingerprint)
  }, 120_000)

  it('refuses a changed host key with both fingerprints and exit 3', async () => {
    const before = sshd.hostKeyFingerprint
    await sshd.rotateHostKey()
    const result = await sshScan('--only', 'system')
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(`posture ssh-scan: host key for [127.0.0.1]:${sshd.port} has changed: pinned ssh-ed25519 ${before}`)
    expect(result.stderr).toContain(`presented ssh-ed25519 ${sshd.hostKeyFingerprint}; scan refused`)
    // The pin is not replaced by the refused key.
    const pins = JSON.parse(readFileSync(knownHosts, 'utf8')) as { hosts: Record<string, { fingerprint: string }> }
    expect(pins.hosts[`[127.0.0.1]:${sshd.port}`]?.fingerprint).toBe(before)
  }, 120_000)

  it('says authentication failed for a key the server does not accept', async () => {
    const result = await runPosture(['ssh-scan', target(), '--key', sshd.wrongKeyPath, '--known-hosts', join(sshd.dir, 'other.json'), '--only', 'system'])
    expect(result.code).toBe(3)
    expect(result.stderr).toBe(`posture ssh-scan: ssh ${target()}: authentication failed (tried the given key; password and keyboard-interactive are never used)\n`)
    expect(result.stderr).not.toContain(readFileSync(sshd.wrongKeyPath, 'utf8').split('\n')[1]!)
  }, 60_000)

  it('says connection refused for a closed port', async () => {
    const port = await freePort()
    const result = await runPosture(['ssh-scan', `${sshd.username}@127.0.0.1:${port}`, '--key', sshd.clientKeyPath, '--known-hosts', join(sshd.dir, 'other.json')])
    expect(result.code).toBe(3)
    expect(result.stderr).toBe(`posture ssh-scan: ssh ${sshd.username}@127.0.0.1:${port}: connection refused (is sshd listening on that port?)\n`)
  }, 60_000)

  it('says so when the server never speaks SSH within --connect-timeout', async () => {
    const sockets = new Set<Socket>()
    const silent: Server = createServer((socket) => sockets.add(socket)) // accepts and says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    try {
      const result = await runPosture(['ssh-scan', `${sshd.username}@127.0.0.1:${port}`, '--key', sshd.clientKeyPath, '--known-hosts', join(sshd.dir, 'other.json'), '--connect-timeout', '500'])
      expect(result.code).toBe(3)
      expect(result.stderr).toBe(`posture ssh-scan: ssh ${sshd.username}@127.0.0.1:${port}: no SSH handshake within 500 ms\n`)
    } finally {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  }, 60_000)

  it('rejects bad usage with exit 2', async () => {
    expect(await runPosture(['ssh-scan'])).toMatchObject({ code: 2 })
    expect(await runPosture(['ssh-scan', 'root@bad host'])).toMatchObject({ code: 2 })
    expect(await runPosture(['ssh-scan', target(), '--key', join(sshd.dir, 'no-such-key')])).toMatchObject({ code: 2, stderr: expect.stringContaining('no-such-key: cannot read (no such file)') })
    const noKey = await runPosture(['ssh-scan', target()], { env: { SSH_AUTH_SOCK: '' } })
    expect(noKey).toMatchObject({ code: 2, stderr: expect.stringContaining('no key: give --key FILE or run ssh-agent') })
  }, 60_000)
})
