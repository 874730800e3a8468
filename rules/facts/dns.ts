import { z } from 'zod'
import { tlsEndpointFactsSchema } from './tls.js'

/**
 * Facts about the domains a provider operates, as the rest of the internet sees them:
 * email authentication (SPF, DKIM, DMARC), inbound mail transport security (MTA-STS,
 * TLS-RPT, STARTTLS on each MX host), CAA and security.txt. Gathered by
 * agent/gatherers/dns for the domains listed in the scan config (`dns.domains`) or named
 * with `posture domain NAME`.
 *
 * One list per check, each item for one domain (or record, or MX host) with `target` and,
 * when the lookups it needs failed (SERVFAIL, timeout, truncated answer), `error`: the
 * engine then makes that item's finding `error`. A record that is simply not published
 * (NXDOMAIN, no data) is not an error: it is what the check reports.
 */

/** SPF (RFC 7208) of one domain, with its include/redirect tree followed. */
export const spfFactsSchema = z.object({
  /** The domain. */
  target: z.string(),
  domain: z.string(),
  /** TXT records at the domain that start with `v=spf1` (RFC 7208 §4.5): exactly one is valid. */
  records: z.array(z.string()),
  /** Why evaluation would end in permerror (RFC 7208 §2.6.7): syntax, two records, lookup limit, loops, missing includes. */
  errors: z.array(z.string()),
  /** Notes that do not break evaluation: `ptr` used, macros not followed, terms after `all`. */
  warnings: z.array(z.string()),
  /** The effective final mechanism: `-all`, `~all`, `?all`, `+all`, or null (none: neutral). */
  all: z.string().nullable(),
  /** Where that `all` comes from (the domain, or a `redirect=` target). */
  allFrom: z.string().nullable(),
  /** Terms that cause DNS lookups, over the whole tree (RFC 7208 §4.6.4: at most 10). */
  lookups: z.number(),
  /** Every domain reached through `include:` and `redirect=`, in order. */
  includes: z.array(z.string()),
  error: z.string().optional(),
})
export type SpfFacts = z.infer<typeof spfFactsSchema>

/** One DKIM key record (RFC 6376 §3.6.1, RFC 8463) at `SELECTOR._domainkey.DOMAIN`. */
export const dkimFactsSchema = z.object({
  /** `SELECTOR._domainkey.DOMAIN`, or the domain when no selector is configured. */
  target: z.string(),
  domain: z.string(),
  /** Null when the scan config names no selector for the domain (DKIM selectors cannot be discovered). */
  selector: z.string().nullable(),
  /** TXT records at the name that look like DKIM keys (`v=DKIM1` or a `p=` tag). */
  records: z.array(z.string()),
  errors: z.array(z.string()),
  /** `rsa` or `ed25519` (the `k=` tag, rsa by default); null when unreadable. */
  keyType: z.string().nullable(),
  /** RSA modulus bits, 256 for Ed25519; null when the key cannot be parsed. */
  keyBits: z.number().nullable(),
  /** `p=` is empty: the key was revoked (RFC 6376 §3.6.1). */
  revoked: z.boolean(),
  /** `t=y`: testing mode, verifiers treat signed mail as unsigned. */
  testing: z.boolean(),
  error: z.string().optional(),
})
export type DkimFacts = z.infer<typeof dkimFactsSchema>

/** DMARC (RFC 7489) at `_dmarc.DOMAIN`. */
export const dmarcFactsSchema = z.object({
  target: z.string(),
  domain: z.string(),
  /** TXT records at `_dmarc.DOMAIN` starting with `v=DMARC1` (RFC 7489 §6.6.3: exactly one applies). */
  records: z.array(z.string()),
  errors: z.array(z.string()),
  /** `p=`: none, quarantine or reject; null when missing or invalid. */
  policy: z.string().nullable(),
  /** `sp=`, or null when absent (subdomains then follow `p=`). */
  subdomainPolicy: z.string().nullable(),
  /** `pct=`, 100 when absent. */
  pct: z.number().nullable(),
  /** Aggregate report URIs (`rua=`). */
  rua: z.array(z.string()),
  /** Failure report URIs (`ruf=`). */
  ruf: z.array(z.string()),
  error: z.string().optional(),
})
export type DmarcFacts = z.infer<typeof dmarcFactsSchema>

/** The MTA-STS policy file (RFC 8461 §3.2, §3.3) as fetched. */
export const mtaStsPolicyFactsSchema = z.object({
  url: z.string(),
  status: z.number(),
  contentType: z.string().nullable(),
  /** The certificate is trusted and valid for `mta-sts.DOMAIN` (RFC 8461 §3.3). */
  certificateValid: z.boolean(),
  certificateError: z.string().nullable(),
  errors: z.array(z.string()),
  /** enforce, testing or none; null when missing or invalid. */
  mode: z.string().nullable(),
  /** The `mx:` patterns. */
  mx: z.array(z.string()),
  maxAgeSeconds: z.number().nullable(),
})
export type MtaStsPolicyFacts = z.infer<typeof mtaStsPolicyFactsSchema>

export const mtaStsFactsSchema = z.object({
  target: z.string(),
  domain: z.string(),
  /** TXT records at `_mta-sts.DOMAIN` starting with `v=STSv1` (RFC 8461 §3.1: exactly one). */
  records: z.array(z.string()),
  errors: z.array(z.string()),
  /** The `id=` of the record. */
  id: z.string().nullable(),
  /** The domain's MX hosts (empty: the domain receives no mail, and MTA-STS does not apply). */
  mxHosts: z.array(z.string()),
  /** Null when there is no valid TXT record to make a sender fetch it. */
  policy: mtaStsPolicyFactsSchema.nullable(),
  /** Why the policy could not be fetched when a sender would fail the same way (no such host, redirect, TLS refused). */
  policyError: z.string().nullable(),
  /** MX hosts that no `mx:` pattern of the policy matches (RFC 8461 §4.1). */
  uncoveredMx: z.array(z.string()),
  error: z.string().optional(),
})
export type MtaStsFacts = z.infer<typeof mtaStsFactsSchema>

/** SMTP TLS Reporting (RFC 8460) at `_smtp._tls.DOMAIN`. */
export const tlsRptFactsSchema = z.object({
  target: z.string(),
  domain: z.string(),
  records: z.array(z.string()),
  errors: z.array(z.string()),
  rua: z.array(z.string()),
  mxHosts: z.array(z.string()),
  error: z.string().optional(),
})
export type TlsRptFacts = z.infer<typeof tlsRptFactsSchema>

/**
 * One MX host, checked once however many domains use it: STARTTLS on port 25 (RFC 3207)
 * and the TLS endpoint behind it. A domain without MX hosts is one item with `host: null`.
 */
export const mxHostFactsSchema = z.object({
  /** `mx.example.com:25`, or the domain when it has no MX host. */
  target: z.string(),
  /** The MX host name; null for a domain that receives no mail. */
  host: z.string().nullable(),
  /** Why there is no host to check: no MX records, or a null MX (RFC 7505). */
  note: z.string().optional(),
  domains: z.array(z.string()),
  port: z.number().optional(),
  /** The address connected to. */
  address: z.string().optional(),
  /** The 220 greeting. */
  banner: z.string().optional(),
  /** EHLO keywords (`PIPELINING`, `STARTTLS`, `SIZE 10240000`, …). */
  capabilities: z.array(z.string()).optional(),
  starttls: z.boolean().optional(),
  /** The TLS endpoint reached through STARTTLS (protocols, ciphers, certificate), when offered. */
  tls: tlsEndpointFactsSchema.optional(),
  error: z.string().optional(),
})
export type MxHostFacts = z.infer<typeof mxHostFactsSchema>

/** One CAA record (RFC 8659 §4.1). */
export const caaRecordFactsSchema = z.object({
  critical: z.boolean(),
  tag: z.string(),
  value: z.string(),
})

export const caaFactsSchema = z.object({
  target: z.string(),
  domain: z.string(),
  /** The relevant record set (RFC 8659 §3: the closest name up the tree that has one). */
  records: z.array(caaRecordFactsSchema),
  /** Where the relevant set was found; null when no name up the tree has one. */
  foundAt: z.string().nullable(),
  /** CA domains named by `issue` and `issuewild` (lower-case; the empty string is `;`, no CA). */
  issuers: z.array(z.string()),
  /** The CAs the scan config says this domain uses (`dns.domains[].allowedCas`); empty: not configured. */
  allowedCas: z.array(z.string()),
  /** Tags with the critical flag that CAs do not know: every CA must then refuse to issue (RFC 8659 §4.1). */
  unknownCriticalTags: z.array(z.string()),
  errors: z.array(z.string()),
  error: z.string().optional(),
})
export type CaaFacts = z.infer<typeof caaFactsSchema>

/** An `Encryption:` link of security.txt, followed. */
export const encryptionLinkFactsSchema = z.object({
  uri: z.string(),
  /** The link leads to a key: an https URL answering 200, or an openpgp4fpr fingerprint. */
  ok: z.boolean(),
  /** False for links that cannot be followed from here (dns: OPENPGPKEY records): ok is then true, noted in reason. */
  checked: z.boolean(),
  reason: z.string(),
})

/** security.txt (RFC 9116) at `https://DOMAIN/.well-known/security.txt`. */
export const securityTxtFactsSchema = z.object({
  /** The URL fetched. */
  target: z.string(),
  domain: z.string(),
  /** HTTP status of the final response (after at most 3 redirects, RFC 9116 §3). */
  status: z.number(),
  /** The URL that answered, and the redirects on the way. */
  finalUrl: z.string(),
  redirects: z.array(z.string()),
  contentType: z.string().nullable(),
  /** The certificate of every hop is trusted and valid for its name. */
  certificateValid: z.boolean(),
  certificateError: z.string().nullable(),
  /** Parse errors and RFC 9116 violations (repeated Expires, non-https Contact, not in Canonical, …). */
  errors: z.array(z.string()),
  contact: z.array(z.string()),
  /** ISO 8601, or null when absent or unparseable. */
  expires: z.string().nullable(),
  encryption: z.array(encryptionLinkFactsSchema),
  policy: z.array(z.string()),
  canonical: z.array(z.string()),
  preferredLanguages: z.array(z.string()),
  /** Wrapped in an OpenPGP cleartext signature (RFC 9116 §2.3); the signature is not verified. */
  signed: z.boolean(),
  error: z.string().optional(),
})
export type SecurityTxtFacts = z.infer<typeof securityTxtFactsSchema>

export const dnsFactsSchema = z.object({
  /** Where queries went: `system` (the resolvers of /etc/resolv.conf) or `ADDRESS:PORT`. */
  resolver: z.string().optional(),
  /** The domains checked. */
  domains: z.array(z.string()).optional(),
  spf: z.array(spfFactsSchema).optional(),
  dkim: z.array(dkimFactsSchema).optional(),
  dmarc: z.array(dmarcFactsSchema).optional(),
  mtaSts: z.array(mtaStsFactsSchema).optional(),
  tlsRpt: z.array(tlsRptFactsSchema).optional(),
  mx: z.array(mxHostFactsSchema).optional(),
  caa: z.array(caaFactsSchema).optional(),
  securityTxt: z.array(securityTxtFactsSchema).optional(),
})
export type DnsFacts = z.infer<typeof dnsFactsSchema>
