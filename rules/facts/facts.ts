import { z } from 'zod'
import { systemFactsSchema } from './system.js'
import { tlsFactsSchema } from './tls.js'
import { httpFactsSchema } from './http.js'
import { patchesFactsSchema } from './patches.js'
import { accessFactsSchema } from './access.js'
import { networkFactsSchema } from './network.js'
import { storageFactsSchema } from './storage.js'
import { agentlessFactsSchema } from './agentless.js'
import { dnsFactsSchema } from './dns.js'

/**
 * Everything a scan learned about a node, one key per domain. Every field may be absent:
 * a fact that could not be gathered is left out and its reason recorded in
 * `FactErrors` under its dotted path, so that rules reading it give `error`, never `pass`.
 *
 * Each domain's schema lives in its own file beside this one; add the domain here.
 */
export const factsSchema = z.object({
  system: systemFactsSchema.optional(),
  tls: tlsFactsSchema.optional(),
  http: httpFactsSchema.optional(),
  patches: patchesFactsSchema.optional(),
  access: accessFactsSchema.optional(),
  network: networkFactsSchema.optional(),
  storage: storageFactsSchema.optional(),
  agentless: agentlessFactsSchema.optional(),
  dns: dnsFactsSchema.optional(),
})
export type Facts = z.infer<typeof factsSchema>

/** Dotted fact path (`system.timeSync`) → why it could not be gathered. */
export const factErrorsSchema = z.record(z.string(), z.string())
export type FactErrors = z.infer<typeof factErrorsSchema>
