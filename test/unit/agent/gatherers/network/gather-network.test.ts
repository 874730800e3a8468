import { describe, expect, it } from 'vitest'
import { gatherNetwork } from '../../../../../agent/gatherers/network/gather-network.js'
import type { Connect } from '../../../../../agent/gatherers/network/isolation-probe.js'
import { SnapshotHost } from '../../../../../agent/host/snapshot-host.js'
import { scanConfigSchema } from '../../../../../agent/scan-config.js'
import type { Snapshot } from '../../../../../agent/snapshot.js'
import { evaluateRules } from '../../../../../rules/evaluate.js'
import type { Facts } from '../../../../../rules/facts/facts.js'
import type { Finding } from '../../../../../rules/finding.js'
import { fixture, networkRules, snapshotFixture } from './fixture.js'

const rules = networkRules()
const noConnect: Connect = async () => {
  throw new Error('unit tests never connect')
}

async function scan(snapshot: Snapshot, network: unknown = {}) {
  const config = scanConfigSchema.parse({ network })
  const { facts, errors } = await gatherNetwork({ host: new SnapshotHost(snapshot, 'fixture'), now: new Date('2026-11-23T00:00:00Z'), config }, noConnect)
  const findings = evaluateRules(rules, { facts: facts as Facts, factErrors: errors, now: new Date('2026-11-23T00:00:00Z') })
  return { network: facts.network!, errors, findings }
}

/** rule → status, or rule target → status for per-item rules. */
function statuses(findings: Finding[], rule: string): Record<string, string> {
  return Object.fromEntries(findings.filter((f) => f.rule === rule).map((f) => [f.target, f.status]))
}
function one(findings: Finding[], rule: string): Finding {
  const matching = findings.filter((f) => f.rule === rule)
  expect(matching, rule).toHaveLength(1)
  return matching[0]!
}

describe('gatherNetwork on a namespace with default settings and no policy', async () => {
  const { network, errors, findings } = await scan(snapshotFixture('netns-default.snapshot.json'))

  it('gathers every fact', () => {
    expect(errors).toEqual({})
    expect(network.interfaces!.map((i) => `${i.target}:${i.kind}:${i.zone}`)).toEqual(['lo:loopback:loopback', 'br0:bridge:private', 'v0:veth:link-local', 'v1:veth:public'])
    expect(network.defaultRoutes!.map((r) => r.target)).toEqual(['ipv4 default via 203.0.113.1 dev v1', 'ipv6 default via 2001:db8:10::ff dev v1'])
    expect(network.listeners).toHaveLength(16)
    expect(network.ipv6Enabled).toBe(true)
    expect(network.firewall).toMatchObject({ ipv4: { input: 'none', forward: 'none' }, ipv6: { input: 'none', forward: 'none' }, ruleCount: 0, iptablesBackend: 'nf_tables' })
    expect(network.policy).toMatchObject({ configured: false, role: null, routes: false })
    expect(network.isolation).toEqual({ status: 'not-configured', planner: 'config', group: 'ungrouped', skipped: 0, probes: [] })
  })

  it('still finds wildcard management listeners on public addresses', () => {
    expect(statuses(findings, 'net.mgmt-services-private')).toMatchObject({
      'tcp 0.0.0.0:3306': 'fail',
      'tcp *:8443': 'fail',
      'udp *:11211': 'fail',
      'tcp 10.10.0.1:5432': 'pass',
      'tcp 0.0.0.0%br0:9200': 'pass',
      'tcp [::]%br0:2375': 'pass',
      'tcp [::1]:6379': 'pass',
    })
    expect(statuses(findings, 'net.mgmt-services-private')['tcp 0.0.0.0:8080']).toBeUndefined()
    expect(network.managementListeners!.map((l) => l.port)).toEqual([2375, 3306, 5432, 6379, 8443, 9090, 9100, 9200, 11211])
    const mysql = findings.find((f) => f.target === 'tcp 0.0.0.0:3306')!
    expect(mysql.message).toBe('mysql (3306/tcp, process python3) listens on tcp 0.0.0.0:3306 and is reachable on public addresses 203.0.113.10 (no firewall rule certainly drops it there)')
  })

  it('fails the kernel and firewall checks CIS fails on defaults', () => {
    expect(one(findings, 'net.rp-filter')).toMatchObject({ status: 'fail', message: 'rp_filter (max of all and interface): default=0, br0=0, v0=0, v1=0; log_martians off on: default, br0, v0, v1' })
    expect(one(findings, 'net.icmp-redirects').status).toBe('fail')
    expect(one(findings, 'net.ip-forwarding').status).toBe('pass')
    expect(one(findings, 'net.source-routing').status).toBe('pass')
    expect(one(findings, 'net.syncookies').status).toBe('pass')
    expect(one(findings, 'net.firewall.default-deny').message).toContain('IPv4 input: none, forward: none')
    expect(one(findings, 'net.firewall.default-deny').status).toBe('fail')
    expect(one(findings, 'net.firewall.ipv6').status).toBe('fail')
  })

  it('says how to configure the policy-dependent checks', () => {
    const vlan = one(findings, 'net.private-vlan-present')
    expect(vlan.status).toBe('na')
    expect(vlan.message).toContain('network.roles.<role>.requiredVlans')
    const isolation = one(findings, 'net.isolation-verified')
    expect(isolation.status).toBe('na')
    expect(isolation.message).toContain('network.isolationTargets')
  })
})

describe('gatherNetwork on the hardened namespace with a policy', async () => {
  const policy = {
    role: 'storage',
    roles: { storage: { requiredVlans: [100], requiredNetworks: ['mgmt'] } },
    networks: [{ name: 'mgmt', zone: 'private', cidrs: ['10.10.0.0/24'] }],
    group: 'storage',
    isolationTargets: [{ name: 'web1', group: 'storage', addresses: ['10.10.0.9'], ports: [22] }],
  }
  const { network, findings } = await scan(snapshotFixture('netns-hardened.snapshot.json'), policy)

  it('counts management ports the firewall drops on the public interface as private', () => {
    // The same wildcard listeners as the default capture, behind `policy drop` accepting only 51413 publicly.
    expect(statuses(findings, 'net.mgmt-services-private')).toMatchObject({ 'tcp 0.0.0.0:3306': 'pass', 'tcp *:8443': 'pass', 'udp *:11211': 'pass' })
    const mysql = network.listeners!.find((l) => l.target === 'tcp 0.0.0.0:3306')!
    expect(mysql).toMatchObject({ publicAddresses: [], filteredPublicAddresses: ['203.0.113.10'] })
    expect(mysql.exposure.find((e) => e.interface === 'br0')).toMatchObject({ zone: 'private', filtered: true })
  })

  it('passes the firewall and anti-spoofing checks', () => {
    expect(network.firewall!.chains.map((c) => c.target)).toEqual(['nft inet filter input', 'nft inet filter forward', 'nft inet filter output'])
    expect(one(findings, 'net.firewall.default-deny').status).toBe('pass')
    expect(one(findings, 'net.firewall.ipv6').status).toBe('pass')
    expect(one(findings, 'net.rp-filter').status).toBe('pass')
    // conf/all=0 does not reach interfaces created before it: the kernel ORs all and the interface.
    expect(one(findings, 'net.icmp-redirects')).toMatchObject({ status: 'fail' })
    expect(one(findings, 'net.icmp-redirects').message).toContain('accepts IPv4 redirects on br0, v1')
  })

  it('checks the required VLAN and network', () => {
    expect(network.policy).toMatchObject({ configured: true, role: 'storage', networks: ['mgmt (private)'] })
    expect(statuses(findings, 'net.private-vlan-present')).toEqual({ 'vlan 100': 'fail', 'network mgmt': 'pass' })
    expect(findings.find((f) => f.target === 'vlan 100')!.message).toContain('no interface carries it')
    expect(network.interfaces!.find((i) => i.target === 'br0')!.addresses[0]).toMatchObject({ network: 'mgmt', zone: 'private' })
  })

  it('does not probe its own group', () => {
    expect(network.isolation).toEqual({ status: 'nothing-to-probe', planner: 'config', group: 'storage', skipped: 1, probes: [] })
    expect(one(findings, 'net.isolation-verified').message).toContain('every isolation target is in group storage')
  })
})

describe('gatherNetwork fallbacks and failures', () => {
  it('reads /proc/net when ss is missing, as the worst case', async () => {
    const snapshot = snapshotFixture('netns-default.snapshot.json')
    snapshot.commands['ss -H -tulnp'] = { error: 'ENOENT', message: 'ss: command not found' }
    for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) snapshot.files[`/proc/net/${table}`] = { content: fixture(`netns-proc-net-${table}.txt`) }
    const { network, findings } = await scan(snapshot)
    expect(network.listeners!.every((l) => l.source === 'proc')).toBe(true)
    // The device-bound 9200 and the v6-only 2375 look like plain wildcards in /proc: they fail.
    expect(statuses(findings, 'net.mgmt-services-private')).toMatchObject({ 'tcp 0.0.0.0:9200': 'fail', 'tcp *:2375': 'fail', 'tcp 10.10.0.1:5432': 'pass' })
  })

  it('with an ip that has no JSON (BusyBox): links from /sys/class/net, addresses from ip -o addr', async () => {
    const snapshot = snapshotFixture('netns-default.snapshot.json')
    const noJson = { stdout: '', stderr: "ip: invalid option -- 'j'\n", exitCode: 1 }
    for (const key of Object.keys(snapshot.commands).filter((k) => k.startsWith('ip '))) snapshot.commands[key] = noJson
    snapshot.commands['ip -o addr show'] = { stdout: fixture('netns-ip-o-addr-show.txt'), stderr: '', exitCode: 0 }
    addSysfs(snapshot)
    const { network, errors, findings } = await scan(snapshot)
    expect(errors['network.interfaces']).toBeUndefined()
    expect(network.interfaces!.map((i) => `${i.target}:${i.kind}:${i.zone}`)).toEqual(['br0:bridge:private', 'lo:loopback:loopback', 'v0:other:link-local', 'v1:other:public'])
    expect(statuses(findings, 'net.mgmt-services-private')).toMatchObject({ 'tcp 0.0.0.0:3306': 'fail', 'tcp 0.0.0.0%br0:9200': 'pass' })
  })

  it('takes the inventory from /sys/class/net when ip is missing, and errors what needs addresses', async () => {
    const snapshot = snapshotFixture('netns-default.snapshot.json')
    for (const key of Object.keys(snapshot.commands).filter((k) => k.startsWith('ip '))) snapshot.commands[key] = { error: 'ENOENT', message: 'ip: command not found' }
    addSysfs(snapshot)
    const { network, errors, findings } = await scan(snapshot, {

      requiredNetworks: ['mgmt', 'backup'],
      networks: [
        { name: 'mgmt', zone: 'private', interfaces: ['br0'] },
        { name: 'backup', zone: 'private', cidrs: ['10.40.0.0/16'] },
      ],
    })
    expect(errors['network.interfaces']).toBe('ip: command not found')
    expect(errors['network.defaultRoutes']).toBe('ip: command not found; file /proc/net/route is not in the snapshot')
    // Found by interface name; one known only by CIDR cannot be judged without addresses.
    expect(statuses(findings, 'net.private-vlan-present')).toEqual({ 'network mgmt': 'pass', 'network backup': 'error' })
    expect(statuses(findings, 'net.mgmt-services-private')).toMatchObject({ 'tcp 0.0.0.0:3306': 'error', 'tcp 10.10.0.1:5432': 'pass' })
    expect(network.listeners!.find((l) => l.port === 3306)!.error).toContain('ip: command not found')
  })

  it('takes default routes from /proc/net when ip is missing', async () => {
    const snapshot = snapshotFixture('netns-default.snapshot.json')
    for (const key of ['ip -j route show default', 'ip -6 -j route show default']) snapshot.commands[key] = { error: 'ENOENT', message: 'ip: command not found' }
    snapshot.files['/proc/net/route'] = { content: fixture('proc-net-route.txt') }
    snapshot.files['/proc/net/ipv6_route'] = { content: fixture('proc-net-ipv6_route.txt') }
    const { network } = await scan(snapshot)
    expect(network.defaultRoutes).toEqual([
      { target: 'ipv4 default via 192.0.2.1 dev eth0', family: 'ipv4', gateway: '192.0.2.1', interface: 'eth0', metric: 0 },
      { target: 'ipv6 default via fd00::1 dev eth0', family: 'ipv6', gateway: 'fd00::1', interface: 'eth0', metric: 1024 },
    ])
  })

  it('with the legacy iptables backend the iptables chains count beside nft', async () => {
    const snapshot = snapshotFixture('netns-default.snapshot.json')
    snapshot.commands['iptables -V'] = { stdout: 'iptables v1.8.7 (legacy)\n', stderr: '', exitCode: 0 }
    snapshot.commands['iptables -S'] = { stdout: fixture('iptables-S.default-drop.txt'), stderr: '', exitCode: 0 }
    const { network, findings } = await scan(snapshot)
    expect(network.firewall).toMatchObject({ iptablesBackend: 'legacy', ipv4: { input: 'drop', forward: 'drop' }, ipv6: { input: 'accept', forward: 'accept' }, ruleCount: 3 })
    expect(network.firewall!.chains.map((c) => c.target)).toContain('iptables filter INPUT')
    expect(one(findings, 'net.firewall.default-deny').status).toBe('pass')
    expect(one(findings, 'net.firewall.ipv6').status).toBe('fail')
    // Only SSH is accepted on IPv4: the wildcard MySQL is dropped there.
    expect(network.managementListeners!.find((l) => l.port === 3306)!.filteredPublicAddresses).toEqual(['203.0.113.10'])
  })

  it('a firewall nobody may read is an error, never a pass', async () => {
    const snapshot = snapshotFixture('netns-hardened.snapshot.json')
    snapshot.commands['nft -j list ruleset'] = { stdout: '', stderr: 'Error: Could not process rule: Operation not permitted\n', exitCode: 1 }
    snapshot.commands['iptables -S'] = { stdout: '', stderr: 'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n', exitCode: 4 }
    snapshot.commands['ip6tables -S'] = { stdout: '', stderr: 'ip6tables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n', exitCode: 4 }
    const { errors, findings } = await scan(snapshot)
    expect(errors['network.firewall']).toContain('Operation not permitted')
    expect(one(findings, 'net.firewall.default-deny').status).toBe('error')
    expect(one(findings, 'net.firewall.ipv6').status).toBe('error')
    expect(one(findings, 'net.rp-filter').status).toBe('pass')
  })

  it('no firewall tool installed at all: nothing drops', async () => {
    const snapshot = snapshotFixture('netns-default.snapshot.json')
    for (const key of ['nft -j list ruleset', 'iptables -S', 'ip6tables -S', 'iptables -V']) snapshot.commands[key] = { error: 'ENOENT', message: `${key.split(' ')[0]}: command not found` }
    const { network, findings } = await scan(snapshot)
    expect(network.firewall!.sources.map((s) => s.status)).toEqual(['not-installed', 'not-installed', 'not-installed'])
    expect(one(findings, 'net.firewall.default-deny').status).toBe('fail')
  })

  it('replays isolation probes from the snapshot', async () => {
    const snapshot = snapshotFixture('netns-default.snapshot.json')
    snapshot.probes['isolation 10.10.0.1:5432'] = { result: { outcome: 'connected' } }
    snapshot.probes['isolation 203.0.113.10:5432'] = { result: { outcome: 'timeout' } }
    const { network, findings } = await scan(snapshot, { group: 'public', isolationTargets: [{ name: 'db1', group: 'storage', addresses: ['10.10.0.1', '203.0.113.10'], ports: [5432] }] })
    expect(network.isolation!.status).toBe('probed')
    expect(statuses(findings, 'net.isolation-verified')).toEqual({ '10.10.0.1:5432': 'fail', '203.0.113.10:5432': 'pass' })
    expect(findings.find((f) => f.target === '10.10.0.1:5432')!.message).toBe(
      'db1 (group storage) accepted a TCP connection on 10.10.0.1:5432 from this node (group public): the networks are not isolated',
    )
  })
})

/** /sys/class/net as captured in the namespace (netns-sys-class-net.json), into a snapshot. */
function addSysfs(snapshot: Snapshot): void {
  const sys = JSON.parse(fixture('netns-sys-class-net.json')) as Record<string, Record<string, unknown>>
  snapshot.dirs['/sys/class/net'] = { entries: Object.keys(sys) }
  for (const [name, files] of Object.entries(sys)) {
    snapshot.dirs[`/sys/class/net/${name}`] = { entries: files.entries as string[] }
    for (const file of ['uevent', 'operstate', 'flags', 'mtu', 'address', 'type']) {
      const content = files[file]
      snapshot.files[`/sys/class/net/${name}/${file}`] = typeof content === 'string' ? { content } : { error: 'ENOENT', message: 'missing' }
    }
  }
  snapshot.files['/proc/net/vlan/config'] = { error: 'ENOENT', message: '/proc/net/vlan/config: no such file or directory' }
}
