import { constants } from 'node:crypto'
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type SecureContext } from 'node:tls'
import { isIP } from 'node:net'
import { openConnection, describeSocketError, formatTarget, type Endpoint } from './connection.js'

/**
 * A full handshake with Node's TLS stack, for what it does well: the certificate chain,
 * its verification against a trust store, the stapled OCSP response, the negotiated
 * parameters. `@SECLEVEL=0` and legacy server connect so that weak servers still answer
 * (at the default level OpenSSL 3 refuses RSA-1024 and TLS 1.0 outright).
 */
export interface NodeHandshake {
  protocol: string | null
  /** IANA name of the negotiated suite. */
  cipher: string | null
  ephemeralKey: { type: string; name: string | null; bits: number | null } | null
  authorized: boolean
  /** OpenSSL's verification error code, e.g. `CERT_HAS_EXPIRED`, `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  authorizationError: string | null
  /** DER certificates, leaf first, as Node linked them (completed from the store when it could). */
  chain: Buffer[]
  /** The server stapled an OCSP response (RFC 6066 §8) when asked. */
  ocspStapled: boolean
}

/** The cipher list Node offers: everything its OpenSSL has, at security level 0. */
export const permissiveCiphers = 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'

export const permissiveContextOptions = {
  ciphers: permissiveCiphers,
  minVersion: 'TLSv1' as const,
  // OpenSSL 3 refuses servers without RFC 5746 renegotiation_info unless told otherwise.
  secureOptions: constants.SSL_OP_LEGACY_SERVER_CONNECT,
}

export function nodeHandshake(endpoint: Endpoint, secureContext: SecureContext): Promise<NodeHandshake> {
  const label = formatTarget(endpoint.host, endpoint.port)
  return openConnection(endpoint).then(
    (socket) =>
      new Promise<NodeHandshake>((resolve, reject) => {
        let ocspStapled = false
        const servername = endpoint.servername && isIP(endpoint.servername) === 0 ? endpoint.servername : undefined
        // requestOCSP is a TLSSocket option that tls.connect passes on (not in ConnectionOptions' type).
        const options: ConnectionOptions & { requestOCSP: boolean } = {
          socket,
          secureContext,
          ...(servername ? { servername } : {}),
          rejectUnauthorized: false,
          // Hostname matching is its own check (certificate-facts.ts); keep it out of trust.
          checkServerIdentity: () => undefined,
          requestOCSP: true,
        }
        const tls = tlsConnect(options)
        const timer = setTimeout(() => tls.destroy(Object.assign(new Error(`no TLS handshake within ${endpoint.timeoutMs} ms`), { code: 'ETIMEDOUT' })), endpoint.timeoutMs)
        tls.on('OCSPResponse', (response: Buffer | null) => {
          ocspStapled = Boolean(response && response.length > 0)
        })
        tls.once('secureConnect', () => {
          clearTimeout(timer)
          const cipher = tls.getCipher()
          const ephemeral = tls.getEphemeralKeyInfo()
          const result: NodeHandshake = {
            protocol: tls.getProtocol(),
            cipher: cipher?.standardName ?? null,
            ephemeralKey:
              ephemeral && 'type' in ephemeral && ephemeral.type
                ? { type: ephemeral.type, name: ephemeral.name ?? null, bits: ephemeral.size ?? null }
                : null,
            authorized: tls.authorized,
            authorizationError: tls.authorizationError ? String(tls.authorizationError) : null,
            chain: linkedChain(tls.getPeerCertificate(true)),
            ocspStapled,
          }
          tls.destroy()
          resolve(result)
        })
        tls.once('error', (err) => {
          clearTimeout(timer)
          tls.destroy()
          reject(describeSocketError(`${label}: TLS handshake`, err))
        })
      }),
  )
}

/** Walks `issuerCertificate` links; the root's link points to itself. */
function linkedChain(leaf: PeerCertificate & { issuerCertificate?: PeerCertificate }): Buffer[] {
  const chain: Buffer[] = []
  const seen = new Set<string>()
  let current: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = leaf
  while (current && current.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256)
    chain.push(current.raw)
    current = current.issuerCertificate as typeof current
  }
  return chain
}
