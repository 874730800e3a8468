import { describe, expect, it } from 'vitest'
import { hashSecret, issueToken, parseToken, secretMatches } from '../../../../collector/auth/secret-token.js'

describe('secret tokens', () => {
  it('issues kind.id.secret and stores only the hash of the secret', () => {
    const issued = issueToken('pa1')
    const parsed = parseToken('pa1', issued.token)
    expect(parsed?.id).toBe(issued.id)
    expect(issued.token).not.toContain(issued.secretHash)
    expect(secretMatches(parsed!.secret, issued.secretHash)).toBe(true)
    expect(secretMatches(parsed!.secret + 'x', issued.secretHash)).toBe(false)
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
  it('refuses another kind or a malformed token', () => {
    const issued = issueToken('pt1')
    expect(parseToken('pa1', issued.token)).toBeNull()
    expect(parseToken('pt1', issued.token + 'x')).toBeNull()
    expect(parseToken('pt1', 'Bearer ' + issued.token)).toBeNull()
  })
})
