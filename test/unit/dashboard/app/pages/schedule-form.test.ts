import { describe, expect, it } from 'vitest'
import { parseTarget, targetText } from '../../../../../dashboard/app/pages/schedule-form.js'

describe('schedule form targets', () => {
  it('turns the targets field into the API target and back', () => {
    expect(parseTarget('all', 'ignored')).toEqual({ kind: 'all' })
    expect(parseTarget('labels', ' env=prod , role = web ,')).toEqual({ kind: 'labels', labels: { env: 'prod', role: 'web' } })
    expect(parseTarget('labels', 'a=b=c')).toEqual({ kind: 'labels', labels: { a: 'b=c' } })
    expect(parseTarget('nodes', 'web-01, web-02,,')).toEqual({ kind: 'nodes', nodes: ['web-01', 'web-02'] })
    expect(targetText({ kind: 'labels', labels: { env: 'prod', role: 'web' } })).toBe('env=prod,role=web')
    expect(targetText({ kind: 'nodes', nodes: ['a', 'b'] })).toBe('a,b')
    expect(targetText({ kind: 'all' })).toBe('')
  })
})
