import type { CertificateFacts, CipherFacts } from '../../rules/facts/tls.js'

/**
 * Compliance with Mozilla's Server Side TLS guidelines 6.0 (ssl-config-generator
 * `src/static/guidelines/6.0.json`), checked the way sslyze's mozilla_config_checker
 * does: protocols, suites, certificate type, key and signature, DH/ECDH sizes, lifespan,
 * path and hostname validation. Like sslyze it does not check curves, HSTS or order. OCSP
 * stapling (`ocsp_staple: true`) is checked only when the certificate names an OCSP
 * responder: Let's Encrypt and others dropped OCSP in 2025 (reference §4, our recommendation).
 */
export interface MozillaProfile {
  name: 'modern' | 'intermediate'
  tlsVersions: readonly string[]
  tls13Suites: readonly string[]
  /** IANA names allowed with TLS ≤ 1.2. */
  legacySuites: readonly string[]
  certificateTypes: readonly string[]
  certificateSignatures: readonly string[]
  rsaKeySize: number | null
  dhParamSize: number | null
  ecdhParamSize: number
  maximumCertificateLifespanDays: number
}

const tls13Suites = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']

export const mozillaModern: MozillaProfile = {
  name: 'modern',
  tlsVersions: ['TLSv1.3'],
  tls13Suites,
  legacySuites: [],
  certificateTypes: ['ec'],
  certificateSignatures: ['ecdsa-with-SHA256', 'ecdsa-with-SHA384', 'ecdsa-with-SHA512'],
  rsaKeySize: null,
  dhParamSize: null,
  ecdhParamSize: 256,
  maximumCertificateLifespanDays: 90,
}

export const mozillaIntermediate: MozillaProfile = {
  name: 'intermediate',
  tlsVersions: ['TLSv1.2', 'TLSv1.3'],
  tls13Suites,
  legacySuites: [
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  ],
  certificateTypes: ['ec', 'rsa'],
  certificateSignatures: ['sha256WithRSAEncryption', 'ecdsa-with-SHA256', 'ecdsa-with-SHA384', 'ecdsa-with-SHA512'],
  rsaKeySize: 2048,
  dhParamSize: 2048,
  ecdhParamSize: 256,
  maximumCertificateLifespanDays: 366,
}

export interface ProfileInput {
  protocols: readonly string[]
  ciphers: readonly CipherFacts[]
  certificate: CertificateFacts | null
  minDhBits: number | null
  minEcdhBits: number | null
}

export function checkMozillaProfile(profile: MozillaProfile, input: ProfileInput): { compliant: boolean; differences: string[] } {
  const differences: string[] = []
  const extraProtocols = input.protocols.filter((p) => !profile.tlsVersions.includes(p))
  if (extraProtocols.length) differences.push(`protocols ${extraProtocols.join(', ')} enabled (${profile.name} allows ${profile.tlsVersions.join(', ')})`)
  for (const protocol of new Set(input.ciphers.map((c) => c.protocol))) {
    const allowed = protocol === 'TLSv1.3' ? profile.tls13Suites : profile.legacySuites
    const extra = [...new Set(input.ciphers.filter((c) => c.protocol === protocol && !allowed.includes(c.name)).map((c) => c.name))]
    if (extra.length && profile.tlsVersions.includes(protocol)) differences.push(`${protocol} suites outside the profile: ${extra.join(', ')}`)
  }
  const cert = input.certificate
  if (cert) {
    if (!profile.certificateTypes.includes(cert.keyType)) differences.push(`certificate key type ${cert.keyType} (${profile.name} wants ${profile.certificateTypes.join(' or ')})`)
    if (profile.rsaKeySize !== null && cert.keyType === 'rsa' && cert.keyBits < profile.rsaKeySize) differences.push(`RSA key of ${cert.keyBits} bits (at least ${profile.rsaKeySize})`)
    if (!profile.certificateSignatures.includes(cert.signatureAlgorithm)) differences.push(`certificate signature ${cert.signatureAlgorithm} (${profile.name} allows ${profile.certificateSignatures.join(', ')})`)
    if (cert.lifetimeDays > profile.maximumCertificateLifespanDays) differences.push(`certificate lifespan ${Math.round(cert.lifetimeDays)} days (at most ${profile.maximumCertificateLifespanDays})`)
    if (!cert.trusted) differences.push(`certificate not trusted (${cert.trustError ?? 'unknown reason'})`)
    if (cert.hostnameMatch === false) differences.push('certificate does not match the server name')
    if (cert.ocspUrl !== null && cert.ocspStapled === false) differences.push(`no OCSP response stapled although the certificate names a responder (${cert.ocspUrl})`)
  } else {
    differences.push('no certificate to check')
  }
  if (profile.dhParamSize !== null && input.minDhBits !== null && input.minDhBits < profile.dhParamSize) differences.push(`DH parameters of ${input.minDhBits} bits (at least ${profile.dhParamSize})`)
  // OpenSSL reports X25519 as 253 bits; sslyze adds 3 so that it meets 256.
  if (input.minEcdhBits !== null && input.minEcdhBits + 3 < profile.ecdhParamSize) differences.push(`ECDH group of ${input.minEcdhBits} bits (at least ${profile.ecdhParamSize})`)
  return { compliant: differences.length === 0, differences }
}
