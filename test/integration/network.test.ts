import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Finding } from '../../rules/finding.js'
import type { NetworkFacts } from '../../rules/facts/network.js'

/**
 * The network domain against real kernels: three network namespaces this test creates
 * and removes — `node` (the scanned host: pub0 203.0.113.1/24 + 2001:db8:77::1/64 on the
 * "public" segment, mgmt0 10.77.0.1/24 on the "management" one), `pub` (a host on the
 * public segment) and `mgmt` (one on the management segment), joined by veth pairs made
 * inside the namespaces. Each scan runs the real gatherer inside a namespace
 * (`ip netns exec NS vite-node network-netns-scan.ts`). No packet leaves these namespaces;
 * fixed service ports are safe because the namespaces are new and private to this run.
 * Needs root, iproute2, nftables and iptables: skipped loudly elsewhere, failing in CI.
 */
const root = resolve(import.meta.dirname, '../..')
const id = `pst-${process.pid}-${randomBytes(3).toString('hex')}`
const ns = { node: `${id}-node`, pub: `${id}-pub`, mgmt: `${id}-mgmt` }

function missingPrerequisite(): string | null {
  if (process.getuid?.() !== 0) return 'not root'
  for (const tool of ['ip', 'nft', 'iptables', 'ip6tables', 'sysctl']) {
    if (spawnSync(tool, tool === 'ip' ? ['-V'] : ['--version'], { stdio: 'ignore' }).error) return `${tool} is not installed`
  }
  const probe = `${id}-check`
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'cannot create network namespaces'
  spawnSync('ip', ['netns', 'del', probe])
  return null
}

const missing = missingPrerequisite()
if (missing !== null) {
  console.warn(`SKIPPING network namespace integration tests: ${missing} (they run as root in CI)`)
  if (process.env.CI) {
    it('network namespace integration tests can run in CI', () => {
      throw new Error(`network namespace tests cannot run in CI: ${missing}`)
    })
  }
}

function sh(...argv: string[]): string {
  return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}
function inNs(name: string, ...argv: string[]): string {
  return sh('ip', 'netns', 'exec', name, ...argv)
}

interface ScanOutput {
  facts: { network: NetworkFacts }
  factErrors: Record<string, string>
  findings: Finding[]
}

/**
 * A scanner process inside a namespace: the real gatherer and rules, one scan per IPC
 * message (see network-netns-scan.ts). Started once per namespace.
 */
class NamespaceScanner {
  readonly #child: ChildProcess
  readonly #messages: unknown[] = []
  #waiting: ((message: unknown) => void) | null = null
  #stderr = ''

  constructor(namespace: string) {
    this.#child = spawn('ip', ['netns', 'exec', namespace, resolve(root, 'node_modules/.bin/vite-node'), resolve(root, 'test/integration/network-netns-scan.ts')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4000)))
    this.#child.on('message', (message) => {
      const deliver = this.#waiting
      this.#waiting = null
      if (deliver) deliver(message)
      else this.#messages.push(message)
    })
  }

  #next(): Promise<unknown> {
    if (this.#messages.length > 0) return Promise.resolve(this.#messages.shift())
    return new Promise((resolveMessage, reject) => {
      const onExit = (code: number | null) => reject(new Error(`scanner exited ${code}: ${this.#stderr}`))
      this.#child.once('exit', onExit)
      this.#waiting = (message) => {
        this.#child.off('exit', onExit)
        resolveMessage(message)
      }
    })
  }

  async ready(): Promise<void> {
    expect(await this.#next()).toBe('ready')
  }

  async scan(network: unknown = {}): Promise<ScanOutput> {
    this.#child.send(network as object)
    const answer = (await this.#next()) as ScanOutput | { error: string }
    if ('error' in answer) throw new Error(`scan failed in the namespace: ${answer.error}`)
    return answer
  }

  stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return Promise.resolve()
    return new Promise((done) => {
      this.#child.once('exit', () => done())
      this.#child.disconnect()
    })
  }
}

function statusOf(output: ScanOutput, rule: string, target = ''): string | undefined {
  return output.findings.find((f) => f.rule === rule && f.target === target)?.status
}

/** A TCP listener inside a namespace; resolves once it listens (no sleeps). */
const listeners = new Set<ChildProcess>()
function listenIn(namespace: string, host: string, port: number, ipv6Only = false): Promise<ChildProcess> {
  const script = `require('net').createServer((s) => s.destroy()).listen({ host: ${JSON.stringify(host)}, port: ${port}, ipv6Only: ${ipv6Only} }, () => console.log('ready'))`
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  listeners.add(child)
  return new Promise((resolveReady, reject) => {
    let err = ''
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolveReady(child)
    })
    child.once('exit', (code) => reject(new Error(`listener ${host}:${port} in ${namespace} exited ${code}: ${err}`)))
  })
}
function stop(child: ChildProcess): Promise<void> {
  listeners.delete(child)
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((done) => {
    child.once('exit', () => done())
    child.kill('SIGTERM')
  })
}

describe.skipIf(missing !== null)('network domain in network namespaces', { timeout: 120_000 }, () => {
  let wildcardPostgres: ChildProcess
  const scanners: Partial<Record<keyof typeof ns, NamespaceScanner>> = {}
  const scanIn = (name: keyof typeof ns, network: unknown = {}): Promise<ScanOutput> => scanners[name]!.scan(network)

  beforeAll(async () => {
    for (const name of Object.values(ns)) sh('ip', 'netns', 'add', name)
    const ip = (name: string, ...args: string[]) => sh('ip', '-n', name, ...args)
    ip(ns.node, 'link', 'set', 'lo', 'up')
    ip(ns.node, 'link', 'add', 'pub0', 'type', 'veth', 'peer', 'name', 'pubp', 'netns', ns.pub)
    ip(ns.node, 'link', 'add', 'mgmt0', 'type', 'veth', 'peer', 'name', 'mgmtp', 'netns', ns.mgmt)
    ip(ns.node, 'addr', 'add', '203.0.113.1/24', 'dev', 'pub0')
    ip(ns.node, 'addr', 'add', '2001:db8:77::1/64', 'dev', 'pub0', 'nodad')
    ip(ns.node, 'addr', 'add', '10.77.0.1/24', 'dev', 'mgmt0')
    ip(ns.pub, 'addr', 'add', '203.0.113.2/24', 'dev', 'pubp')
    ip(ns.pub, 'addr', 'add', '2001:db8:77::2/64', 'dev', 'pubp', 'nodad')
    ip(ns.mgmt, 'addr', 'add', '10.77.0.2/24', 'dev', 'mgmtp')
    for (const [name, dev] of [[ns.node, 'pub0'], [ns.node, 'mgmt0'], [ns.pub, 'pubp'], [ns.mgmt, 'mgmtp'], [ns.pub, 'lo'], [ns.mgmt, 'lo']] as const) ip(name, 'link', 'set', dev, 'up')

    wildcardPostgres = await listenIn(ns.node, '0.0.0.0', 5432)
    await listenIn(ns.node, '10.77.0.1', 6379)
    await listenIn(ns.node, '203.0.113.1', 8080)
    await listenIn(ns.node, '::', 9100)
    for (const name of Object.keys(ns) as (keyof typeof ns)[]) scanners[name] = new NamespaceScanner(ns[name])
    await Promise.all(Object.values(scanners).map((s) => s.ready()))
  }, 120_000)

  afterAll(async () => {
    await Promise.all(Object.values(scanners).map((s) => s.stop()))
    await Promise.all([...listeners].map(stop))
    const left: string[] = []
    for (const name of Object.values(ns)) {
      const result = spawnSync('ip', ['netns', 'del', name], { encoding: 'utf8' })
      if (result.status !== 0 && !/No such file/.test(result.stderr)) left.push(`${name}: ${result.stderr.trim()}`)
    }
    expect(left, 'namespaces removed').toEqual([])
  })

  it('a node without policy: wildcard management listeners on public addresses fail, kernel and firewall defaults fail, policy checks say how to configure', async () => {
    const output = await scanIn('node')
    expect(Object.keys(output.factErrors).filter((k) => k.startsWith('network'))).toEqual([])
    const network = output.facts.network
    expect(network.interfaces!.map((i) => `${i.target}:${i.zone}`).sort()).toEqual(['lo:loopback', 'mgmt0:private', 'pub0:public'])

    expect(statusOf(output, 'net.mgmt-services-private', 'tcp 0.0.0.0:5432')).toBe('fail')
    expect(statusOf(output, 'net.mgmt-services-private', 'tcp *:9100')).toBe('fail')
    expect(network.listeners!.find((l) => l.port === 9100)!.publicAddresses).toEqual(expect.arrayContaining(['203.0.113.1', '2001:db8:77::1']))
    expect(statusOf(output, 'net.mgmt-services-private', 'tcp 10.77.0.1:6379')).toBe('pass')
    expect(statusOf(output, 'net.mgmt-services-private', 'tcp 203.0.113.1:8080')).toBeUndefined()
    expect(network.listeners!.find((l) => l.port === 8080)!.publicAddresses).toEqual(['203.0.113.1'])

    // A fresh namespace has the kernel's defaults and no ruleset.
    expect(statusOf(output, 'net.rp-filter')).toBe('fail')
    expect(statusOf(output, 'net.ip-forwarding')).toBe('pass')
    expect(statusOf(output, 'net.syncookies')).toBe('pass')
    expect(statusOf(output, 'net.firewall.default-deny')).toBe('fail')
    expect(statusOf(output, 'net.firewall.ipv6')).toBe('fail')

    const vlan = output.findings.find((f) => f.rule === 'net.private-vlan-present')!
    expect([vlan.status, vlan.message]).toEqual(['na', expect.stringContaining('network.roles.<role>.requiredVlans')])
    const isolation = output.findings.find((f) => f.rule === 'net.isolation-verified')!
    expect([isolation.status, isolation.message]).toEqual(['na', expect.stringContaining('network.isolationTargets')])
  })

  it('an isolation probe from the public segment reaches the wildcard management port, and no longer once it is rebound', async () => {
    const config = {
      group: 'public',
      isolationTargets: [{ name: 'node', group: 'management', addresses: ['203.0.113.1', '10.77.0.1'], ports: [5432] }],
      isolation: { timeoutMs: 1_000 },
    }
    const before = await scanIn('pub', config)
    const probes = before.facts.network.isolation!.probes
    expect(probes.map((p) => [p.target, p.reachable, p.outcome])).toEqual([
      ['203.0.113.1:5432', true, 'connected'],
      ['10.77.0.1:5432', false, 'unreachable'],
    ])
    expect(statusOf(before, 'net.isolation-verified', '203.0.113.1:5432')).toBe('fail')
    expect(statusOf(before, 'net.isolation-verified', '10.77.0.1:5432')).toBe('pass')

    await stop(wildcardPostgres)
    await listenIn(ns.node, '10.77.0.1', 5432)

    const after = await scanIn('pub', config)
    expect(after.facts.network.isolation!.probes.map((p) => [p.target, p.reachable, p.outcome])).toEqual([
      ['203.0.113.1:5432', false, 'refused'],
      ['10.77.0.1:5432', false, 'unreachable'],
    ])
    expect(after.findings.filter((f) => f.rule === 'net.isolation-verified').map((f) => f.status)).toEqual(['pass', 'pass'])

    // From the management segment it is reachable: a group that must be isolated from it fails.
    const fromOps = await scanIn('mgmt', { ...config, group: 'ops' })
    expect(statusOf(fromOps, 'net.isolation-verified', '10.77.0.1:5432')).toBe('fail')

    // And on the node itself the rebound listener is private now.
    expect(statusOf(await scanIn('node'), 'net.mgmt-services-private', 'tcp 10.77.0.1:5432')).toBe('pass')
  })

  it('CIS sysctls, an inet default-drop ruleset and a policy requiring the management network pass', async () => {
    const settings = [
      'net.ipv4.conf.all.rp_filter=1', 'net.ipv4.conf.default.rp_filter=1', 'net.ipv4.conf.all.log_martians=1', 'net.ipv4.conf.default.log_martians=1',
      'net.ipv4.conf.all.accept_redirects=0', 'net.ipv4.conf.default.accept_redirects=0', 'net.ipv4.conf.all.secure_redirects=0', 'net.ipv4.conf.default.secure_redirects=0',
      'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.default.send_redirects=0', 'net.ipv6.conf.all.accept_redirects=0', 'net.ipv6.conf.default.accept_redirects=0',
    ]
    // Interfaces that existed before keep their own values (the kernel ORs them with conf/all).
    for (const dev of ['pub0', 'mgmt0']) {
      for (const key of ['accept_redirects', 'secure_redirects', 'send_redirects']) settings.push(`net.ipv4.conf.${dev}.${key}=0`)
      settings.push(`net.ipv6.conf.${dev}.accept_redirects=0`)
    }
    inNs(ns.node, 'sysctl', '-q', '-w', ...settings)
    const ruleset = [
      'table inet filter {',
      '  chain input { type filter hook input priority filter; policy drop; iif "lo" accept; ct state established,related accept; iifname "mgmt0" tcp dport { 5432, 6379 } accept; tcp dport 8080 accept; }',
      '  chain forward { type filter hook forward priority filter; policy drop; }',
      '}',
    ].join('\n')
    execFileSync('ip', ['netns', 'exec', ns.node, 'nft', '-f', '-'], { input: ruleset })

    const output = await scanIn('node', {
      role: 'db',
      roles: { db: { requiredNetworks: ['mgmt'] } },
      networks: [{ name: 'mgmt', zone: 'private', cidrs: ['10.77.0.0/24'] }],
    })
    for (const rule of ['net.rp-filter', 'net.icmp-redirects', 'net.source-routing', 'net.syncookies', 'net.ip-forwarding', 'net.firewall.default-deny', 'net.firewall.ipv6']) {
      expect(statusOf(output, rule), rule).toBe('pass')
    }
    expect(statusOf(output, 'net.private-vlan-present', 'network mgmt')).toBe('pass')
    // The dual-stack exporter still listens on every address, but the firewall drops it on pub0.
    expect(statusOf(output, 'net.mgmt-services-private', 'tcp *:9100')).toBe('pass')
    expect(output.facts.network.listeners!.find((l) => l.port === 9100)!.filteredPublicAddresses).toEqual(expect.arrayContaining(['203.0.113.1', '2001:db8:77::1']))
    expect(output.facts.network.firewall!.chains.map((c) => `${c.target} ${c.defaultVerdict}`)).toEqual(['nft inet filter input drop', 'nft inet filter forward drop'])

    // The probe from the public side now times out at the firewall instead of being refused.
    const probed = await scanIn('pub', { group: 'public', isolationTargets: [{ name: 'node', group: 'management', addresses: ['203.0.113.1'], ports: [6379] }], isolation: { timeoutMs: 500 } })
    expect(probed.facts.network.isolation!.probes.map((p) => p.outcome)).toEqual(['timeout'])
  })

  it('iptables dropping IPv4 while ip6tables accepts fails the IPv6 check only; forwarding on a non-router fails', async () => {
    inNs(ns.node, 'nft', 'flush', 'ruleset')
    inNs(ns.node, 'iptables', '-P', 'INPUT', 'DROP')
    inNs(ns.node, 'iptables', '-P', 'FORWARD', 'DROP')
    inNs(ns.node, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1')
    const output = await scanIn('node')
    expect(statusOf(output, 'net.firewall.default-deny')).toBe('pass')
    expect(statusOf(output, 'net.firewall.ipv6')).toBe('fail')
    expect(output.findings.find((f) => f.rule === 'net.firewall.ipv6')!.message).toContain('IPv6 input: none')
    expect(statusOf(output, 'net.ip-forwarding')).toBe('fail')
    // The exporter is dropped on IPv4 but still reachable over IPv6.
    const exporter = output.facts.network.listeners!.find((l) => l.port === 9100)!
    expect(statusOf(output, 'net.mgmt-services-private', 'tcp *:9100')).toBe('fail')
    expect(exporter.publicAddresses).toContain('2001:db8:77::1')
    expect(exporter.filteredPublicAddresses).toEqual(['203.0.113.1'])
    // A role that routes may forward.
    expect(statusOf(await scanIn('node', { role: 'router', roles: { router: { routes: true } } }), 'net.ip-forwarding')).toBe('na')
  })
})
