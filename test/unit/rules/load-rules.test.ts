import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadRuleSet } from '../../../rules/load-rules.js'
import { PostureError } from '../../../rules/posture-error.js'
import { ruleDir } from '../../helpers/rules.js'

const valid = `- id: custom.clock
  title: Clock synchronised
  domain: system
  severity: low
  check: facts.system.timeSync.synchronized
  rationale: r
  remediation: fix
`

function loadError(files: Record<string, string>): PostureError {
  try {
    loadRuleSet({ userDirs: [ruleDir(files)] })
  } catch (err) {
    if (err instanceof PostureError) return err
    throw err
  }
  throw new Error('expected the rule set to be rejected')
}

describe('loadRuleSet', () => {
  it('loads user rules beside the built-in catalogue', () => {
    const set = loadRuleSet({ userDirs: [ruleDir({ 'mine.yaml': valid })] })
    expect(set.rules.map((r) => r.spec.id)).toContain('custom.clock')
    expect(set.rules.map((r) => r.spec.id)).toContain('system.time-synced')
  })

  it('a domains filter compiles only those domains, with the same version', () => {
    const dir = ruleDir({ 'mine.yaml': valid })
    const all = loadRuleSet({ userDirs: [dir] })
    const tls = loadRuleSet({ userDirs: [dir], domains: ['tls', 'http'] })
    expect(new Set(tls.rules.map((r) => r.spec.domain))).toEqual(new Set(['tls', 'http']))
    expect(tls.rules.length).toBe(all.rules.filter((r) => r.spec.domain === 'tls' || r.spec.domain === 'http').length)
    expect(tls.version).toBe(all.version)
  })

  it('a domains filter still rejects a bad rule file of another domain at schema level', () => {
    expect(() => loadRuleSet({ userDirs: [ruleDir({ 'bad.yaml': valid.replace('severity: low', 'severity: huge') })], domains: ['tls'] })).toThrow(PostureError)
  })

  it('the version changes when a rule file changes', () => {
    const a = loadRuleSet({ userDirs: [ruleDir({ 'mine.yaml': valid })] }).version
    const b = loadRuleSet({ userDirs: [ruleDir({ 'mine.yaml': valid.replace('low', 'high') })] }).version
    expect(a).not.toBe(b)
    expect(a).toMatch(/^\d{4}\.\d+\.\d+\+[0-9a-f]{12}$/)
  })

  it('malformed YAML names the file and line', () => {
    const err = loadError({ 'bad.yaml': `- id: x.y\n  title: [unclosed\n  domain: system\n` })
    expect(err.code).toBe('BAD_RULE_FILE')
    expect(err.message).toMatch(/bad\.yaml:\d+: invalid YAML: /)
  })

  it('an unknown key names the file, line, rule and key', () => {
    const err = loadError({ 'k.yaml': valid + '  severty: high\n' })
    expect(err.message).toMatch(/k\.yaml:1: rule custom\.clock: unknown key "severty"$/)
  })

  it('a missing required field names it', () => {
    const err = loadError({ 'm.yaml': valid.replace('  remediation: fix\n', '') })
    expect(err.message).toMatch(/m\.yaml:1: rule custom\.clock: remediation: /)
  })

  it('a CEL syntax error names the rule, the field and the column', () => {
    const err = loadError({ 'c.yaml': valid.replace('check: facts.system.timeSync.synchronized', 'check: "facts.system.timeSync.synchronized &&"') })
    expect(err.message).toMatch(/c\.yaml:5: rule custom\.clock: check: CEL Unexpected token: EOF \(at column 38\)/)
  })

  it('a rule reading an unknown fact is rejected with the path', () => {
    const err = loadError({ 'f.yaml': valid.replace('timeSync.synchronized', 'timeSync.synced') })
    expect(err.message).toContain('rule custom.clock: check: unknown fact facts.system.timeSync.synced')
  })

  it('an unknown variable is rejected at load time, not at scan time', () => {
    const err = loadError({ 'v.yaml': valid.replace('check: facts.system.timeSync.synchronized', 'check: fact.system') })
    expect(err.message).toContain('Unknown variable: fact')
  })

  it('bad ids, domains and severities are rejected', () => {
    expect(loadError({ 'i.yaml': valid.replace('custom.clock', 'Custom_Clock') }).message).toContain('dotted lowercase kebab-case')
    expect(loadError({ 'd.yaml': valid.replace('domain: system', 'domain: weather') }).message).toMatch(/domain: /)
    expect(loadError({ 's.yaml': valid.replace('severity: low', 'severity: urgent') }).message).toMatch(/severity: /)
  })

  it('a duplicate id points at the first definition and suggests an override', () => {
    const err = loadError({ 'a.yaml': valid, 'b.yaml': valid })
    expect(err.message).toMatch(/b\.yaml:1: rule custom\.clock: id already defined in .*a\.yaml:1; to change it, write an entry with "override: custom\.clock"/)
  })

  it('overrides change params and severity without copying the rule', () => {
    const rule = valid.replace('  rationale: r', '  params: { days: 30 }\n  rationale: r')
    const set = loadRuleSet({
      userDirs: [ruleDir({ 'a.yaml': rule, 'b.yaml': '- override: custom.clock\n  params: { days: 7 }\n  severity: high\n' })],
    })
    const spec = set.rules.find((r) => r.spec.id === 'custom.clock')?.spec
    expect(spec).toMatchObject({ params: { days: 7 }, severity: 'high' })
  })

  it('an override may disable a rule', () => {
    const set = loadRuleSet({ userDirs: [ruleDir({ 'off.yaml': '- override: system.time-sync-enabled\n  disabled: true\n' })] })
    expect(set.rules.map((r) => r.spec.id)).not.toContain('system.time-sync-enabled')
  })

  it('overriding an unknown rule or param is an error', () => {
    expect(loadError({ 'o.yaml': '- override: no.such-rule\n  params: { x: 1 }\n' }).message).toContain('override no.such-rule: no such rule')
    expect(loadError({ 'p.yaml': '- override: system.time-synced\n  params: { days: 1 }\n' }).message).toContain('unknown param "days" (the rule has no params)')
  })

  it('a missing rule directory is an unreadable error', () => {
    expect(() => loadRuleSet({ userDirs: [join(ruleDir({}), 'nope')] })).toThrow(/no such directory/)
  })

  it('a file that is not a list is explained', () => {
    expect(loadError({ 'o.yaml': 'id: x.y\n' }).message).toContain('a rule file is a YAML list')
  })
})

describe('rules version', () => {
  it('is the same for the same rule files in different directories', () => {
    const files = { 'mine.yaml': valid }
    expect(loadRuleSet({ userDirs: [ruleDir(files)] }).version).toBe(loadRuleSet({ userDirs: [ruleDir(files)] }).version)
  })

  it('is the same for a pack stored under the names agents give it (directory position prefixed)', () => {
    const other = valid.replace('custom.clock', 'custom.clock2')
    const collector = loadRuleSet({ userDirs: [ruleDir({ 'site.yaml': valid }), ruleDir({ 'extra.yaml': other })] })
    const agent = loadRuleSet({ userDirs: [ruleDir({ '00-site.yaml': valid, '01-extra.yaml': other })] })
    expect(agent.version).toBe(collector.version)
  })

  it('changes when the load order changes (overrides depend on it)', () => {
    const other = valid.replace('custom.clock', 'custom.clock2')
    expect(loadRuleSet({ userDirs: [ruleDir({ 'a.yaml': valid, 'b.yaml': other })] }).version).not.toBe(loadRuleSet({ userDirs: [ruleDir({ 'a.yaml': other, 'b.yaml': valid })] }).version)
  })
})
