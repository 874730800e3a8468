import { z } from 'zod'
import { startTlsProtocols } from '../../tls/starttls.js'
import { parseTarget } from './tls-target.js'

/**
 * The scan config's `tls` section. By default a scan probes every listening TCP socket of
 * the node that answers a TLS handshake (and STARTTLS on 25, 587, 143, 110, 21); targets
 * add endpoints by name — the node's public names, so that certificates are checked
 * against them — or other hosts.
 */
const port = z.number().int().min(1).max(65535)

export const tlsTargetConfigSchema = z
  .object({
    host: z.string().min(1),
    port: port.default(443),
    /** SNI and certificate name when it differs from host (e.g. host is an address). */
    servername: z.string().min(1).optional(),
    starttls: z.enum(startTlsProtocols).optional(),
    /** Plain-HTTP port for the redirect check on HTTPS targets; null to skip it. */
    httpPort: port.nullable().default(80),
  })
  .strict()
export type TlsTargetConfig = z.output<typeof tlsTargetConfigSchema>

/** A target is an object, or the shorthand string `host[:port]` (`[::1]:8443`). */
const targetSchema = z.union([
  z.string().transform((text, ctx) => {
    const parsed = parseTarget(text, 443)
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error })
      return z.NEVER
    }
    return tlsTargetConfigSchema.parse(parsed)
  }),
  tlsTargetConfigSchema,
])

export const tlsConfigSchema = z
  .object({
    targets: z.array(targetSchema).default([]),
    /** Probe the node's own listening sockets. */
    discover: z.boolean().default(true),
    /** Listening ports never probed (discovery only). */
    excludePorts: z.array(port).default([]),
    /** PEM files of private CAs that certificates may chain to, besides the public roots. */
    caFiles: z.array(z.string().min(1)).default([]),
    /** Per connection: connect, STARTTLS dialog and the server's first answer. */
    timeoutMs: z.number().int().min(100).max(120_000).default(5_000),
    /** Sockets open at once against one endpoint. */
    connectionsPerEndpoint: z.number().int().min(1).max(64).default(8),
    /** Endpoints probed at once. */
    endpointsAtOnce: z.number().int().min(1).max(32).default(4),
  })
  .strict()
export type TlsConfig = z.output<typeof tlsConfigSchema>
