import { styleText } from 'node:util'
import type { HttpSiteFacts } from '../rules/facts/http.js'
import type { CipherFacts, TlsEndpointFacts } from '../rules/facts/tls.js'
import type { Report } from '../rules/report.js'

type Style = Parameters<typeof styleText>[0]

const allProtocols = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']
const legacy = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1'])
const weakEncryption = new Set(['NULL', 'RC4', 'RC2', 'DES', '3DES', 'IDEA'])
const staticKeyExchange = new Set(['RSA', 'DH', 'ECDH', 'RSA_PSK', 'PSK', 'KRB5', 'SRP'])

/**
 * The TLS block `posture tls` prints above the findings: grade, protocols, cipher suites
 * by protocol, key exchange, certificate, HSTS and Mozilla profiles — what testssl.sh
 * users look for first. Untrusted text (names from certificates) is printed as data.
 */
export function renderTlsSummary(report: Report, options: { color: boolean }): string {
  const paint = (style: Style, text: string) => (options.color ? styleText(style, text) : text)
  const sites = report.facts.http?.sites ?? []
  return (report.facts.tls?.endpoints ?? []).map((e) => renderEndpoint(e, sites.find((s) => s.endpoint === e.target), paint)).join('\n')
}

function renderEndpoint(e: TlsEndpointFacts, site: HttpSiteFacts | undefined, paint: (s: Style, t: string) => string): string {
  const lines: string[] = []
  const sni = e.servername && e.servername !== e.host ? `, name ${e.servername}` : ''
  lines.push(paint('bold', `TLS ${e.target}`) + ` (${e.service ?? 'tls'}${e.starttls ? ' via STARTTLS' : ''}${sni}${e.address && e.address !== e.host ? `, ${e.address}` : ''})`)
  if (e.error) return [...lines, `  ${paint('red', e.error)}`].join('\n') + '\n'

  const g = e.grade
  if (g) {
    const style: Style = g.grade.startsWith('A') ? 'green' : g.grade === 'B' || g.grade === 'C' ? 'yellow' : 'red'
    const detail = g.score === null ? 'capped' : `score ${g.score}: protocol ${g.protocolScore}, key exchange ${g.keyExchangeScore}, cipher ${g.cipherScore}`
    lines.push(`  Grade        ${paint(style, paint('bold', g.grade))}${['T', 'M'].includes(g.grade) ? ` (${g.gradeIgnoringTrust} if trust issues are ignored)` : ''}  ${paint('dim', detail)}`)
    for (const cap of g.caps) lines.push(`               ${paint('dim', `${cap.grade}:`)} ${cap.reason}`)
    for (const warning of g.warnings) lines.push(`               ${paint('dim', 'warning:')} ${warning}`)
  }

  const offered = e.protocols ?? []
  lines.push(
    `  Protocols    ${allProtocols.map((p) => (offered.includes(p) ? paint(legacy.has(p) ? 'red' : 'green', p) : paint('dim', `${p}✗`))).join('  ')}`,
  )

  const ciphers = e.ciphers ?? []
  lines.push('  Cipher suites')
  for (const protocol of [...allProtocols].reverse()) {
    const list = ciphers.filter((c) => c.protocol === protocol)
    if (list.length === 0) continue
    lines.push(`    ${paint('bold', protocol)}`)
    const width = Math.max(...list.map((c) => c.name.length))
    for (const c of list) lines.push(`      ${paint(cipherStyle(c), c.name.padEnd(width))}  ${String(c.bits).padStart(3)} bits  ${kxLabel(c)}${cipherNote(c)}`)
  }

  const kx = e.keyExchange
  if (kx) {
    const parts = [kx.groups.length ? `groups ${kx.groups.join(', ')}` : 'no ECDHE groups', kx.minDhBits !== null ? `smallest DH ${kx.minDhBits} bits` : null].filter(Boolean)
    lines.push(`  Key exchange ${parts.join('; ')}${e.secureRenegotiation === false ? paint('red', '; no secure renegotiation (RFC 5746)') : ''}`)
  }

  const cert = e.certificate
  lines.push('  Certificate')
  if (!cert) {
    lines.push(`    ${paint('yellow', e.certificateError ?? 'none')}`)
  } else {
    const days = cert.daysRemaining
    const validity = days < 0 ? paint('red', `expired ${-days} days ago`) : days < 30 ? paint('yellow', `${days} days left`) : `${days} days left`
    lines.push(`    subject      ${cert.subject}`)
    if (cert.sans.length) lines.push(`    names        ${cert.sans.join(', ')}`)
    lines.push(`    issuer       ${cert.issuer}${cert.selfSigned ? paint('red', ' (self-signed)') : ''}`)
    lines.push(`    valid        ${cert.notBefore} → ${cert.notAfter} (${validity}; lifetime ${Math.round(cert.lifetimeDays)} days)`)
    lines.push(`    key          ${cert.keyType.toUpperCase()} ${cert.keyBits} bits${cert.keyCurve ? ` (${cert.keyCurve})` : ''}, signed ${cert.signatureAlgorithm}`)
    const trust = cert.trusted
      ? paint('green', `trusted (${cert.trustedBy === 'private' ? 'private CA' : 'public root'})`) + (cert.chainComplete === false ? paint('yellow', ', but the chain sent is incomplete') : '')
      : paint('red', `not trusted: ${cert.trustError ?? 'unknown reason'}`)
    lines.push(`    trust        ${trust}`)
    lines.push(`    chain sent   ${cert.chain.map((c) => c.subject).join('  ←  ')}`)
    if (cert.hostnameMatch !== null) lines.push(`    name         ${cert.hostnameMatch ? paint('green', `matches ${e.servername}`) : paint('red', `does not match ${e.servername}`)}`)
    if (cert.ocspUrl) lines.push(`    OCSP         ${cert.ocspUrl}, ${cert.ocspStapled ? 'stapled' : cert.ocspStapled === false ? paint('yellow', 'not stapled') : 'stapling unknown'}`)
  }

  if (e.service === 'https' || site) {
    const h = e.hsts
    let hsts: string
    if (site?.error) hsts = paint('yellow', site.error)
    else if (!h) hsts = paint('red', 'none')
    else if (!h.valid) hsts = paint('red', `invalid: "${h.value}" (${h.errors.join('; ')})`)
    else {
      const flags = [`max-age=${h.maxAge}`, h.includeSubDomains ? 'includeSubDomains' : null, h.preload ? 'preload' : null].filter(Boolean).join('; ')
      hsts = (h.fieldCount > 1 ? paint('yellow', `${h.fieldCount} headers, first: `) : '') + flags
    }
    lines.push(`  HSTS         ${hsts}`)
  }
  if (e.mozilla) {
    const profile = (name: string, p: { compliant: boolean; differences: string[] }) =>
      p.compliant ? paint('green', `${name}: yes`) : `${name}: ${paint('yellow', `no (${p.differences.length} difference${p.differences.length === 1 ? '' : 's'})`)}`
    lines.push(`  Mozilla      ${profile('intermediate', e.mozilla.intermediate)}, ${profile('modern', e.mozilla.modern)}`)
  }
  return lines.join('\n') + '\n'
}

function isWeak(c: CipherFacts): boolean {
  return c.bits < 128 || c.au === 'anon' || c.export || weakEncryption.has(c.enc)
}

function cipherStyle(c: CipherFacts): Style {
  if (isWeak(c)) return 'red'
  if (staticKeyExchange.has(c.kx) || !c.aead) return 'yellow'
  return 'green'
}

function kxLabel(c: CipherFacts): string {
  const detail = c.group ?? (c.kxBits !== null ? `${c.kxBits} bits` : null)
  return detail ? `${c.kx} ${detail}` : c.kx
}

function cipherNote(c: CipherFacts): string {
  if (isWeak(c)) return '  weak'
  if (staticKeyExchange.has(c.kx)) return '  no forward secrecy'
  return ''
}
