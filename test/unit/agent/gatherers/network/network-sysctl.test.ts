import { describe, expect, it } from 'vitest'
import { buildSysctlFacts, parseSysctlOutput, parseSysctlValue, sysctlName } from '../../../../../agent/gatherers/network/network-sysctl.js'
import type { SysctlFacts } from '../../../../../rules/facts/network.js'
import { fixture } from './fixture.js'

/** The captured `sysctl KEYS` output, with per-interface values as a fresh interface gets them (conf/default). */
function withInterfaces(text: string, interfaces: string[]): Map<string, number> {
  const values = parseSysctlOutput(text)
  const conf = ['rp_filter', 'accept_redirects', 'secure_redirects', 'send_redirects', 'accept_source_route', 'log_martians', 'forwarding']
  for (const key of conf) {
    const all = values.get(`net.ipv4.conf.all.${key}`) ?? values.get('net.ipv4.ip_forward')!
    values.set(`net.ipv4.conf.all.${key}`, all)
    if (!values.has(`net.ipv4.conf.default.${key}`)) values.set(`net.ipv4.conf.default.${key}`, all)
    for (const name of interfaces) values.set(`net.ipv4.conf.${name}.${key}`, values.get(`net.ipv4.conf.default.${key}`)!)
  }
  return values
}

describe('sysctl values', () => {
  it('parses /proc/sys values and names interfaces the way sysctl(8) does', () => {
    expect(parseSysctlValue('1\n')).toBe(1)
    expect(parseSysctlValue('-1\n')).toBe(-1)
    expect(parseSysctlValue('4096\t87380\n')).toBeNull()
    expect(sysctlName('ipv4', 'eth0.100', 'rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter')
  })
})

describe('buildSysctlFacts', () => {
  it('Debian 12 defaults fail CIS: rp_filter 0, redirects accepted and sent, no martian logging', () => {
    const facts = buildSysctlFacts(withInterfaces(fixture('sysctl-security-keys.netns.txt'), ['eth0']), ['all', 'default', 'lo', 'eth0'], false) as SysctlFacts
    expect(facts).toMatchObject({ ipv4Forwarding: 0, ipv6Forwarding: null, tcpSyncookies: 1, icmpEchoIgnoreBroadcasts: 1, icmpIgnoreBogusErrorResponses: 1 })
    expect(facts.interfaces.map((i) => i.target)).toEqual(['default', 'eth0'])
    expect(facts.interfaces[1]).toEqual({
      target: 'eth0', rpFilter: 0, acceptRedirects: 1, secureRedirects: 1, sendRedirects: 1, acceptSourceRoute: 0, logMartians: 0, forwarding: 0,
      ipv6AcceptRedirects: null, ipv6AcceptSourceRoute: null, ipv6AcceptRa: null,
    })
  })

  it('the hardened set (captured in a namespace) passes', () => {
    const facts = buildSysctlFacts(withInterfaces(fixture('sysctl-security-keys.hardened-netns.txt'), ['v1']), ['all', 'default', 'v1'], false) as SysctlFacts
    expect(facts.interfaces.every((i) => i.rpFilter === 1 && i.logMartians === 1 && i.acceptRedirects === 0 && i.sendRedirects === 0 && i.acceptSourceRoute === 0)).toBe(true)
  })

  it('combines conf/all and the interface the way the kernel does', () => {
    const values = new Map<string, number>([
      ['net.ipv4.ip_forward', 1], ['net.ipv4.tcp_syncookies', 1], ['net.ipv6.conf.all.forwarding', 0],
      ['net.ipv6.conf.all.accept_redirects', 0], ['net.ipv6.conf.eth1.accept_redirects', 1], ['net.ipv6.conf.all.accept_source_route', 0],
    ])
    const set = (conf: string, entries: Record<string, number>) => Object.entries(entries).forEach(([k, v]) => values.set(`net.ipv4.conf.${conf}.${k}`, v))
    set('all', { rp_filter: 1, accept_redirects: 0, secure_redirects: 0, send_redirects: 0, accept_source_route: 0, log_martians: 0, forwarding: 1 })
    set('default', { rp_filter: 0, accept_redirects: 0, secure_redirects: 0, send_redirects: 0, accept_source_route: 0, log_martians: 0, forwarding: 1 })
    // eth0 forwards: accept_redirects is all AND eth0 = 0. eth1 does not: all OR eth1 = 1.
    set('eth0', { rp_filter: 0, accept_redirects: 1, secure_redirects: 0, send_redirects: 1, accept_source_route: 1, log_martians: 1, forwarding: 1 })
    set('eth1', { rp_filter: 2, accept_redirects: 1, secure_redirects: 0, send_redirects: 0, accept_source_route: 1, log_martians: 0, forwarding: 0 })
    const facts = buildSysctlFacts(values, ['all', 'default', 'eth0', 'eth1'], true) as SysctlFacts
    const eth0 = facts.interfaces.find((i) => i.target === 'eth0')!
    const eth1 = facts.interfaces.find((i) => i.target === 'eth1')!
    expect([eth0.rpFilter, eth1.rpFilter]).toEqual([1, 2]) // max(all, interface)
    expect([eth0.acceptRedirects, eth1.acceptRedirects]).toEqual([0, 1])
    expect([eth0.sendRedirects, eth0.logMartians, eth0.acceptSourceRoute]).toEqual([1, 1, 0]) // OR, OR, AND
    expect([eth0.ipv6AcceptRedirects, eth1.ipv6AcceptRedirects]).toEqual([0, 1])
    expect(facts.ipv6Forwarding).toBe(0)
  })

  it('names the first missing value', () => {
    expect(buildSysctlFacts(new Map([['net.ipv4.ip_forward', 0]]), ['all'], false)).toEqual({ missing: 'net.ipv4.tcp_syncookies' })
  })
})
