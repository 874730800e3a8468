import { z } from 'zod'
import { dnsConfigSchema } from '../../agent/gatherers/dns/dns-config.js'

/**
 * The collector config's `domainChecks` section: the domains the provider operates,
 * checked from the collector on a fixed interval (SPF, DKIM, DMARC, MTA-STS, TLS-RPT, MX
 * STARTTLS, CAA, security.txt) and shown in the fleet beside the nodes. The same fields
 * as the scan config's `dns` section, plus when and with which private CAs.
 *
 * ```yaml
 * domainChecks:
 *   domains: [example.com, { name: example.net, dkimSelectors: [s1], allowedCas: [letsencrypt.org] }]
 *   resolver: 9.9.9.9
 *   intervalMs: 21600000      # every 6 hours (default); 0 turns the checks off
 * ```
 */
export const domainChecksConfigSchema = dnsConfigSchema
  .extend({
    /** Time between two checks of every domain; the first runs when the collector starts. 0: never. */
    intervalMs: z
      .number()
      .int()
      .refine((ms) => ms === 0 || (ms >= 60_000 && ms <= 7 * 86_400_000), 'between one minute and a week, or 0 to turn the checks off')
      .default(6 * 3_600_000),
    /** PEM files of private CAs that MX, MTA-STS and security.txt certificates may chain to. */
    caFiles: z.array(z.string().min(1)).default([]),
    /** Labels of every domain's entry in the fleet (schedules, filters and waivers select by them). */
    labels: z.record(z.string().regex(/^[A-Za-z0-9_./-]{1,63}$/), z.string().max(255)).default({ kind: 'domain' }),
  })
  .strict()
export type DomainChecksConfig = z.output<typeof domainChecksConfigSchema>
