import { describe, expect, it } from 'vitest'
import { formatJoinString, parseJoinString } from '../../../../agent/wire/join-string.js'

const fingerprint = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':')

describe('join strings', () => {
  it('round-trips URL, token and fingerprint', () => {
    const info = { url: 'https://10.0.0.5:8443', token: 'pe1.abcdef.0123456789abcdef', fingerprint }
    const text = formatJoinString(info)
    expect(text.startsWith('posture-join-v1:')).toBe(true)
    expect(parseJoinString(`  ${text}\n`)).toEqual(info)
  })
  it('allows no fingerprint only for plain http', () => {
    expect(parseJoinString(formatJoinString({ url: 'http://127.0.0.1:8080', token: 'pe1.abcdef.0123456789abcdef', fingerprint: null })).fingerprint).toBeNull()
    expect(() => formatJoinString({ url: 'https://127.0.0.1:8443', token: 'pe1.abcdef.0123456789abcdef', fingerprint: null })).toThrow()
  })
  it.each([
    ['not a join string', 'hello', /not a join string/],
    ['damaged base64', 'posture-join-v1:%%%', /damaged/],
    ['bad fingerprint', 'posture-join-v1:' + Buffer.from(JSON.stringify({ url: 'https://a:1', token: 'x'.repeat(20), fingerprint: 'AB' })).toString('base64url'), /damaged/],
  ])('refuses %s with BAD_USAGE', (_name, text, message) => {
    expect(() => parseJoinString(text)).toThrow(message)
    try {
      parseJoinString(text)
    } catch (err) {
      expect((err as { code?: string }).code).toBe('BAD_USAGE')
    }
  })
})
