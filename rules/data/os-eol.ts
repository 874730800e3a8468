import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDocument } from 'yaml'
import { z } from 'zod'
import { packageRoot } from '../package-root.js'
import { PostureError } from '../posture-error.js'

/**
 * The embedded OS end-of-life table (rules/data/os-eol.yaml, compiled from endoflife.date):
 * Posture's own data, shipped beside the rule catalogue so that offline nodes get the
 * same answer. Dates are `YYYY-MM-DD`, the first day without that support.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')

export const osEolReleaseSchema = z
  .object({
    cycle: z.string(),
    codename: z.string().optional(),
    released: isoDate,
    securityEnd: isoDate,
    extendedEnd: isoDate.optional(),
  })
  .strict()
export type OsEolRelease = z.infer<typeof osEolReleaseSchema>

export const osEolDistributionSchema = z
  .object({
    name: z.string(),
    /** endoflife.date product id. */
    product: z.string(),
    cycleFrom: z.enum(['major', 'major.minor', 'exact']),
    /** What `extendedEnd` is: its name and whether it costs nothing. */
    extended: z.object({ name: z.string(), free: z.boolean() }).strict().nullable(),
    note: z.string(),
    releases: z.array(osEolReleaseSchema),
  })
  .strict()
export type OsEolDistribution = z.infer<typeof osEolDistributionSchema>

export const osEolTableSchema = z
  .object({
    compiled: isoDate,
    source: z.string(),
    /** Keyed by os-release ID. */
    distributions: z.record(z.string(), osEolDistributionSchema),
  })
  .strict()
export type OsEolTable = z.infer<typeof osEolTableSchema>

export function osEolTablePath(): string {
  return join(packageRoot(), 'rules', 'data', 'os-eol.yaml')
}

/** Reads and validates the table; a broken file is a BAD_RULE_FILE error naming the problem. */
export function loadOsEolTable(path: string = osEolTablePath()): OsEolTable {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new PostureError('UNREADABLE', `${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
  const parsed = osEolTableSchema.safeParse(parseDocument(text).toJS())
  if (!parsed.success) throw new PostureError('BAD_RULE_FILE', `${path}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}
