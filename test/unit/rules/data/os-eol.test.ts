import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { loadOsEolTable } from '../../../../rules/data/os-eol.js'
import { PostureError } from '../../../../rules/posture-error.js'

/** The embedded table must say what endoflife.date says: every release, every date. */
const sourceDir = resolve(import.meta.dirname, '../../../fixtures/patches/endoflife.date')
const table = loadOsEolTable()

function frontMatter(product: string): { releases: Record<string, unknown>[] } {
  const text = readFileSync(join(sourceDir, `${product}.frontmatter.yml`), 'utf8')
  for (const doc of parseAllDocuments(text)) {
    const data: unknown = doc.toJS()
    if (data && typeof data === 'object' && 'releases' in data) return data as { releases: Record<string, unknown>[] }
  }
  throw new Error(`${product}: no releases`)
}

// yaml's default (YAML 1.2 core) schema keeps dates as strings; booleans (`eol: false`) are not dates.
const day = (value: unknown): string | undefined => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined)

describe('rules/data/os-eol.yaml', () => {
  it('says when it was compiled and from what', () => {
    expect(table.compiled).toBe('2026-08-22')
    expect(table.source).toMatch(/endoflife\.date.*MIT/)
    expect(Object.keys(table.distributions).sort()).toEqual(['almalinux', 'alpine', 'debian', 'rhel', 'rocky', 'ubuntu'])
  })

  it('covers every product file in the fixtures', () => {
    const products = readdirSync(sourceDir).map((f) => f.replace('.frontmatter.yml', '')).sort()
    expect(Object.values(table.distributions).map((d) => d.product).sort()).toEqual(products)
  })

  it.each(Object.entries(table.distributions))('%s matches endoflife.date release for release', (_id, distribution) => {
    const source = frontMatter(distribution.product).releases
    expect(distribution.releases.map((r) => r.cycle)).toEqual(source.map((r) => String(r.releaseCycle)))
    for (const [i, release] of distribution.releases.entries()) {
      const original = source[i]!
      expect(release.released, release.cycle).toBe(day(original.releaseDate))
      expect(release.securityEnd, release.cycle).toBe(day(original.eol))
      expect(release.extendedEnd, release.cycle).toBe(distribution.extended ? day(original.eoes) : undefined)
    }
  })

  it('knows the reference’s key dates', () => {
    const find = (id: string, cycle: string) => table.distributions[id]?.releases.find((r) => r.cycle === cycle)
    expect(find('debian', '12')).toMatchObject({ securityEnd: '2026-07-11', extendedEnd: '2028-06-30' })
    expect(find('ubuntu', '24.04')).toMatchObject({ securityEnd: '2029-05-31', extendedEnd: '2036-05-31' })
    expect(find('rhel', '9')).toMatchObject({ securityEnd: '2032-05-31', extendedEnd: '2036-05-31' })
    expect(find('rocky', '9')).toMatchObject({ securityEnd: '2032-05-31' })
    expect(find('almalinux', '8')).toMatchObject({ securityEnd: '2029-05-31' })
    expect(find('alpine', '3.21')).toMatchObject({ securityEnd: '2026-11-01' })
    expect(table.distributions.debian?.extended).toEqual({ name: 'LTS', free: true })
    expect(table.distributions.ubuntu?.extended).toEqual({ name: 'ESM (Ubuntu Pro)', free: false })
  })

  it('a broken table is a BAD_RULE_FILE error naming the field', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'posture-eol-')), 'os-eol.yaml')
    writeFileSync(path, 'compiled: "2026-08-22"\nsource: x\ndistributions:\n  debian: { name: Debian, product: debian, cycleFrom: major, extended: null, note: n, releases: [{ cycle: "12", released: "2023", securityEnd: "2026-07-11" }] }\n')
    expect(() => loadOsEolTable(path)).toThrow(PostureError)
    expect(() => loadOsEolTable(path)).toThrow(/released/)
  })
})
