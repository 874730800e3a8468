import { describe, expect, it } from 'vitest'
import { hookVerdict, parseIptablesBackend, parseIptablesS, parseNftRuleset } from '../../../../../agent/gatherers/network/firewall-rulesets.js'
import { fixture } from './fixture.js'

describe('parseNftRuleset', () => {
  it('an empty ruleset has no base chain: no firewall', () => {
    const parsed = parseNftRuleset(fixture('nft-j-list-ruleset.empty.json'))!
    expect(parsed).toEqual({ chains: [], ruleCount: 0 })
    expect(hookVerdict(parsed.chains, 'ipv4', 'input')).toBe('none')
  })

  it('an inet default-drop ruleset drops for both families', () => {
    const parsed = parseNftRuleset(fixture('nft-j-list-ruleset.default-drop.json'))!
    expect(parsed.chains.map((c) => [c.family, c.name, c.hook, c.policy, c.defaultVerdict, c.rules])).toEqual([
      ['inet', 'input', 'input', 'drop', 'drop', 7],
      ['inet', 'forward', 'forward', 'drop', 'drop', 0],
      ['inet', 'output', 'output', 'accept', 'accept', 0],
    ])
    for (const family of ['ipv4', 'ipv6'] as const) {
      expect(hookVerdict(parsed.chains, family, 'input')).toBe('drop')
      expect(hookVerdict(parsed.chains, family, 'forward')).toBe('drop')
    }
  })

  it('iptables-nft tables are ip-family chains: IPv6 stays uncovered', () => {
    const parsed = parseNftRuleset(fixture('nft-j-list-ruleset.iptables-nft-backend.json'))!
    expect(parsed.chains.map((c) => `${c.family} ${c.table} ${c.name} ${c.defaultVerdict}`)).toEqual(['ip filter INPUT drop', 'ip filter FORWARD drop'])
    expect(hookVerdict(parsed.chains, 'ipv4', 'input')).toBe('drop')
    expect(hookVerdict(parsed.chains, 'ipv6', 'input')).toBe('none')
  })

  it('a chain with policy accept ending in an unconditional reject denies by default (firewalld style)', () => {
    const parsed = parseNftRuleset(fixture('nft-j-list-ruleset.reject-last.json'))!
    expect(parsed.chains.map((c) => [c.name, c.policy, c.defaultVerdict])).toEqual([
      ['filter_INPUT', 'accept', 'drop'],
      ['filter_FORWARD', 'accept', 'drop'],
    ])
    expect(hookVerdict(parsed.chains, 'ipv6', 'forward')).toBe('drop')
  })

  it('returns null for what is not nft JSON', () => {
    expect(parseNftRuleset('Error: Could not process rule: Operation not permitted')).toBeNull()
  })
})

describe('parseIptablesS', () => {
  it('default ACCEPT policies', () => {
    const parsed = parseIptablesS(fixture('iptables-S.default-accept.txt'), 'iptables')!
    expect(parsed.ruleCount).toBe(0)
    expect(hookVerdict(parsed.chains, 'ipv4', 'input')).toBe('accept')
  })

  it('default DROP with accept rules', () => {
    const parsed = parseIptablesS(fixture('iptables-S.default-drop.txt'), 'iptables')!
    expect(parsed.chains.map((c) => [c.name, c.hook, c.policy, c.rules])).toEqual([
      ['INPUT', 'input', 'drop', 3],
      ['FORWARD', 'forward', 'drop', 0],
      ['OUTPUT', 'output', 'accept', 0],
    ])
    expect(hookVerdict(parsed.chains, 'ipv4', 'forward')).toBe('drop')
    // ip6tables left at ACCEPT: the classic IPv6 gap.
    const v6 = parseIptablesS(fixture('ip6tables-S.default-accept.txt'), 'ip6tables')!
    expect(hookVerdict([...parsed.chains, ...v6.chains], 'ipv6', 'input')).toBe('accept')
  })

  it('a final unconditional DROP or REJECT rule counts, a conditional one does not', () => {
    const text = '-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m comment --comment "default deny" -j REJECT --reject-with icmp-host-prohibited\n-A FORWARD -i eth0 -j DROP\n'
    const parsed = parseIptablesS(text, 'iptables')!
    expect(parsed.chains.map((c) => [c.name, c.defaultVerdict])).toEqual([
      ['INPUT', 'drop'],
      ['FORWARD', 'accept'],
    ])
  })

  it('reads the backend and refuses other text', () => {
    expect(parseIptablesBackend('iptables v1.8.9 (nf_tables)\n')).toBe('nf_tables')
    expect(parseIptablesBackend('iptables v1.8.7 (legacy)\n')).toBe('legacy')
    expect(parseIptablesS('iptables v1.8.9 (nf_tables): Permission denied (you must be root)', 'iptables')).toBeNull()
  })
})
