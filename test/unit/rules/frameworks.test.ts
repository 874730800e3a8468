import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { builtinCatalogueDir } from '../../../rules/load-rules.js'
import { checkMappings, controlCoverage, loadFrameworks, type MappedRule } from '../../../rules/frameworks/framework-catalogue.js'

/**
 * Framework catalogues (issue 11): well-formed, the expected size and ids of each
 * framework, and every built-in rule's `controls:` naming controls that exist, with at
 * least one control per framework unless the framework declares the rule not applicable.
 */
const frameworks = loadFrameworks()

function builtinRules(): MappedRule[] {
  const dir = builtinCatalogueDir()
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parse(readFileSync(join(dir, f), 'utf8')) as { id?: string; controls?: Record<string, string[]> }[])
    .filter((r): r is { id: string; controls?: Record<string, string[]> } => typeof r.id === 'string')
    .map((r) => ({ id: r.id, controls: r.controls ?? {} }))
}

describe('framework catalogues', () => {
  it('holds the five frameworks rules map to', () => {
    expect([...frameworks.keys()].sort()).toEqual(['cis-v8', 'iso27001', 'nist-800-53', 'pci-dss-4', 'soc2'])
  })

  it.each([
    ['soc2', 61, ['CC1.1', 'CC6.1', 'CC6.8', 'CC7.5', 'CC9.2', 'A1.3', 'C1.2', 'PI1.5', 'P8.1']],
    ['iso27001', 93, ['A.5.1', 'A.5.37', 'A.6.8', 'A.7.14', 'A.8.1', 'A.8.24', 'A.8.34']],
    ['cis-v8', 153, ['1.1', '3.10', '4.4', '8.4', '11.2', '16.14', '18.5']],
    ['pci-dss-4', 280, ['1.2.1', '2.2.7', '4.2.1', '6.3.3', '8.4.2', '10.2.1.4', '12.3.4', 'A3.5.1']],
    ['nist-800-53', 372, ['AC-6', 'IA-2(1)', 'SC-8', 'SC-45', 'SI-2']],
  ] as const)('%s has %i controls, including %j', (id, count, sample) => {
    const catalogue = frameworks.get(id)!
    expect(catalogue.controls).toHaveLength(count)
    const ids = catalogue.controls.map((c) => c.id)
    for (const s of sample) expect(ids).toContain(s)
    expect(catalogue.source.length).toBeGreaterThan(10)
    expect(catalogue.licence.length).toBeGreaterThan(10)
  })

  it('has exact titles for well-known controls', () => {
    const title = (fw: string, id: string) => frameworks.get(fw)!.controls.find((c) => c.id === id)?.title
    expect(title('iso27001', 'A.8.24')).toBe('Use of cryptography')
    expect(title('iso27001', 'A.5.23')).toBe('Information security for use of cloud services')
    expect(title('cis-v8', '4.4')).toBe('Implement and Manage a Firewall on Servers')
    expect(title('nist-800-53', 'IA-2(1)')).toBe('Multi-factor Authentication to Privileged Accounts')
    expect(title('nist-800-53', 'SC-8')).toBe('Transmission Confidentiality and Integrity')
    expect(title('pci-dss-4', '8.3.4')).toBe('Invalid authentication attempts are limited.')
    expect(title('soc2', 'CC6.6')).toBe('The entity implements logical access security measures to protect against threats from sources outside its system boundaries.')
  })

  it('declares not-applicable rules with a reason (a stale entry only warns: rule files land independently)', () => {
    const ids = new Set(builtinRules().map((r) => r.id))
    const stale = [...frameworks.values()].flatMap((c) => c.notApplicable.filter((n) => !ids.has(n.rule)).map((n) => `${c.framework}: ${n.rule}`))
    if (stale.length > 0) console.warn(`not-applicable entries for rules that do not exist:\n  ${stale.join('\n  ')}`)
    for (const catalogue of frameworks.values()) for (const entry of catalogue.notApplicable) expect(entry.reason.length).toBeGreaterThan(10)
  })
})

describe('built-in rules against the framework catalogues', () => {
  const rules = builtinRules()
  const problems = checkMappings(frameworks, rules)

  it('name only controls that exist in the catalogues', () => {
    expect(problems.filter((p) => p.kind !== 'unmapped')).toEqual([])
  })

  it('map to at least one control in every framework, or are declared not applicable there', () => {
    const unmapped = problems.filter((p) => p.kind === 'unmapped').map((p) => `${p.rule} has no ${p.framework} control`)
    if (unmapped.length > 0) console.warn(`rules without mappings:\n  ${unmapped.join('\n  ')}`)
    expect(unmapped).toEqual([])
  })

  it('cover some controls automatically and leave the rest to manual evidence', () => {
    for (const catalogue of frameworks.values()) {
      const coverage = controlCoverage(catalogue, rules)
      const automated = coverage.filter((c) => c.automated)
      expect(automated.length, catalogue.framework).toBeGreaterThan(0)
      expect(coverage.length - automated.length, catalogue.framework).toBeGreaterThan(0)
    }
  })
})

describe('checkMappings', () => {
  it('names unknown controls, unknown frameworks and unmapped rules', () => {
    const problems = checkMappings(frameworks, [
      { id: 'x.one', controls: { soc2: ['CC6.1', 'CC99.1'], 'iso27001': ['A.8.24'], 'cis-v8': ['11'], 'pci-dss-4': ['4.2.1'], 'nist-800-53': ['SC-8'] } },
      { id: 'x.two', controls: { hipaa: ['164.312'] } },
    ])
    expect(problems).toContainEqual({ rule: 'x.one', framework: 'soc2', kind: 'unknown-control', control: 'CC99.1' })
    expect(problems).toContainEqual({ rule: 'x.one', framework: 'cis-v8', kind: 'unknown-control', control: '11' })
    expect(problems).toContainEqual({ rule: 'x.two', framework: 'hipaa', kind: 'unknown-framework' })
    expect(problems.filter((p) => p.rule === 'x.two' && p.kind === 'unmapped')).toHaveLength(5)
  })
})
