import { describe, expect, it } from 'vitest'
import { evaluateRule } from '../../../rules/evaluate.js'
import type { Facts } from '../../../rules/facts/facts.js'
import { ruleFromYaml } from '../../helpers/rules.js'

const now = new Date('2026-11-23T12:00:00Z')
const base = `
title: Test rule
domain: system
severity: high
rationale: because
remediation: fix it
`
const synced: Facts = { system: { timeSync: { source: 'timedatectl', synchronized: true, ntpEnabled: true } } }
const unsynced: Facts = { system: { timeSync: { source: 'chronyc', synchronized: false, ntpEnabled: false } } }

describe('evaluateRule', () => {
  it.each([
    ['true check passes', 'facts.system.timeSync.synchronized', synced, 'pass'],
    ['false check fails', 'facts.system.timeSync.synchronized', unsynced, 'fail'],
    ['logical operators', 'facts.system.timeSync.synchronized && facts.system.timeSync.ntpEnabled == true', synced, 'pass'],
    ['string equality and in', "facts.system.timeSync.source in ['timedatectl', 'chronyc']", unsynced, 'pass'],
    ['a non-boolean check is an error', 'facts.system.timeSync.source', synced, 'error'],
    ['a missing field is an error, never a pass', 'facts.system.hostname == "x"', synced, 'error'],
  ] as const)('%s', (_name, check, facts, expected) => {
    const rule = ruleFromYaml(`id: t.rule\n${base}check: ${JSON.stringify(check)}`)
    const [finding] = evaluateRule(rule, { facts, factErrors: {}, now })
    expect(finding?.status).toBe(expected)
  })

  it('reports the gatherer reason when a fact the rule reads was not gathered', () => {
    const rule = ruleFromYaml(`id: t.rule\n${base}check: facts.system.timeSync.synchronized`)
    const findings = evaluateRule(rule, {
      facts: { system: {} },
      factErrors: { 'system.timeSync': 'timedatectl: command not found' },
      now,
    })
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({ status: 'error', message: 'facts.system.timeSync could not be gathered: timedatectl: command not found' })
  })

  it('a parent fact error covers the facts below it', () => {
    const rule = ruleFromYaml(`id: t.rule\n${base}check: facts.system.timeSync.synchronized`)
    const [finding] = evaluateRule(rule, { facts: {}, factErrors: { system: 'gatherer crashed' }, now })
    expect(finding).toMatchObject({ status: 'error', message: 'facts.system could not be gathered: gatherer crashed' })
  })

  describe('for_each', () => {
    // idLike is a list of strings: enough to exercise for_each without other domains.
    const rule = ruleFromYaml(`id: t.each\n${base}for_each: facts.system.os.idLike\ncheck: item != "rhel"\nmessage: "{{ item }} is not allowed"`)
    const os = (idLike: string[]): Facts => ({
      system: { os: { id: 'x', idLike, name: 'X', prettyName: 'X', versionId: null, versionCodename: null, supportEnd: null } },
    })

    it('gives one finding per item, with the item as evidence and the message templated', () => {
      const findings = evaluateRule(rule, { facts: os(['debian', 'rhel']), factErrors: {}, now })
      expect(findings.map((f) => [f.status, f.target, f.evidence, f.message])).toEqual([
        ['pass', '#0', 'debian', ''],
        ['fail', '#1', 'rhel', 'rhel is not allowed'],
      ])
    })

    it('an empty list is na, not a pass', () => {
      const findings = evaluateRule(rule, { facts: os([]), factErrors: {}, now })
      expect(findings).toEqual([expect.objectContaining({ status: 'na', message: expect.stringContaining('is empty') })])
    })

    it('items carrying an error become error findings with that reason', () => {
      const endpoints = ruleFromYaml(`id: t.items\n${base}for_each: facts.system.os.idLike\ncheck: "true"`)
      const facts = { system: { os: { idLike: [{ target: 'a', error: 'handshake timed out' }, { target: 'b' }] } } } as unknown as Facts
      const findings = evaluateRule(endpoints, { facts, factErrors: {}, now })
      expect(findings.map((f) => [f.target, f.status, f.message])).toEqual([
        ['a', 'error', 'handshake timed out'],
        ['b', 'pass', ''],
      ])
    })
  })

  it('applies: false gives na with the na_message', () => {
    const rule = ruleFromYaml(
      `id: t.applies\n${base}applies: facts.system.timeSync.source == "chronyc"\ncheck: facts.system.timeSync.synchronized\nna_message: only for chrony`,
    )
    expect(evaluateRule(rule, { facts: synced, factErrors: {}, now })[0]).toMatchObject({ status: 'na', message: 'only for chrony' })
    expect(evaluateRule(rule, { facts: unsynced, factErrors: {}, now })[0]).toMatchObject({ status: 'fail' })
  })

  it('params are readable from CEL and messages', () => {
    const rule = ruleFromYaml(
      `id: t.params\n${base}params: { maxHours: 24 }\ncheck: facts.system.uptimeSeconds < params.maxHours * 3600\nmessage: "up {{ facts.system.uptimeSeconds / 3600 }}h, limit {{ params.maxHours }}h"`,
    )
    const facts: Facts = { system: { uptimeSeconds: 180_000 } }
    expect(evaluateRule(rule, { facts, factErrors: {}, now })[0]).toMatchObject({ status: 'fail', message: 'up 50h, limit 24h' })
    const relaxed = { ...rule, spec: { ...rule.spec, params: { maxHours: 100 } } }
    expect(evaluateRule(relaxed, { facts, factErrors: {}, now })[0]?.status).toBe('pass')
  })

  it('now and daysBetween compare fact dates with the scan clock', () => {
    const rule = ruleFromYaml(
      `id: t.time\n${base}check: daysBetween(now, timestamp(facts.system.os.supportEnd + "T00:00:00Z")) > 30.0\nmessage: "support ends {{ facts.system.os.supportEnd }}"`,
    )
    const facts = (end: string): Facts => ({
      system: { os: { id: 'x', idLike: [], name: 'X', prettyName: 'X', versionId: null, versionCodename: null, supportEnd: end } },
    })
    expect(evaluateRule(rule, { facts: facts('2027-06-30'), factErrors: {}, now })[0]?.status).toBe('pass')
    expect(evaluateRule(rule, { facts: facts('2026-12-01'), factErrors: {}, now })[0]).toMatchObject({ status: 'fail', message: 'support ends 2026-12-01' })
  })

  it('macros: exists, all, filter and size over fact lists', () => {
    const facts: Facts = {
      system: { os: { id: 'x', idLike: ['debian', 'ubuntu'], name: 'X', prettyName: 'X', versionId: null, versionCodename: null, supportEnd: null } },
    }
    for (const [check, expected] of [
      ['facts.system.os.idLike.exists(x, x == "ubuntu")', 'pass'],
      ['facts.system.os.idLike.all(x, x.startsWith("d"))', 'fail'],
      ['facts.system.os.idLike.filter(x, x.size() > 6).size() == 0', 'pass'],
    ] as const) {
      const rule = ruleFromYaml(`id: t.macro\n${base}check: ${JSON.stringify(check)}`)
      expect(evaluateRule(rule, { facts, factErrors: {}, now })[0]?.status, check).toBe(expected)
    }
  })

  it('default evidence is the facts the rule read', () => {
    const rule = ruleFromYaml(`id: t.ev\n${base}check: facts.system.timeSync.synchronized`)
    expect(evaluateRule(rule, { facts: unsynced, factErrors: {}, now })[0]?.evidence).toEqual({
      'facts.system.timeSync.synchronized': false,
    })
  })

  it('a message placeholder that fails still renders, naming the problem', () => {
    const rule = ruleFromYaml(`id: t.msg\n${base}check: "false"\nmessage: "host {{ facts.system.hostname }}"`)
    const [finding] = evaluateRule(rule, { facts: { system: {} }, factErrors: {}, now })
    expect(finding?.status).toBe('fail')
    expect(finding?.message).toMatch(/^host <facts\.system\.hostname: message: .*hostname/)
  })
})
