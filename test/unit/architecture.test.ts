import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, dirname } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Dependency direction (DESIGN.md, "Layout"): rules ← agent ← collector ← cli; the
 * dashboard sees types only. This test reads every import and fails on an arrow upward.
 */
const root = resolve(import.meta.dirname, '../..')
const layers = ['rules', 'agent', 'collector', 'cli'] as const
const allowed: Record<string, readonly string[]> = {
  rules: ['rules'],
  agent: ['rules', 'agent'],
  collector: ['rules', 'agent', 'collector', 'dashboard'],
  cli: ['rules', 'agent', 'collector', 'cli'],
}

function sourceFiles(dir: string): string[] {
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return [] // a layer that does not exist yet has nothing to check
  }
  return entries.flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path)
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

const importPattern = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm

function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(importPattern)].map((m) => ({ spec: (m[3] ?? m[4])!, typeOnly: Boolean(m[2]) }))
}

function layerOf(path: string): string {
  return relative(root, path).split('/')[0]!
}

describe('architecture', () => {
  for (const layer of layers) {
    it(`${layer}/ imports only ${allowed[layer]!.join(', ')}`, () => {
      const violations: string[] = []
      for (const file of sourceFiles(join(root, layer))) {
        for (const { spec } of importsOf(file)) {
          if (!spec.startsWith('.')) continue
          const target = layerOf(resolve(dirname(file), spec))
          if (!allowed[layer]!.includes(target)) violations.push(`${relative(root, file)} imports ${spec} (${target}/)`)
        }
      }
      expect(violations).toEqual([])
    })
  }

  it('dashboard/ imports other layers for types only', () => {
    const violations: string[] = []
    for (const file of sourceFiles(join(root, 'dashboard'))) {
      for (const { spec, typeOnly } of importsOf(file)) {
        if (!spec.startsWith('.')) continue
        const target = layerOf(resolve(dirname(file), spec))
        if (target !== 'dashboard' && !typeOnly) violations.push(`${relative(root, file)} imports ${spec} as a value`)
      }
    }
    expect(violations).toEqual([])
  })

  it('the check itself sees imports (guards against a regex that matches nothing)', () => {
    const imports = importsOf(join(root, 'agent', 'scan.ts'))
    expect(imports.map((i) => i.spec)).toContain('../rules/evaluate.js')
  })
})
