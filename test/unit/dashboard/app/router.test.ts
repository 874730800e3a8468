import { describe, expect, it } from 'vitest'
import { matchRoute } from '../../../../dashboard/app/router.js'

const routes = [
  { pattern: '/', target: 'fleet' },
  { pattern: '/nodes/:id', target: 'node' },
  { pattern: '/findings', target: 'findings' },
]

describe('matchRoute', () => {
  it('matches the empty hash to the fleet, parameters and query strings', () => {
    expect(matchRoute(routes, '')?.target).toBe('fleet')
    const node = matchRoute(routes, '#/nodes/ab%2F12')
    expect(node).toMatchObject({ target: 'node', params: { id: 'ab/12' } })
    const findings = matchRoute(routes, '#/findings?status=fail&label=env%3Dprod')
    expect(findings?.query.get('label')).toBe('env=prod')
  })

  it('answers null for an unknown route', () => {
    expect(matchRoute(routes, '#/nodes')).toBeNull()
    expect(matchRoute(routes, '#/nope/1')).toBeNull()
  })
})
