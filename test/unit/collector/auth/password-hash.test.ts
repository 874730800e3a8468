import { describe, expect, it } from 'vitest'
import { generatePassword, hashPassword, needsRehash, verifyPassword } from '../../../../collector/auth/password-hash.js'

const fast = { N: 2 ** 10, r: 8, p: 1 }

describe('password hashes', () => {
  it('verifies the right password only, with a fresh salt each time and the parameters stored', async () => {
    const a = await hashPassword('correct horse', fast)
    const b = await hashPassword('correct horse', fast)
    expect(a).toMatch(/^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword('correct horse', a)).toBe(true)
    expect(await verifyPassword('correct horse!', a)).toBe(false)
  })

  it('uses OWASP minimum parameters by default and flags weaker hashes for rehash', async () => {
    const strong = await hashPassword('pw')
    expect(strong.startsWith('scrypt$N=32768,r=8,p=1$')).toBe(true)
    expect(needsRehash(strong)).toBe(false)
    expect(needsRehash(await hashPassword('pw', fast))).toBe(true)
  })

  it('treats malformed or absurd hashes as no match', async () => {
    expect(await verifyPassword('pw', 'plain')).toBe(false)
    expect(await verifyPassword('pw', 'scrypt$N=1073741824,r=8,p=1$AAAA$AAAA')).toBe(false)
  })

  it('generates unambiguous random passwords', () => {
    const pw = generatePassword()
    expect(pw).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/)
    expect(generatePassword()).not.toBe(pw)
  })
})
