import { z } from 'zod'

/**
 * The rule domains (DESIGN.md, "Rules"). `posture scan --only` takes these names, and
 * each one has a gatherer in agent/gatherers/registry.ts.
 */
export const domains = ['system', 'tls', 'http', 'patches', 'network', 'storage', 'access', 'dns'] as const
export const domainSchema = z.enum(domains)
export type Domain = z.infer<typeof domainSchema>

export function isDomain(name: string): name is Domain {
  return (domains as readonly string[]).includes(name)
}
