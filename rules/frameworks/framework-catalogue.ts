import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { packageRoot } from '../package-root.js'
import { PostureError } from '../posture-error.js'
import type { Controls } from '../finding.js'

/**
 * Compliance frameworks as data (rules/frameworks/<framework>.yaml): each control's id,
 * title and family, where the catalogue comes from and under which licence. The file
 * name, the `framework` field and the key in a rule's `controls:` are the same id
 * (soc2, iso27001, pci-dss-4, cis-v8, nist-800-53).
 */
const controlSchema = z.object({ id: z.string().min(1), family: z.string().min(1), title: z.string().min(1) }).strict()
const familySchema = z.object({ id: z.string().min(1), title: z.string().min(1) }).strict()

export const frameworkCatalogueSchema = z
  .object({
    framework: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
    name: z.string().min(1),
    version: z.string().min(1),
    publisher: z.string().min(1),
    /** `complete`: every control of the framework; `curated`: a documented subset. */
    scope: z.enum(['complete', 'curated']),
    source: z.string().min(1),
    licence: z.string().min(1),
    families: z.array(familySchema).min(1),
    controls: z.array(controlSchema).min(1),
    /** Built-in rules that map to no control of this framework, each with the reason. */
    notApplicable: z.array(z.object({ rule: z.string(), reason: z.string().min(1) }).strict()).default([]),
  })
  .strict()
  .superRefine((value, ctx) => {
    const families = new Set(value.families.map((f) => f.id))
    const seen = new Set<string>()
    for (const control of value.controls) {
      if (seen.has(control.id)) ctx.addIssue({ code: 'custom', message: `control ${control.id} is listed twice` })
      seen.add(control.id)
      if (!families.has(control.family)) ctx.addIssue({ code: 'custom', message: `control ${control.id}: unknown family ${control.family}` })
    }
  })
export type FrameworkCatalogue = z.infer<typeof frameworkCatalogueSchema>
export type FrameworkControl = FrameworkCatalogue['controls'][number]

export function builtinFrameworksDir(): string {
  return join(packageRoot(), 'rules', 'frameworks')
}

/** Every framework catalogue in `dir`, keyed by framework id. Throws BAD_RULE_FILE naming the file. */
export function loadFrameworks(dir: string = builtinFrameworksDir()): Map<string, FrameworkCatalogue> {
  const frameworks = new Map<string, FrameworkCatalogue>()
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const path = join(dir, name)
    const parsed = frameworkCatalogueSchema.safeParse(parse(readFileSync(path, 'utf8')))
    if (!parsed.success) {
      throw new PostureError('BAD_RULE_FILE', `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`)
    }
    if (`${parsed.data.framework}.yaml` !== name) throw new PostureError('BAD_RULE_FILE', `${path}: framework id ${parsed.data.framework} does not match the file name`)
    frameworks.set(parsed.data.framework, parsed.data)
  }
  return frameworks
}

/** What a rule contributes to framework coverage: its id and its `controls:` mapping. */
export interface MappedRule {
  id: string
  controls: Controls
}

export interface ControlCoverage extends FrameworkControl {
  /** Built-in or user rules mapped to this control, sorted. */
  rules: string[]
  /** Checked by Posture's rules (automated); otherwise the control needs manual evidence. */
  automated: boolean
}

/** The framework's controls in catalogue order, each with the rules that check it. */
export function controlCoverage(framework: FrameworkCatalogue, rules: readonly MappedRule[]): ControlCoverage[] {
  const byControl = new Map<string, string[]>()
  for (const rule of rules) for (const id of rule.controls[framework.framework] ?? []) (byControl.get(id) ?? byControl.set(id, []).get(id)!).push(rule.id)
  return framework.controls.map((control) => {
    const mapped = [...new Set(byControl.get(control.id) ?? [])].sort()
    return { ...control, rules: mapped, automated: mapped.length > 0 }
  })
}

export interface MappingProblem {
  rule: string
  framework: string
  /** `unknown-control`: the rule names an id the catalogue lacks; `unmapped`: no control and not declared not applicable. */
  kind: 'unknown-control' | 'unmapped' | 'unknown-framework'
  control?: string
}

/** Checks rules' mappings against the catalogues: every id exists, every rule maps or says why not. */
export function checkMappings(frameworks: ReadonlyMap<string, FrameworkCatalogue>, rules: readonly MappedRule[]): MappingProblem[] {
  const problems: MappingProblem[] = []
  for (const rule of rules) {
    for (const [framework, ids] of Object.entries(rule.controls)) {
      const catalogue = frameworks.get(framework)
      if (!catalogue) {
        problems.push({ rule: rule.id, framework, kind: 'unknown-framework' })
        continue
      }
      const known = new Set(catalogue.controls.map((c) => c.id))
      for (const id of ids) if (!known.has(id)) problems.push({ rule: rule.id, framework, kind: 'unknown-control', control: id })
    }
    for (const catalogue of frameworks.values()) {
      const mapped = (rule.controls[catalogue.framework] ?? []).length > 0
      const exempt = catalogue.notApplicable.some((n) => n.rule === rule.id)
      if (!mapped && !exempt) problems.push({ rule: rule.id, framework: catalogue.framework, kind: 'unmapped' })
    }
  }
  return problems
}
