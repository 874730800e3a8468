import { describe, expect, it } from 'vitest'
import { formatSshTarget, parseSshTarget } from '../../../../agent/host/ssh-target.js'

describe('parseSshTarget', () => {
  it.each([
    ['root@10.0.4.17', { username: 'root', host: '10.0.4.17', port: 22 }],
    ['ops@node7.example:2222', { username: 'ops', host: 'node7.example', port: 2222 }],
    ['root@[2001:db8::1]:2200', { username: 'root', host: '2001:db8::1', port: 2200 }],
    ['root@[::1]', { username: 'root', host: '::1', port: 22 }],
  ])('reads %s', (text, target) => {
    expect(parseSshTarget(text)).toEqual(target)
    expect(formatSshTarget(target)).toBe(text.replace(/:22$/, ''))
  })

  it('takes the default user when none is given', () => {
    expect(parseSshTarget('node1', 'alice')).toEqual({ username: 'alice', host: 'node1', port: 22 })
  })

  it.each(['', 'root@', '@host', 'root@host:0', 'root@host:70000', 'root@bad host', 'root@2001:db8::1', 'root@host:22:22', 'node1', 'a@b@c', 'root@-oProxyCommand=x', 'root@-host'])(
    'refuses %j with BAD_USAGE',
    (text) => {
      expect(() => parseSshTarget(text)).toThrow(expect.objectContaining({ code: 'BAD_USAGE' }))
    },
  )
})
