import { z } from 'zod'
import { accessConfigSchema } from './gatherers/access/access-config.js'
import { networkConfigSchema } from './gatherers/network/network-config.js'
import { tlsConfigSchema } from './gatherers/tls/tls-config.js'
import { dnsConfigSchema } from './gatherers/dns/dns-config.js'

/**
 * What a scan may be told about the node beyond what it can see (TLS targets, network
 * policy, backup locations, …). One strict schema: a misspelled key is an error. Domain
 * sections are added here as the domains need them; all have secure defaults.
 */
export const scanConfigSchema = z
  .object({
    access: accessConfigSchema.prefault({}),
    network: networkConfigSchema.prefault({}),
    tls: tlsConfigSchema.prefault({}),
    dns: dnsConfigSchema.prefault({}),
  })
  .strict()
export type ScanConfig = z.infer<typeof scanConfigSchema>

export const defaultScanConfig: ScanConfig = Object.freeze(scanConfigSchema.parse({}))
