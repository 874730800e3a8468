import { readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The long-lived `posture agent` process must stay small (idle RSS ≤ 60 MB, DESIGN.md
 * "Performance targets"): everything its entry statically imports is checked here, so that a
 * new import cannot quietly bring zod, the rule engine, the catalogue or the gatherers back
 * into it (scans run in agent/scan-child.ts, a short-lived child). Type-only imports are
 * erased; dynamic imports load only when used (and are followed by the child, not here).
 */
const root = resolve(import.meta.dirname, '../../..')
const staticImport = /^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm

function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const m of readFileSync(file, 'utf8').matchAll(staticImport)) {
      if (m[2]) continue // `import type …`: erased
      const spec = (m[4] ?? m[5])!
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
      else packages.add(spec)
    }
  }
  visit(resolve(root, entry))
  return { files: [...files].map((f) => relative(root, f)).sort(), packages: [...packages].sort() }
}

describe('the idle agent process', () => {
  it('loads no zod, rule engine, catalogue or gatherers: only ws, pino and Node built-ins', () => {
    const { files, packages } = staticGraph('cli/commands/agent.ts')
    expect(packages.filter((p) => !p.startsWith('node:'))).toEqual(['pino', 'ws'])
    expect(files.filter((f) => /^agent\/(gatherers|host|tls|dns|http)\/|^agent\/scan(-config|-child)?\.ts$|^rules\/(load-rules|evaluate|facts|domains\.ts)|^collector\//.test(f))).toEqual([])
    expect(files).toContain('agent/agent-runtime.ts')
    expect(files).toContain('agent/forked-scan-runner.ts')
  })

  it('sees the heavy modules where they are: the scan child loads zod and the rule engine', () => {
    const { files, packages } = staticGraph('agent/scan-child.ts')
    expect(packages).toContain('zod')
    expect(files).toContain('rules/load-rules.ts')
  })
})
