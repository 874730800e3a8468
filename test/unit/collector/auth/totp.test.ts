import { describe, expect, it } from 'vitest'
import { newTotpSecret, totpCode, totpUri, verifyTotp } from '../../../../collector/auth/totp.js'
import { totpQrSvg } from '../../../../collector/auth/totp-qr.js'

// RFC 6238 Appendix B: the SHA-1 test secret "12345678901234567890" in base32.
const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'

describe('TOTP', () => {
  it('matches the RFC 6238 test vectors (last 6 digits)', () => {
    expect(totpCode(rfcSecret, 59_000)).toBe('287082')
    expect(totpCode(rfcSecret, 1111111109_000)).toBe('081804')
    expect(totpCode(rfcSecret, 20000000000_000)).toBe('353130')
  })

  it('accepts the current code and one step of drift either side, nothing further', () => {
    const now = 1_800_000_000_000
    const step = Math.floor(now / 30_000)
    expect(verifyTotp(rfcSecret, totpCode(rfcSecret, now), now, null)).toEqual({ ok: true, step })
    expect(verifyTotp(rfcSecret, totpCode(rfcSecret, now - 30_000), now, null)).toEqual({ ok: true, step: step - 1 })
    expect(verifyTotp(rfcSecret, totpCode(rfcSecret, now + 30_000), now, null)).toEqual({ ok: true, step: step + 1 })
    expect(verifyTotp(rfcSecret, totpCode(rfcSecret, now - 90_000), now, null)).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses a code whose step was already used (replay)', () => {
    const now = 1_800_000_000_000
    const first = verifyTotp(rfcSecret, totpCode(rfcSecret, now), now, null)
    if (!first.ok) throw new Error('expected the first use to pass')
    expect(verifyTotp(rfcSecret, totpCode(rfcSecret, now), now + 5000, first.step)).toEqual({ ok: false, reason: 'replayed' })
  })

  it('refuses malformed codes without evaluating them', () => {
    expect(verifyTotp(rfcSecret, '12345', 0, null)).toEqual({ ok: false, reason: 'invalid' })
    expect(verifyTotp(rfcSecret, 'abcdef', 0, null)).toEqual({ ok: false, reason: 'invalid' })
  })

  it('makes 160-bit secrets and an otpauth URI with issuer and account', () => {
    const secret = newTotpSecret()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(newTotpSecret()).not.toBe(secret)
    const uri = totpUri(secret, 'alice', 'Posture')
    expect(uri).toBe(`otpauth://totp/Posture:alice?issuer=Posture&secret=${secret}&algorithm=SHA1&digits=6&period=30`)
  })

  it('draws the QR code as SVG without script', async () => {
    const svg = await totpQrSvg(totpUri(rfcSecret, 'alice', 'Posture'))
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(svg).toContain('<path')
    expect(svg).not.toMatch(/<script|on\w+=/i)
  })
})
