import { describe, expect, it } from 'vitest'
import { parseTagList, tagValue, unfold } from '../../../../agent/dns/tag-list.js'

describe('parseTagList (RFC 6376 §3.2)', () => {
  it('tags in order, whitespace around them ignored, trailing ; allowed', () => {
    const list = parseTagList(' v = DKIM1 ;k=rsa;\tp=ab cd ; ')
    expect(list).toEqual({ tags: [['v', 'DKIM1'], ['k', 'rsa'], ['p', 'ab cd']], errors: [] })
    expect(tagValue(list, 'p')).toBe('ab cd')
    expect(unfold('ab cd\n ef')).toBe('abcdef')
  })

  it('values may contain "=" (base64 padding)', () => {
    expect(tagValue(parseTagList('p=AAAA=='), 'p')).toBe('AAAA==')
  })

  it.each([
    ['a=1;;b=2', 'empty tag between ";"'],
    ['a=1; junk', '"junk" is not tag=value'],
    ['1a=1', '"1a" is not a tag name'],
    ['a=1; a=2', 'tag a= appears more than once'],
  ])('%j → %s', (text, error) => {
    expect(parseTagList(text).errors).toEqual([error])
  })
})
