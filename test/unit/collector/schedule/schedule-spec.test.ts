import { describe, expect, it } from 'vitest'
import { parseScheduleSpec } from '../../../../collector/schedule/schedule-spec.js'
import { domains } from '../../../../rules/domains.js'

describe('parseScheduleSpec', () => {
  it('fills secure defaults: UTC, no jitter, all nodes, all domains, enabled', () => {
    expect(parseScheduleSpec({ name: 'nightly', cron: '30 2 * * *', mode: 'agent' })).toEqual({
      name: 'nightly',
      cron: '30 2 * * *',
      timeZone: 'UTC',
      jitterMs: 0,
      target: { kind: 'all' },
      mode: 'agent',
      domains: [...domains],
      enabled: true,
    })
  })

  it('keeps what is given', () => {
    const spec = parseScheduleSpec({ name: 'ssh-prod', cron: '@daily', timeZone: 'Europe/Berlin', jitterMs: 600_000, target: { kind: 'labels', labels: { env: 'prod' } }, mode: 'ssh', domains: ['patches', 'access'] })
    expect(spec).toMatchObject({ timeZone: 'Europe/Berlin', jitterMs: 600_000, target: { kind: 'labels', labels: { env: 'prod' } }, domains: ['patches', 'access'] })
  })

  it.each([
    [{ name: 'Bad Name', cron: '* * * * *', mode: 'agent' }, /schedule: name: names are/],
    [{ name: 'x', cron: '* * * * * *', mode: 'agent' }, /schedule: cron: cron "\* \* \* \* \* \*": use five fields/],
    [{ name: 'x', cron: '0 2 * * *', timeZone: 'Nowhere/City', mode: 'agent' }, /not an IANA time zone/],
    [{ name: 'x', cron: '0 2 * * *', mode: 'ftp' }, /schedule: mode:/],
    [{ name: 'x', cron: '0 2 * * *', mode: 'ssh', target: { kind: 'labels', labels: {} } }, /give at least one label/],
    [{ name: 'x', cron: '0 2 * * *', mode: 'ssh', domains: ['dns', 'nope'] }, /schedule: domains.1:/],
    [{ name: 'x', cron: '0 2 * * *', mode: 'ssh', every: 'day' }, /unknown key every/],
    [{ name: 'x', cron: '0 2 * * *', mode: 'ssh', jitterMs: 7 * 3_600_000 }, /schedule: jitterMs:/],
  ])('refuses %j', (input, message) => {
    expect(() => parseScheduleSpec(input)).toThrow(message)
  })
})
