import { X509Certificate } from 'node:crypto'
import { errorMessage } from '../../rules/posture-error.js'
import { formatTarget, resolveHost } from './connection.js'
import { enumerateEndpoint, type AcceptedGroup, type AcceptedSuite, type ProtocolAnswer } from './enumerate.js'
import { createLimiter } from './limit.js'
import { nodeHandshake, type NodeHandshake } from './node-handshake.js'
import { validatePath } from './path-validation.js'
import type { StartTlsProtocol } from './starttls.js'
import { derToPem, sha256Hex, type TrustStore } from './trust-store.js'

/**
 * Everything one TLS endpoint showed a scanner, as JSON: what `host.probe('tls …')`
 * records in snapshots. Facts are derived from it by pure code (agent/gatherers/tls), so a
 * replayed snapshot gives the same facts as the live scan.
 */
export interface TlsProbeResult {
  target: string
  host: string
  address: string
  port: number
  servername: string | null
  starttls: StartTlsProtocol | null
  protocols: ProtocolAnswer[]
  suites: AcceptedSuite[]
  groups: AcceptedGroup[]
  secureRenegotiation: boolean | null
  certificate: CertificateEvidence | null
  negotiated: Pick<NodeHandshake, 'protocol' | 'cipher' | 'ephemeralKey'> | null
  /** Why Node could not complete a handshake (e.g. the server offers only 3DES), if it could not. */
  handshakeError: string | null
  hellos: number
  durationMs: number
}

export interface CertificateEvidence {
  /** PEM, leaf first, exactly as the server sent them (when a TLS ≤ 1.2 flight showed them). */
  sent: string[]
  /** PEM, leaf to anchor, as verification built the path. */
  verified: string[]
  trusted: boolean
  /** OpenSSL verification error (`CERT_HAS_EXPIRED`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …). */
  trustError: string | null
  /** Which anchor verified it: a public root, or a private CA from --ca / tls.caFiles. */
  trustedBy: 'public' | 'private' | null
  /** `openssl`: Node's handshake verified it; `fallback`: our own path check on the raw chain. */
  verifiedBy: 'openssl' | 'fallback'
  /** null when no full handshake was possible to ask for it. */
  ocspStapled: boolean | null
}

export interface ProbeOptions {
  host: string
  port: number
  /** Name for SNI and the hostname check; defaults to `host`; null when there is none to check. */
  servername?: string | null
  starttls?: StartTlsProtocol | null
  timeoutMs: number
  /** Sockets open at once for this endpoint. */
  concurrency: number
  trustStore: TrustStore
}

export async function probeTlsEndpoint(options: ProbeOptions): Promise<TlsProbeResult> {
  const started = performance.now()
  const address = await resolveHost(options.host)
  const endpoint = {
    host: options.host,
    address,
    port: options.port,
    // No name given: the host itself (an IP is checked against IP SANs); null: no name at all.
    servername: options.servername === undefined ? options.host : options.servername,
    starttls: options.starttls ?? null,
    timeoutMs: options.timeoutMs,
  }
  const settle = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }))
  const trustedHandshake = settle(nodeHandshake(endpoint, options.trustStore.trusted))
  const enumeration = await enumerateEndpoint(endpoint, createLimiter(options.concurrency)).catch(async (err: unknown) => {
    await trustedHandshake
    throw err
  })
  const trusted = await trustedHandshake

  const rawChain = enumeration.certificates
  let certificate: CertificateEvidence | null = null
  if ('value' in trusted) {
    const handshake = trusted.value
    // TLS 1.3 encrypts the Certificate message: with no TLS ≤ 1.2 flight to read it from,
    // a handshake that trusts nothing shows the chain exactly as sent.
    const sent = rawChain ? null : await settle(nodeHandshake(endpoint, options.trustStore.empty))
    const sentChain = rawChain ?? (sent && 'value' in sent ? sent.value.chain : handshake.chain)
    certificate = {
      sent: sentChain.map(derToPem),
      verified: handshake.chain.map(derToPem),
      trusted: handshake.authorized,
      trustError: handshake.authorizationError,
      trustedBy: handshake.authorized ? anchorKind(handshake.chain, options.trustStore) : null,
      verifiedBy: 'openssl',
      ocspStapled: handshake.ocspStapled,
    }
  } else if (rawChain && rawChain.length > 0) {
    const parsed = rawChain.map((der) => new X509Certificate(der))
    const result = validatePath(parsed, options.trustStore.anchors(), new Date())
    const path = result.path.map((c) => c.raw)
    certificate = {
      sent: rawChain.map(derToPem),
      verified: path.map(derToPem),
      trusted: result.trusted,
      trustError: result.error,
      trustedBy: result.trusted ? anchorKind(path, options.trustStore) : null,
      verifiedBy: 'fallback',
      ocspStapled: null,
    }
  }

  return {
    target: formatTarget(options.host, options.port),
    host: options.host,
    address,
    port: options.port,
    servername: endpoint.servername,
    starttls: endpoint.starttls,
    protocols: enumeration.protocols,
    suites: enumeration.suites,
    groups: enumeration.groups,
    secureRenegotiation: enumeration.secureRenegotiation,
    certificate,
    negotiated: 'value' in trusted ? { protocol: trusted.value.protocol, cipher: trusted.value.cipher, ephemeralKey: trusted.value.ephemeralKey } : null,
    handshakeError: 'error' in trusted ? errorMessage(trusted.error) : null,
    hellos: enumeration.handshakes,
    durationMs: Math.round(performance.now() - started),
  }
}

function anchorKind(chain: readonly Buffer[], store: TrustStore): 'public' | 'private' | null {
  for (const der of [...chain].reverse()) {
    const digest = sha256Hex(der)
    if (store.privateRoots.has(digest)) return 'private'
    if (store.publicRoots.has(digest)) return 'public'
  }
  return null
}
