import { z } from 'zod'
import { domainSchema } from './domains.js'
import { severitySchema } from './severity.js'
import { controlsSchema, statusSchema } from './finding.js'

/**
 * The rule file format (DESIGN.md, "Rules"; README, "Writing a rule"). A rule file is a
 * YAML list whose entries are rules or overrides of rules defined elsewhere.
 */

/** Dotted lowercase kebab-case with at least two parts: `tls.cert.expired`. */
export const ruleIdPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$/
export const ruleIdSchema = z
  .string()
  .regex(ruleIdPattern, 'rule ids are dotted lowercase kebab-case, like tls.cert.expired')

const paramValueSchema = z.union([z.number(), z.string(), z.boolean(), z.array(z.union([z.number(), z.string()]))])
export const paramsSchema = z.record(z.string(), paramValueSchema)
export type Params = z.infer<typeof paramsSchema>

/** A test case written beside its rule: facts in, expected status out. */
export const ruleTestSchema = z
  .object({
    name: z.string().optional(),
    facts: z.record(z.string(), z.unknown()),
    /** Dotted fact path → reason it could not be gathered. */
    factErrors: z.record(z.string(), z.string()).optional(),
    params: paramsSchema.optional(),
    /** The scan's clock; defaults to 2026-01-01T00:00:00Z so tests never depend on today. */
    now: z.iso.datetime().optional(),
    /**
     * The expected status: of the one finding, or for `for_each` rules the aggregate
     * (any fail → fail, else any error → error, else any pass → pass, else na); or a
     * map of target → status to pin each finding.
     */
    expect: z.union([statusSchema, z.record(z.string(), statusSchema)]),
  })
  .strict()
export type RuleTest = z.infer<typeof ruleTestSchema>

export const ruleSchema = z
  .object({
    id: ruleIdSchema,
    title: z.string().min(1),
    domain: domainSchema,
    severity: severitySchema,
    /** CEL: a list; one finding per item, bound to `item` (target = item.target). */
    for_each: z.string().optional(),
    /** CEL: false → status na. */
    applies: z.string().optional(),
    /** CEL: true → pass, false → fail. */
    check: z.string().min(1),
    /** Shown on failure; `{{ expr }}` placeholders are CEL evaluated against the facts. */
    message: z.string().optional(),
    /** Shown when the rule does not apply, e.g. how to configure what it needs. */
    na_message: z.string().optional(),
    /** CEL: what to show as evidence; defaults to `item`, or the facts the rule reads. */
    evidence: z.string().optional(),
    rationale: z.string().min(1),
    remediation: z.string().min(1),
    references: z.array(z.string()).default([]),
    controls: controlsSchema.default({}),
    params: paramsSchema.default({}),
    tests: z.array(ruleTestSchema).default([]),
  })
  .strict()
export type RuleSpec = z.infer<typeof ruleSchema>

/** Changes a rule defined in another file, without copying it. */
export const ruleOverrideSchema = z
  .object({
    override: ruleIdSchema,
    params: paramsSchema.optional(),
    severity: severitySchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
export type RuleOverride = z.infer<typeof ruleOverrideSchema>
