import { describe, expect, it } from 'vitest'
import { hashRecoveryCode, matchRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from '../../../../collector/auth/recovery-codes.js'

describe('recovery codes', () => {
  it('makes ten distinct codes in an unambiguous alphabet', () => {
    const codes = newRecoveryCodes()
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/)
  })

  it('matches a code typed in upper case, without the dash or with spaces', () => {
    const [code] = newRecoveryCodes(1)
    const hashes = ['0'.repeat(64), hashRecoveryCode(code!)]
    expect(matchRecoveryCode(code!.toUpperCase(), hashes)).toBe(1)
    expect(matchRecoveryCode(code!.replace('-', ' '), hashes)).toBe(1)
    expect(normalizeRecoveryCode('ABCDE12345')).toBe('abcde-12345')
    expect(matchRecoveryCode('zzzzz-zzzzz', hashes)).toBe(-1)
  })
})
