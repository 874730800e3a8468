import { z } from 'zod'
import { domains } from './domain-names.js'

/**
 * The rule domains (DESIGN.md, "Rules"). `posture scan --only` takes these names, and
 * each one has a gatherer in agent/gatherers/registry.ts. The list itself lives in
 * domain-names.ts (zod-free, for the idle agent).
 */
export { domains, isDomain } from './domain-names.js'
export const domainSchema = z.enum(domains)
export type Domain = z.infer<typeof domainSchema>
