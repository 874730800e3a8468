import { z } from 'zod'

/**
 * Facts about the HTTP layer of HTTPS endpoints: HSTS (RFC 6797), the security headers,
 * and the redirect from plain HTTP. Gathered by agent/gatherers/tls alongside the TLS facts.
 */
export const hstsFactsSchema = z.object({
  /** Strict-Transport-Security fields in the response (RFC 6797 §7.1: at most one). */
  fieldCount: z.number(),
  /** The first field, as received (the one browsers apply, §8.1). */
  value: z.string(),
  /** The first field conforms to RFC 6797 §6.1 (no repeated directive, max-age present and numeric). */
  valid: z.boolean(),
  errors: z.array(z.string()),
  maxAge: z.number().nullable(),
  includeSubDomains: z.boolean(),
  preload: z.boolean(),
  unknownDirectives: z.array(z.string()),
})
export type HstsFacts = z.infer<typeof hstsFactsSchema>

export const securityHeadersFactsSchema = z.object({
  contentSecurityPolicy: z.string().nullable(),
  /** The CSP frame-ancestors source list, when a policy has one. */
  frameAncestors: z.string().nullable(),
  /** Upper-cased; `INVALID` when several fields disagree. */
  xFrameOptions: z.string().nullable(),
  /** Lower-cased, e.g. `nosniff`. */
  xContentTypeOptions: z.string().nullable(),
})
export type SecurityHeadersFacts = z.infer<typeof securityHeadersFactsSchema>

/** One HTTPS site: `GET /` over TLS on a TLS endpoint that speaks HTTP. */
export const httpSiteFactsSchema = z.object({
  /** `https://host:port/` */
  target: z.string(),
  /** The TLS endpoint it runs on (`host:port`), as in facts.tls.endpoints[].target. */
  endpoint: z.string().optional(),
  status: z.number().optional(),
  /** Parsed Strict-Transport-Security, or null when the response has none. */
  hsts: hstsFactsSchema.nullable().optional(),
  headers: securityHeadersFactsSchema.optional(),
  /**
   * Plain HTTP on the same host redirects to HTTPS on the same host (hstspreload rule 2);
   * null when plain HTTP is not served or could not be checked.
   */
  redirectToHttps: z.boolean().nullable().optional(),
  error: z.string().optional(),
})
export type HttpSiteFacts = z.infer<typeof httpSiteFactsSchema>

/** `GET /` over plain HTTP, on hosts that serve HTTPS and answer on the HTTP port. */
export const httpRedirectFactsSchema = z.object({
  /** `http://host:port/` */
  target: z.string(),
  /** The HTTPS site it belongs to. */
  site: z.string().optional(),
  status: z.number().optional(),
  location: z.string().nullable().optional(),
  /** The response redirects (3xx with Location) to an https: URL. */
  toHttps: z.boolean().optional(),
  /** …on the same host name, so that the browser sees HSTS before anything else (hstspreload). */
  sameHost: z.boolean().optional(),
  error: z.string().optional(),
})
export type HttpRedirectFacts = z.infer<typeof httpRedirectFactsSchema>

export const httpFactsSchema = z.object({
  sites: z.array(httpSiteFactsSchema).optional(),
  redirects: z.array(httpRedirectFactsSchema).optional(),
})
export type HttpFacts = z.infer<typeof httpFactsSchema>
