/**
 * The rule domains (DESIGN.md, "Rules"), as plain data: the long-lived agent process checks
 * `scan.only` against this list without loading zod (rules/domains.ts builds the schema).
 */
export const domains = ['system', 'tls', 'http', 'patches', 'network', 'storage', 'access', 'dns'] as const
export type Domain = (typeof domains)[number]

export function isDomain(name: string): name is Domain {
  return (domains as readonly string[]).includes(name)
}
