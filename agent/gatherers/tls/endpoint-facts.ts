import type { HstsFacts } from '../../../rules/facts/http.js'
import type { CertificateFacts, CipherFacts, TlsEndpointFacts } from '../../../rules/facts/tls.js'
import { errorMessage } from '../../../rules/posture-error.js'
import { certificateFacts } from '../../tls/certificate-facts.js'
import { describeSuite, suiteHex } from '../../tls/cipher-suites.js'
import { gradeEndpoint } from '../../tls/grade.js'
import { checkMozillaProfile, mozillaIntermediate, mozillaModern } from '../../tls/mozilla-profile.js'
import { describeGroup } from '../../tls/named-groups.js'
import type { AcceptedSuite } from '../../tls/enumerate.js'
import type { TlsProbeResult } from '../../tls/probe-endpoint.js'
import { protocolNames } from '../../tls/protocol-versions.js'
import { describeSslv2Cipher } from '../../tls/sslv2.js'

/** Implicit-TLS ports by IANA service name (RFC 8314 §7 for mail). */
const implicitTlsServices: Record<number, string> = { 443: 'https', 8443: 'https', 465: 'smtps', 993: 'imaps', 995: 'pop3s', 636: 'ldaps', 990: 'ftps', 853: 'dns-over-tls', 5061: 'sips', 6697: 'ircs', 8883: 'mqtts' }

/** Ports whose implicit-TLS service is known not to be HTTP: no HTTP request is sent. */
export function isKnownNonHttpPort(port: number): boolean {
  const service = implicitTlsServices[port]
  return service !== undefined && service !== 'https'
}

/**
 * An endpoint's facts from its recorded probe (and, for HTTPS, its parsed HSTS header).
 * Pure: the same probe result gives the same facts on replay. `now` is the scan clock.
 */
export function endpointFacts(probe: TlsProbeResult, http: { hsts: HstsFacts | null } | null, now: Date): TlsEndpointFacts {
  const protocols = protocolNames.filter((p) => probe.protocols.some((a) => a.protocol === p && a.accepted))
  let certificate: CertificateFacts | null = null
  let certificateError: string | null = null
  if (probe.certificate) {
    try {
      certificate = certificateFacts(probe.certificate, probe.servername, now)
    } catch (err) {
      certificateError = `certificate cannot be parsed: ${errorMessage(err)}`
    }
  } else {
    certificateError = probe.handshakeError
      ? `no certificate could be read: ${probe.handshakeError}`
      : 'the server sent no certificate (anonymous cipher suites only)'
  }
  const ciphers = probe.suites.map((s) => cipherFacts(s, certificate))
  const dhBits = ciphers.filter((c) => ['DHE', 'DHE_PSK'].includes(c.kx) && c.kxBits !== null).map((c) => c.kxBits!)
  const groups = [...new Set([...probe.groups.map((g) => g.code), ...probe.suites.flatMap((s) => (s.keyExchange?.type === 'ECDH' ? [s.keyExchange.group] : []))])].map(describeGroup)
  const ecGroups = groups.filter((g) => g.kind !== 'ffdhe')
  const ffdheBits = groups.filter((g) => g.kind === 'ffdhe').map((g) => g.bits)
  const minDhBits = dhBits.length || ffdheBits.length ? Math.min(...dhBits, ...ffdheBits) : null
  const minEcdhBits = ecGroups.length ? Math.min(...ecGroups.map((g) => g.bits)) : null
  const https = http !== null
  return {
    target: probe.target,
    host: probe.host,
    address: probe.address,
    port: probe.port,
    servername: probe.servername,
    service: probe.starttls ?? (https ? 'https' : (implicitTlsServices[probe.port] ?? 'tls')),
    starttls: probe.starttls,
    protocols,
    ciphers,
    keyExchange: { groups: groups.map((g) => g.name), minDhBits, minEcdhBits },
    secureRenegotiation: probe.secureRenegotiation,
    certificate,
    certificateError,
    hsts: http?.hsts ?? null,
    grade: gradeEndpoint({ protocols, ciphers, certificate, minDhBits, secureRenegotiation: probe.secureRenegotiation, https, hsts: http?.hsts ?? null, now }),
    mozilla: {
      intermediate: checkMozillaProfile(mozillaIntermediate, { protocols, ciphers, certificate, minDhBits, minEcdhBits }),
      modern: checkMozillaProfile(mozillaModern, { protocols, ciphers, certificate, minDhBits, minEcdhBits }),
    },
  }
}

function cipherFacts(suite: AcceptedSuite, certificate: CertificateFacts | null): CipherFacts {
  const kxParams = suite.keyExchange
  const group = kxParams?.type === 'ECDH' ? describeGroup(kxParams.group) : null
  const kxBits = kxParams?.type === 'DH' ? kxParams.bits : group ? group.bits : null
  if (suite.protocol === 'SSLv2') {
    const info = describeSslv2Cipher(suite.code)
    return { protocol: 'SSLv2', name: info.name, code: `0x${suite.code.toString(16).padStart(6, '0')}`, bits: info.bits, kx: 'RSA', au: 'RSA', enc: info.enc, aead: false, export: info.export, kxBits: null, group: null }
  }
  const info = describeSuite(suite.code)
  // TLS 1.3 suites name no key exchange: it is the key share's group (RFC 8446 §4.2.8).
  const kx = info.tls13 ? (group?.kind === 'ffdhe' ? 'DHE' : 'ECDHE') : info.kx
  const au = info.tls13 ? tls13Authentication(certificate) : info.au
  return { protocol: suite.protocol, name: info.name, code: suiteHex(info.code), bits: info.bits, kx, au, enc: info.enc, aead: info.aead, export: info.export, kxBits, group: group?.name ?? null }
}

function tls13Authentication(certificate: CertificateFacts | null): string {
  if (!certificate) return 'unknown'
  if (certificate.keyType === 'ec') return 'ECDSA'
  if (certificate.keyType.startsWith('ed')) return 'EdDSA'
  return 'RSA'
}
