import { z } from 'zod'
import { hstsFactsSchema } from './http.js'

/**
 * Facts about TLS endpoints: the node's own (listening sockets that answer a handshake,
 * STARTTLS on mail and FTP ports) and configured targets. Gathered by agent/gatherers/tls.
 * Protocol names are Node's (`TLSv1`, `TLSv1.2`, …) plus `SSLv2` / `SSLv3`.
 */
export const cipherFactsSchema = z.object({
  protocol: z.string(),
  /** IANA name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (SSLv2: SSL_CK_…). */
  name: z.string(),
  /** IANA code, `0xc02f`. */
  code: z.string(),
  /** Effective strength: 3DES 112, EXPORT 40/56, NULL 0. */
  bits: z.number(),
  /** RSA (static, no forward secrecy), DH, ECDH, DHE, ECDHE, PSK, …; TLS 1.3: ECDHE or DHE by group. */
  kx: z.string(),
  /** RSA, ECDSA, DSS, anon, PSK, … */
  au: z.string(),
  /** NULL, RC4, RC2, DES, 3DES, IDEA, SEED, AES, CAMELLIA, ARIA, CHACHA20. */
  enc: z.string(),
  aead: z.boolean(),
  export: z.boolean(),
  /** DH prime bits or EC group bits of this suite's key exchange, when seen. */
  kxBits: z.number().nullable(),
  /** EC group of this suite's key exchange, when seen (`x25519`, `secp256r1`). */
  group: z.string().nullable(),
})
export type CipherFacts = z.infer<typeof cipherFactsSchema>

export const chainCertificateFactsSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  notAfter: z.string(),
  selfSigned: z.boolean(),
  isCa: z.boolean(),
  signatureAlgorithm: z.string(),
  /** md5, sha1, sha256, …; `none` for Ed25519/Ed448. */
  signatureHash: z.string(),
  keyType: z.string(),
  keyBits: z.number(),
  fingerprint256: z.string(),
})
export type ChainCertificateFacts = z.infer<typeof chainCertificateFactsSchema>

export const certificateFactsSchema = z.object({
  /** The chain exactly as the server sent it, leaf first. */
  chain: z.array(chainCertificateFactsSchema),
  subject: z.string(),
  commonName: z.string().nullable(),
  /** `DNS:example.com`, `IP:127.0.0.1`. */
  sans: z.array(z.string()),
  issuer: z.string(),
  /** ISO 8601. */
  notBefore: z.string(),
  notAfter: z.string(),
  /** At gather time; rules compare notAfter with `now` themselves. */
  daysRemaining: z.number(),
  /** notAfter − notBefore, in days. */
  lifetimeDays: z.number(),
  /** rsa, ec, ed25519, ed448, dsa, rsa-pss. */
  keyType: z.string(),
  keyBits: z.number(),
  keyCurve: z.string().nullable(),
  signatureAlgorithm: z.string(),
  signatureHash: z.string(),
  selfSigned: z.boolean(),
  /** Verified against the public roots plus the configured private CAs. */
  trusted: z.boolean(),
  /** OpenSSL's verification error when not trusted. */
  trustError: z.string().nullable(),
  /** `public` root or `private` CA (--ca / tls.caFiles); null when untrusted. */
  trustedBy: z.enum(['public', 'private']).nullable(),
  /** The server sends every intermediate; false when verification needed one from the local store. Null when untrusted. */
  chainComplete: z.boolean().nullable(),
  /** The leaf is valid for the endpoint's name (SAN DNS or IP; no CN fallback); null when no name is known. */
  hostnameMatch: z.boolean().nullable(),
  ocspUrl: z.string().nullable(),
  /** An OCSP response was stapled; null when no full handshake could ask. */
  ocspStapled: z.boolean().nullable(),
  serialNumber: z.string(),
  fingerprint256: z.string(),
})
export type CertificateFacts = z.infer<typeof certificateFactsSchema>

export const tlsGrades = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F', 'T', 'M'] as const

export const gradeFactsSchema = z.object({
  /** SSL Labs rating guide 2009r: A+ … F, T (trust), M (name mismatch). */
  grade: z.enum(tlsGrades),
  /** The grade without the T/M gates, as SSL Labs shows underneath ("if trust issues are ignored"). */
  gradeIgnoringTrust: z.enum(tlsGrades),
  /** 0.3 protocol + 0.3 key exchange + 0.4 cipher; null when a cap of F settles it. */
  score: z.number().nullable(),
  protocolScore: z.number(),
  keyExchangeScore: z.number(),
  cipherScore: z.number(),
  caps: z.array(z.object({ grade: z.string(), reason: z.string() })),
  warnings: z.array(z.string()),
})
export type GradeFacts = z.infer<typeof gradeFactsSchema>

export const mozillaComplianceSchema = z.object({
  compliant: z.boolean(),
  differences: z.array(z.string()),
})

export const tlsEndpointFactsSchema = z.object({
  /** `host:port` */
  target: z.string(),
  host: z.string().optional(),
  address: z.string().optional(),
  port: z.number().optional(),
  /** The name used for SNI and the hostname check; null when none is known. */
  servername: z.string().nullable().optional(),
  /** https, smtp, imap, pop3, ftp, or tls when the protocol on top is unknown. */
  service: z.string().optional(),
  starttls: z.string().nullable().optional(),
  /** Accepted protocol versions, oldest first. */
  protocols: z.array(z.string()).optional(),
  /** Every accepted suite, per protocol. */
  ciphers: z.array(cipherFactsSchema).optional(),
  keyExchange: z
    .object({
      /** Accepted groups (`x25519`, `secp256r1`, `ffdhe2048`, …). */
      groups: z.array(z.string()),
      /** Smallest DH prime seen (DHE suites), null when none. */
      minDhBits: z.number().nullable(),
      /** Smallest EC group seen, null when none. */
      minEcdhBits: z.number().nullable(),
    })
    .optional(),
  /** RFC 5746 renegotiation_info echoed; null when only TLS 1.3 was accepted. */
  secureRenegotiation: z.boolean().nullable().optional(),
  /** Null when the server sends none (anonymous suites only) or none could be read. */
  certificate: certificateFactsSchema.nullable().optional(),
  /** Why no certificate could be read, when certificate is null. */
  certificateError: z.string().nullable().optional(),
  /** HTTPS only: the parsed Strict-Transport-Security header, or null. */
  hsts: hstsFactsSchema.nullable().optional(),
  grade: gradeFactsSchema.optional(),
  mozilla: z.object({ intermediate: mozillaComplianceSchema, modern: mozillaComplianceSchema }).optional(),
  error: z.string().optional(),
})
export type TlsEndpointFacts = z.infer<typeof tlsEndpointFactsSchema>

export const tlsFactsSchema = z.object({
  endpoints: z.array(tlsEndpointFactsSchema).optional(),
})
export type TlsFacts = z.infer<typeof tlsFactsSchema>
