import { describe, expect, it } from 'vitest'
import { iptablesRule, isDroppedOnInput, nftRule, type AnalysableChain, type InboundPacket } from '../../../../../agent/gatherers/network/firewall-reach.js'
import { parseIptablesS, parseNftRuleset, type BaseChain } from '../../../../../agent/gatherers/network/firewall-rulesets.js'
import { fixture } from './fixture.js'

const analysable = (chains: BaseChain[]): AnalysableChain[] =>
  chains.map((c) => ({ family: c.family, hook: c.hook, type: c.type, policy: c.policy === 'drop' ? 'drop' : 'accept', rules: c.filterRules }))
const tcp = (iface: string | null, port: number, family: 'ipv4' | 'ipv6' = 'ipv4'): InboundPacket => ({ family, iface, protocol: 'tcp', port })

describe('isDroppedOnInput', () => {
  it('reads the lab default-drop ruleset: management ports only via br0', () => {
    const chains = analysable(parseNftRuleset(fixture('nft-j-list-ruleset.default-drop.json'))!.chains)
    expect(isDroppedOnInput(chains, tcp('v1', 9100))).toBe(true)
    expect(isDroppedOnInput(chains, tcp('br0', 9100))).toBe(false)
    expect(isDroppedOnInput(chains, tcp('v1', 5432, 'ipv6'))).toBe(true)
    expect(isDroppedOnInput(chains, tcp('v1', 51413))).toBe(false)
    expect(isDroppedOnInput(chains, { family: 'ipv4', iface: 'v1', protocol: 'udp', port: 51413 })).toBe(false)
    expect(isDroppedOnInput(chains, { family: 'ipv4', iface: 'v1', protocol: 'udp', port: 11211 })).toBe(true)
    // The interface unknown: `iifname "br0"` may match, so 9100 is not certainly dropped.
    expect(isDroppedOnInput(chains, tcp(null, 9100))).toBe(false)
  })

  it('an empty ruleset or an accept policy drops nothing; an unconditional final reject does', () => {
    expect(isDroppedOnInput(analysable(parseNftRuleset(fixture('nft-j-list-ruleset.empty.json'))!.chains), tcp('eth0', 5432))).toBe(false)
    const firewalld = analysable(parseNftRuleset(fixture('nft-j-list-ruleset.reject-last.json'))!.chains)
    expect(isDroppedOnInput(firewalld, tcp('eth0', 5432))).toBe(true)
    expect(isDroppedOnInput(firewalld, tcp('eth0', 22))).toBe(false)
  })

  it('reads iptables -S rules; IPv6 is not covered by iptables', () => {
    const v4 = analysable(parseIptablesS(fixture('iptables-S.default-drop.txt'), 'iptables')!.chains)
    expect(isDroppedOnInput(v4, tcp('eth0', 3306))).toBe(true)
    expect(isDroppedOnInput(v4, tcp('eth0', 22))).toBe(false)
    expect(isDroppedOnInput(v4, tcp('lo', 3306))).toBe(false)
    expect(isDroppedOnInput(v4, tcp('eth0', 3306, 'ipv6'))).toBe(false)
  })

  it('a condition it cannot read never turns into a drop', () => {
    // Accept from one source network, then drop everything: the source may match.
    const chains = analysable(parseIptablesS('-P INPUT DROP\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 5432 -j ACCEPT\n', 'iptables')!.chains)
    expect(isDroppedOnInput(chains, tcp('eth0', 5432))).toBe(false)
    expect(isDroppedOnInput(chains, tcp('eth0', 6379))).toBe(true)
    // A jump may accept.
    const jumping = analysable(parseIptablesS('-P INPUT DROP\n-N ufw-before-input\n-A INPUT -j ufw-before-input\n', 'iptables')!.chains)
    expect(isDroppedOnInput(jumping, tcp('eth0', 6379))).toBe(false)
  })
})

describe('rule readers', () => {
  it('nft: ports in sets and ranges, negation, named sets are opaque', () => {
    const rule = nftRule([
      { match: { op: '!=', left: { meta: { key: 'iifname' } }, right: 'mgmt0' } },
      { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { set: [5432, { range: [9100, 9199] }] } } },
      { counter: null },
      { drop: null },
    ])
    expect(rule).toEqual({
      verdict: 'drop',
      conditions: [
        { kind: 'iface', negate: true, names: ['mgmt0'] },
        { kind: 'dport', negate: false, protocol: 'tcp', ports: [[5432, 5432], [9100, 9199]] },
      ],
    })
    expect(nftRule([{ match: { op: '==', left: { ip: { saddr: null } }, right: '@allowed' } }, { accept: null }]).conditions[0]!.kind).toBe('opaque')
  })

  it('iptables: multiport, conntrack, negated interfaces, wildcard interface names', () => {
    expect(iptablesRule(['!', '-i', 'eth1', '-p', 'udp', '-m', 'multiport', '--dports', '111,2049,32765:32768', '-j', 'DROP'])).toEqual({
      verdict: 'drop',
      conditions: [
        { kind: 'iface', negate: true, names: ['eth1'] },
        { kind: 'protocol', negate: false, protocols: ['udp'] },
        { kind: 'dport', negate: false, protocol: 'udp', ports: [[111, 111], [2049, 2049], [32765, 32768]] },
      ],
    })
    expect(iptablesRule(['-i', 'veth+', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']).conditions).toEqual([
      { kind: 'iface', negate: false, names: ['veth*'] },
      { kind: 'ctstate', negate: false, states: ['related', 'established'] },
    ])
  })
})
