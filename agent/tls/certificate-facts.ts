import { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import type { CertificateFacts, ChainCertificateFacts } from '../../rules/facts/tls.js'
import type { CertificateEvidence } from './probe-endpoint.js'
import { certificateSignatureAlgorithm } from './signature-algorithm.js'

/**
 * Certificate facts from recorded evidence (PEM chains and the verification verdict):
 * pure, so a snapshot replays to the same facts. `name` is what the certificate must be
 * valid for (SNI name or IP); `now` is the scan clock, for daysRemaining only — rules
 * compare notAfter with their own `now`.
 */
export function certificateFacts(evidence: CertificateEvidence, name: string | null, now: Date): CertificateFacts {
  const sent = evidence.sent.map((pem) => new X509Certificate(pem))
  const verified = evidence.verified.map((pem) => new X509Certificate(pem))
  const leaf = sent[0] ?? verified[0]
  if (!leaf) throw new RangeError('certificate evidence without any certificate')
  const entry = chainEntry(leaf)
  const notBefore = new Date(leaf.validFrom)
  const notAfter = new Date(leaf.validTo)
  const key = keyOf(leaf)
  return {
    chain: sent.map(chainEntry),
    subject: entry.subject,
    commonName: /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1] ?? null,
    sans: subjectAltNames(leaf),
    issuer: entry.issuer,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysRemaining: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
    lifetimeDays: Math.round(((notAfter.getTime() - notBefore.getTime()) / 86_400_000) * 100) / 100,
    keyType: key.type,
    keyBits: key.bits,
    keyCurve: key.curve,
    signatureAlgorithm: entry.signatureAlgorithm,
    signatureHash: entry.signatureHash,
    selfSigned: entry.selfSigned,
    trusted: evidence.trusted,
    trustError: evidence.trustError,
    trustedBy: evidence.trustedBy,
    chainComplete: evidence.trusted ? chainComplete(sent, verified) : null,
    hostnameMatch: name === null ? null : matchesName(leaf, name),
    ocspUrl: /OCSP - URI:(\S+)/.exec(leaf.infoAccess ?? '')?.[1] ?? null,
    ocspStapled: evidence.ocspStapled,
    serialNumber: leaf.serialNumber,
    fingerprint256: leaf.fingerprint256,
  }
}

function chainEntry(cert: X509Certificate): ChainCertificateFacts {
  const signature = signatureOf(cert)
  const key = keyOf(cert)
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    notAfter: new Date(cert.validTo).toISOString(),
    selfSigned: isSelfSigned(cert),
    isCa: cert.ca,
    signatureAlgorithm: signature.name,
    signatureHash: signature.hash,
    keyType: key.type,
    keyBits: key.bits,
    fingerprint256: cert.fingerprint256,
  }
}

function signatureOf(cert: X509Certificate): { name: string; hash: string } {
  try {
    return certificateSignatureAlgorithm(cert.raw)
  } catch (err) {
    return { name: `unreadable (${(err as Error).message})`, hash: 'unknown' }
  }
}

/** Subject and issuer as one line: `CN=example.com, O=Example`. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ')
}

const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp256k1: 256, secp224r1: 224, prime192v1: 192 }

function keyOf(cert: X509Certificate): { type: string; bits: number; curve: string | null } {
  const key = cert.publicKey
  const type = key.asymmetricKeyType ?? 'unknown'
  const details = key.asymmetricKeyDetails ?? {}
  if (type === 'ed25519') return { type, bits: 256, curve: null }
  if (type === 'ed448') return { type, bits: 456, curve: null }
  if (type === 'ec') {
    const curve = details.namedCurve ?? null
    return { type, bits: (curve !== null ? curveBits[curve] : undefined) ?? 0, curve }
  }
  return { type, bits: details.modulusLength ?? 0, curve: null }
}

/**
 * Issuer name equals subject and the certificate's own key verifies its signature. Not
 * X509_check_issued: that also demands keyCertSign, which self-signed server certificates
 * often lack.
 */
function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.subject === cert.issuer && cert.verify(cert.publicKey)
  } catch {
    // A key type Node cannot verify with: not provably self-signed.
    return false
  }
}

/** `DNS:example.com, IP Address:127.0.0.1` → `['DNS:example.com', 'IP:127.0.0.1']`. */
function subjectAltNames(cert: X509Certificate): string[] {
  if (!cert.subjectAltName) return []
  return cert.subjectAltName.split(/,\s*/).map((s) => s.replace(/^IP Address:/, 'IP:'))
}

/** RFC 6125 §6.4 via OpenSSL's X509_check_host/ip; no CN fallback, as browsers (CA/B BR 7.1.4.2). */
function matchesName(cert: X509Certificate, name: string): boolean {
  if (isIP(name)) return cert.checkIP(name) !== undefined
  return cert.checkHost(name, { subject: 'never' }) !== undefined
}

/**
 * The server sent every certificate the path needs: verification added only the
 * self-signed anchor from the store, no intermediate (SSL Labs "chain issues: incomplete").
 */
function chainComplete(sent: readonly X509Certificate[], verified: readonly X509Certificate[]): boolean {
  const sentPrints = new Set(sent.map((c) => c.fingerprint256))
  return verified.every((c) => sentPrints.has(c.fingerprint256) || isSelfSigned(c))
}
