import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import { PostureError } from '../../rules/posture-error.js'
import { permissiveContextOptions } from './node-handshake.js'

/**
 * What certificates are checked against: the public roots (Node's bundled Mozilla store
 * and the system bundle) plus private CAs given with `--ca` or `tls.caFiles`. Built once
 * per scan: parsing a few hundred roots per handshake would cost more than the handshake.
 */
export interface TrustStore {
  /** Secure context trusting public + private roots. */
  trusted: SecureContext
  /** Secure context trusting nothing: Node then shows the chain exactly as sent. */
  empty: SecureContext
  /** SHA-256 (hex) of every public root's DER. */
  publicRoots: ReadonlySet<string>
  /** SHA-256 (hex) of every private CA's DER. */
  privateRoots: ReadonlySet<string>
  /** All anchors, parsed on first use: only the fallback path validation needs them. */
  anchors: () => readonly X509Certificate[]
}

/** Where distributions keep their CA bundle (Debian/Ubuntu, RHEL/Fedora, Alpine/SUSE, FreeBSD). */
const systemBundlePaths = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
  '/usr/local/share/certs/ca-root-nss.crt',
]

export function readSystemCaBundle(): string | null {
  for (const path of systemBundlePaths) {
    try {
      return readFileSync(path, 'utf8')
    } catch {
      // Not this distribution's path: try the next one.
    }
  }
  return null
}

const pemPattern = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

export function splitPemBundle(text: string): string[] {
  return text.match(pemPattern) ?? []
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''), 'base64')
}

export function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

export function sha256Hex(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex')
}

/** `privateCaPems`: PEM text of each `--ca` file (bundles allowed). */
export function createTrustStore(privateCaPems: readonly string[], systemBundle: string | null = readSystemCaBundle()): TrustStore {
  const publicPems = [...new Set([...rootCertificates, ...(systemBundle ? splitPemBundle(systemBundle) : [])])]
  const privatePems = privateCaPems.flatMap((text, index) => {
    const certs = splitPemBundle(text)
    if (certs.length === 0) throw new PostureError('BAD_INPUT', `CA file ${index + 1}: no PEM certificate in it`)
    return certs
  })
  for (const pem of privatePems) {
    try {
      new X509Certificate(pem)
    } catch (err) {
      throw new PostureError('BAD_INPUT', `CA certificate cannot be parsed: ${(err as Error).message}`)
    }
  }
  let anchors: X509Certificate[] | null = null
  return {
    trusted: createSecureContext({ ...permissiveContextOptions, ca: [...publicPems, ...privatePems] }),
    empty: createSecureContext({ ...permissiveContextOptions, ca: [] }),
    publicRoots: new Set(publicPems.map((p) => sha256Hex(pemToDer(p)))),
    privateRoots: new Set(privatePems.map((p) => sha256Hex(pemToDer(p)))),
    anchors: () => (anchors ??= [...publicPems, ...privatePems].flatMap(parseQuietly)),
  }
}

/** Public roots that newer OpenSSL builds cannot parse are skipped, not fatal. */
function parseQuietly(pem: string): X509Certificate[] {
  try {
    return [new X509Certificate(pem)]
  } catch {
    return []
  }
}
