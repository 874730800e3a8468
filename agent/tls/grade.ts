import type { HstsFacts } from '../../rules/facts/http.js'
import type { CertificateFacts, CipherFacts, GradeFacts } from '../../rules/facts/tls.js'

/**
 * The SSL Labs "SSL Server Rating Guide", version 2009r (16 May 2025), as testssl.sh
 * `run_rating()` implements it, with the fixes of our reference §8.2: key exchange is the
 * weaker of the certificate key and the DH group; STARTTLS is not capped at T. Pure.
 *
 * Scores: protocol 30 %, key exchange 30 %, cipher 40 %; a 0 in any category is a 0.
 * Letters: A ≥ 80, B ≥ 65, C ≥ 50, D ≥ 35, E ≥ 20, F below. Caps (the lowest wins) and
 * warnings (A → A-) follow; T (trust) and M (name mismatch) override everything.
 */
export interface GradeInput {
  protocols: readonly string[]
  ciphers: readonly CipherFacts[]
  certificate: CertificateFacts | null
  minDhBits: number | null
  secureRenegotiation: boolean | null
  /** HTTPS endpoints are graded on HSTS too (2009r: "HSTS disabled or invalid" → A-). */
  https: boolean
  hsts: HstsFacts | null
  now: Date
}

type Letter = GradeFacts['grade']

/** Best first. */
const letterOrder: readonly Letter[] = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F']

/** SSL Labs guide §"Protocol support"; TLS 1.3 scores like 1.2 (testssl, ssllabs-scan #838). */
const protocolScores: Record<string, number> = { SSLv2: 0, SSLv3: 80, TLSv1: 90, 'TLSv1.1': 95, 'TLSv1.2': 100, 'TLSv1.3': 100 }

/** 2009r warning threshold: HSTS max-age of at least 180 days (testssl HSTS_MIN). */
export const hstsMinimumForAPlus = 15_552_000

/** RSA/DSA/DH bits → key exchange score (guide §"Key exchange"). */
export function keyScore(bits: number): number {
  if (bits < 512) return 20
  if (bits < 1024) return 40
  if (bits < 2048) return 80
  if (bits < 4096) return 90
  return 100
}

/** EC bits → key exchange score (testssl `set_key_str_score`). */
export function ecKeyScore(bits: number): number {
  if (bits < 110) return 20
  if (bits < 123) return 40
  if (bits < 163) return 80
  if (bits < 225) return 90
  return 100
}

/** Cipher bits → score (guide §"Cipher strength"). */
export function cipherScore(bits: number): number {
  if (bits === 0) return 0
  if (bits < 128) return 20
  if (bits < 256) return 80
  return 100
}

const sixtyFourBitBlock = new Set(['3DES', 'DES', 'IDEA', 'RC2'])

export function gradeEndpoint(input: GradeInput): GradeFacts {
  const caps: { grade: Letter; reason: string }[] = []
  const warnings: string[] = []
  const cap = (grade: Letter, reason: string) => caps.push({ grade, reason })
  const { protocols, ciphers, certificate } = input
  const offered = (p: string) => protocols.includes(p)

  // Protocol category.
  const pScores = protocols.map((p) => protocolScores[p] ?? 0)
  const protocolScore = pScores.length ? (Math.max(...pScores) + Math.min(...pScores)) / 2 : 0

  // Key exchange category: the weakest of the certificate key and the DH parameters.
  const anonymous = ciphers.some((c) => c.au === 'anon')
  const exportKx = ciphers.some((c) => c.export)
  const keyScores: number[] = []
  if (certificate) keyScores.push(certificate.keyType === 'ec' || certificate.keyType.startsWith('ed') ? ecKeyScore(certificate.keyBits) : keyScore(certificate.keyBits))
  if (input.minDhBits !== null) keyScores.push(keyScore(input.minDhBits))
  let keyExchangeScore = keyScores.length ? Math.min(...keyScores) : 0
  if (exportKx) keyExchangeScore = Math.min(keyExchangeScore, 40)
  if (anonymous) keyExchangeScore = 0

  // Cipher category.
  const bits = ciphers.map((c) => c.bits)
  const cScore = bits.length ? (cipherScore(Math.max(...bits)) + cipherScore(Math.min(...bits))) / 2 : 0

  const zero = protocolScore === 0 || keyExchangeScore === 0 || cScore === 0
  const score = zero ? 0 : Math.round((0.3 * protocolScore + 0.3 * keyExchangeScore + 0.4 * cScore) * 10) / 10

  // Caps F.
  if (offered('SSLv2')) cap('F', 'SSLv2 offered')
  const best = [...protocols].sort((a, b) => (protocolScores[b] ?? 0) - (protocolScores[a] ?? 0))[0]
  if (best === 'SSLv3') cap('F', 'SSLv3 is the best protocol offered')
  const keyBits = certificate && !(certificate.keyType === 'ec' || certificate.keyType.startsWith('ed')) ? certificate.keyBits : null
  if (keyBits !== null && keyBits < 1024) cap('F', `certificate key of ${keyBits} bits`)
  if (certificate && certificate.keyType === 'ec' && certificate.keyBits < 163) cap('F', `EC certificate key of ${certificate.keyBits} bits`)
  if (input.minDhBits !== null && input.minDhBits < 1024) cap('F', `DH parameters of ${input.minDhBits} bits`)
  const weakest = ciphers.filter((c) => c.bits < 112)
  if (weakest.length) cap('F', `cipher suites under 112 bits: ${names(weakest)}`)
  if (exportKx) cap('F', 'EXPORT cipher suites offered')
  if (anonymous) cap('F', 'anonymous (unauthenticated) cipher suites offered')
  if (ciphers.length > 0 && ciphers.every((c) => c.enc === 'RC4')) cap('F', 'only RC4 cipher suites')
  const badSignature = certificate?.chain.find((c) => !c.selfSigned && ['md2', 'md5'].includes(c.signatureHash))
  if (badSignature) cap('F', `${badSignature.signatureAlgorithm} certificate signature`)

  // Caps C.
  if (!offered('TLSv1.2') && !offered('TLSv1.3')) cap('C', 'neither TLS 1.2 nor TLS 1.3 offered')
  const modern = ciphers.filter((c) => ['TLSv1.1', 'TLSv1.2'].includes(c.protocol))
  const rc4Modern = modern.filter((c) => c.enc === 'RC4')
  if (rc4Modern.length) cap('C', `RC4 with TLS 1.1 or later: ${names(rc4Modern)}`)
  const sweet32 = modern.filter((c) => sixtyFourBitBlock.has(c.enc))
  if (sweet32.length) cap('C', `64-bit block ciphers (SWEET32) with TLS 1.1 or later: ${names(sweet32)}`)
  if (ciphers.some((c) => c.protocol === 'SSLv3' && c.enc !== 'RC4')) cap('C', 'SSLv3 with CBC suites (POODLE)')

  // Caps B.
  if (offered('SSLv3')) cap('B', 'SSLv3 offered')
  if (offered('TLSv1')) cap('B', 'TLS 1.0 offered')
  if (offered('TLSv1.1')) cap('B', 'TLS 1.1 offered')
  if (ciphers.some((c) => c.enc === 'RC4')) cap('B', 'RC4 offered')
  if (ciphers.length > 0 && !ciphers.some((c) => ['ECDHE', 'DHE', 'ECDHE_PSK', 'DHE_PSK'].includes(c.kx) && c.au !== 'anon')) cap('B', 'no forward secrecy')
  if (ciphers.length > 0 && !ciphers.some((c) => c.aead)) cap('B', 'no AEAD cipher suite')
  if (keyBits !== null && keyBits >= 1024 && keyBits < 2048) cap('B', `certificate key of ${keyBits} bits`)
  if (certificate && certificate.keyType === 'ec' && certificate.keyBits >= 163 && certificate.keyBits < 225) cap('B', `EC certificate key of ${certificate.keyBits} bits`)
  if (input.minDhBits !== null && input.minDhBits >= 1024 && input.minDhBits < 2048) cap('B', `DH parameters of ${input.minDhBits} bits`)
  if (certificate?.chainComplete === false) cap('B', 'incomplete certificate chain')

  // Warnings (A → A-).
  if (!offered('TLSv1.3')) warnings.push('TLS 1.3 not offered')
  if (input.https) {
    if (!input.hsts || !input.hsts.valid) warnings.push(input.hsts ? 'HSTS header invalid' : 'no HSTS header')
    else if ((input.hsts.maxAge ?? 0) < hstsMinimumForAPlus) warnings.push(`HSTS max-age ${input.hsts.maxAge} under ${hstsMinimumForAPlus} s (180 days)`)
  }
  if (input.secureRenegotiation === false && protocols.some((p) => p !== 'TLSv1.3')) warnings.push('secure renegotiation (RFC 5746) not supported')

  const lowestCap = caps.reduce<Letter | null>((low, c) => (low === null || rank(c.grade) > rank(low) ? c.grade : low), null)
  let grade: Letter
  if (lowestCap === 'F') grade = 'F'
  else {
    const numeric = letterFor(score)
    grade = lowestCap !== null && rank(lowestCap) > rank(numeric) ? lowestCap : numeric
    if (grade === 'A' && lowestCap === null) grade = warnings.length === 0 ? 'A+' : 'A-'
  }

  return {
    grade: trustGate(certificate, input.now) ?? grade,
    gradeIgnoringTrust: grade,
    score: lowestCap === 'F' ? null : score,
    protocolScore,
    keyExchangeScore,
    cipherScore: cScore,
    caps: [...caps, ...trustCaps(certificate, input.now)],
    warnings,
  }
}

function letterFor(score: number): Letter {
  if (score >= 80) return 'A'
  if (score >= 65) return 'B'
  if (score >= 50) return 'C'
  if (score >= 35) return 'D'
  if (score >= 20) return 'E'
  return 'F'
}

function rank(letter: Letter): number {
  return letterOrder.indexOf(letter)
}

/** Reasons for T and M (SSL Labs 2014: trust issues and name mismatch get their own letters). */
function trustCaps(certificate: CertificateFacts | null, now: Date): { grade: Letter; reason: string }[] {
  if (!certificate) return []
  const reasons: { grade: Letter; reason: string }[] = []
  if (new Date(certificate.notAfter) < now) reasons.push({ grade: 'T', reason: 'certificate expired' })
  else if (new Date(certificate.notBefore) > now) reasons.push({ grade: 'T', reason: 'certificate not yet valid' })
  if (certificate.selfSigned) reasons.push({ grade: 'T', reason: 'self-signed certificate' })
  else if (!certificate.trusted) reasons.push({ grade: 'T', reason: `certificate not trusted (${certificate.trustError ?? 'unknown reason'})` })
  if (certificate.signatureHash === 'sha1') reasons.push({ grade: 'T', reason: 'SHA-1 signed certificate' })
  if (certificate.hostnameMatch === false) reasons.push({ grade: 'M', reason: 'certificate name mismatch' })
  return reasons
}

function trustGate(certificate: CertificateFacts | null, now: Date): Letter | null {
  const reasons = trustCaps(certificate, now)
  if (reasons.some((r) => r.grade === 'T')) return 'T'
  if (reasons.some((r) => r.grade === 'M')) return 'M'
  return null
}

function names(ciphers: readonly CipherFacts[]): string {
  const unique = [...new Set(ciphers.map((c) => c.name))]
  return unique.length > 3 ? `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more` : unique.join(', ')
}
