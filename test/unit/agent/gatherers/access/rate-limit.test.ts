import { describe, expect, it } from 'vitest'
import { iptablesSshRateLimits, nftSshRateLimits, parseFail2banJails, sshJails } from '../../../../../agent/gatherers/access/rate-limit.js'
import { fixture } from './fixture.js'

describe('fail2ban', () => {
  it('reads the jail list', () => {
    const jails = parseFail2banJails(fixture('written/fail2ban-client-status.txt'))
    expect(jails).toEqual(['nginx-http-auth', 'sshd'])
    expect(sshJails(jails!)).toEqual(['sshd'])
    expect(parseFail2banJails('Status\n|- Number of jail:\t0\n`- Jail list:\t\n')).toEqual([])
    expect(parseFail2banJails('ERROR   Failed to access socket path')).toBeNull()
  })
})

describe('nftables (real nft -j output)', () => {
  it('finds the dynamic-set meter and the limit on port 22', () => {
    expect(nftSshRateLimits(fixture('nft-j-list-ruleset.ratelimit.json'), [22])).toEqual([
      'inet filter input handle 5: set limit',
      'inet filter input handle 6: limit',
    ])
  })

  it('finds iptables-nft `recent` matches on port 22', () => {
    expect(nftSshRateLimits(fixture('nft-j-list-ruleset.iptables-nft-recent.json'), [22])).toEqual([
      'ip filter INPUT handle 2: xt recent',
      'ip filter INPUT handle 3: xt recent',
    ])
  })

  it('a plain accept on 22 is no limit; another SSH port is not matched', () => {
    expect(nftSshRateLimits(fixture('nft-j-list-ruleset.default-drop.json'), [22])).toEqual([])
    expect(nftSshRateLimits(fixture('nft-j-list-ruleset.ratelimit.json'), [2222])).toEqual([])
  })

  it('throws on text that is not JSON', () => {
    expect(() => nftSshRateLimits('Error: Could not process rule', [22])).toThrow(SyntaxError)
  })
})

describe('iptables -S (real output)', () => {
  it('finds recent matches on --dport 22', () => {
    expect(iptablesSshRateLimits(fixture('iptables-S.recent.txt'), [22])).toEqual(['INPUT: recent', 'INPUT: recent'])
    expect(iptablesSshRateLimits('-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n', [22])).toEqual([])
    expect(iptablesSshRateLimits('-A INPUT -p tcp -m multiport --dports 20:30 -m hashlimit --hashlimit-above 5/min -j DROP\n', [22])).toEqual(['INPUT: hashlimit'])
  })
})
