import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../../../collector/audit/canonical-json.js'

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}')
  })

  it('writes numbers and strings as RFC 8785 does', () => {
    expect(canonicalJson([1e21, 0.1, -0, 'é\n"'])).toBe('[1e+21,0.1,0,"é\\n\\""]')
  })

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(RangeError)
  })
})
