import { describe, expect, it } from 'vitest'
import {
  classifyPasswordField,
  parsePasswd,
  parseShadow,
  passwordHashes,
  redactHashField,
  redactPasswordFields,
} from '../../../../../agent/gatherers/access/password-files.js'
import { fixture } from './fixture.js'

const shadowText = fixture('shadow.sample')
const passwdText = fixture('passwd.sample')
/** Every secret part (salt and hash) of the sample files. */
const secrets = [...`${shadowText}\n${passwdText}`.matchAll(/\$[A-Za-z0-9]+\$([^:\n]+)/g)]
  .flatMap((m) => m[1]!.split('$'))
  .filter((part) => part.length >= 8)
  .concat(['aby5jL/kxH6jI', 'zqbjNGt8Qg4SM'])

describe('redactPasswordFields', () => {
  it('keeps only user:$id$ prefixes and markers', () => {
    const redacted = redactPasswordFields(shadowText)
    expect(redacted.split('\n').slice(0, 11).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual([
      'root:$y$',
      'daemon:*',
      'bin:*',
      'nobody:*',
      'alice:$y$',
      'bob:!$6$',
      'legacy:$1$',
      'olddes:<des>',
      'guest:',
      'svc:!!',
      'locked:!',
    ])
    for (const secret of secrets) expect(redacted).not.toContain(secret)
  })

  it('is idempotent (a snapshot replays redacted text through it again)', () => {
    for (const text of [shadowText, passwdText, 'x:$2b$12$abcdefghijklmnopqrstuv:1', 'weird:plaintext-password:1', 'noColonLine', '']) {
      const once = redactPasswordFields(text)
      expect(redactPasswordFields(once)).toBe(once)
    }
  })

  it('never lets an unrecognised field through', () => {
    expect(redactHashField('hunter2')).toBe('<unknown>')
    expect(redactHashField('!hunter2')).toBe('!<unknown>')
    expect(redactPasswordFields('a line without colons holding a secret')).toBe('<malformed>')
    expect(redactHashField('_J9..abcdefghijklmno')).toBe('<bsdi>')
  })
})

describe('password algorithms', () => {
  it.each([
    ['$y$j9T$salt$hash', 'yescrypt'],
    ['$gy$j9T$salt$hash', 'gost-yescrypt'],
    ['$6$rounds=5000$salt$hash', 'sha512crypt'],
    ['$5$salt$hash', 'sha256crypt'],
    ['$2b$12$saltsaltsaltsaltsaltsOhash', 'bcrypt'],
    ['$1$salt$hash', 'md5crypt'],
    ['aby5jL/kxH6jI', 'descrypt'],
    ['', 'empty'],
    ['hunter2', 'unknown'],
  ])('%s → %s', (field, algorithm) => {
    expect(classifyPasswordField(field)).toMatchObject({ stored: true, algorithm })
  })

  it.each(['*', '!', '!!', 'x', '!*'])('%s holds no password', (field) => {
    expect(classifyPasswordField(field).stored).toBe(false)
  })

  it('lists stored hashes of the sample, from shadow and from a passwd field', () => {
    const hashes = passwordHashes(parsePasswd(redactPasswordFields(passwdText)), parseShadow(redactPasswordFields(shadowText)))
    expect(hashes).toEqual([
      { target: 'root', algorithm: 'yescrypt', locked: false },
      { target: 'alice', algorithm: 'yescrypt', locked: false },
      { target: 'bob', algorithm: 'sha512crypt', locked: true },
      { target: 'legacy', algorithm: 'md5crypt', locked: false },
      { target: 'olddes', algorithm: 'descrypt', locked: false },
      { target: 'guest', algorithm: 'empty', locked: false },
      { target: 'inpasswd', algorithm: 'descrypt', locked: false },
    ])
  })

  it('parses passwd: UIDs and shells', () => {
    const passwd = parsePasswd(passwdText)
    expect(passwd.filter((p) => p.uid === 0).map((p) => p.name)).toEqual(['root', 'toor'])
    expect(passwd.find((p) => p.name === 'inpasswd')!.password).toBe('<des>')
  })
})
