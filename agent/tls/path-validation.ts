import type { X509Certificate } from 'node:crypto'

/**
 * A minimal certification path check (RFC 5280 §6, signatures, validity and CA flags
 * only) for servers Node's OpenSSL cannot complete a handshake with — 3DES- or SSLv3-only
 * ones — where the chain comes from our raw hello instead. Error codes are OpenSSL's, so
 * that the facts read the same whichever path produced them.
 */
export interface PathResult {
  trusted: boolean
  error: string | null
  /** The chain from leaf to anchor, as built. */
  path: X509Certificate[]
}

const maxDepth = 10

export function validatePath(sent: readonly X509Certificate[], anchors: readonly X509Certificate[], now: Date): PathResult {
  const leaf = sent[0]
  if (!leaf) return { trusted: false, error: 'NO_CERTIFICATE', path: [] }
  const path = [leaf]
  let current = leaf
  for (let depth = 0; depth < maxDepth; depth++) {
    const expired = expiryError(current, now)
    if (expired) return { trusted: false, error: expired, path }
    const anchor = anchors.find((a) => issued(a, current))
    if (anchor) {
      if (anchor.fingerprint256 !== current.fingerprint256) path.push(anchor)
      return { trusted: true, error: null, path }
    }
    if (current.subject === current.issuer && verifies(current, current)) {
      return { trusted: false, error: depth === 0 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN', path }
    }
    const next = sent.find((c) => c !== current && c.ca && issued(c, current) && !path.includes(c))
    if (!next) return { trusted: false, error: depth === 0 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', path }
    path.push(next)
    current = next
  }
  return { trusted: false, error: 'CERT_CHAIN_TOO_LONG', path }
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey)
  } catch {
    // An unsupported key or signature algorithm cannot have issued it, as far as we can tell.
    return false
  }
}

function verifies(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.verify(issuer.publicKey)
  } catch {
    // Unsupported key type: treated as not verifying.
    return false
  }
}

function expiryError(cert: X509Certificate, now: Date): string | null {
  if (now < new Date(cert.validFrom)) return 'CERT_NOT_YET_VALID'
  if (now > new Date(cert.validTo)) return 'CERT_HAS_EXPIRED'
  return null
}
