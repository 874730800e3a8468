import { generateKeyPairSync } from 'node:crypto'
import { PostureError } from '../../rules/posture-error.js'
import { encodeClientHello } from './client-hello.js'
import { describeSuite, legacySuiteCodes, tls13SuiteCodes } from './cipher-suites.js'
import { formatTarget, type Endpoint } from './connection.js'
import { exchangeHello, type HelloOutcome } from './hello-exchange.js'
import type { Limiter } from './limit.js'
import { legacyEcGroups, tls13Groups, x25519 } from './named-groups.js'
import { protocolNames, protocolWire, type ProtocolName } from './protocol-versions.js'
import { decodeServerKeyExchange, type KeyExchangeParams } from './server-key-exchange.js'
import type { ServerHelloFlight } from './server-flight.js'
import { encodeSslv2ClientHello } from './sslv2.js'

/**
 * Which protocol versions, cipher suites and key-exchange groups a server accepts, learned
 * from raw hellos (testssl.sh's "bash sockets" method): offer everything, note what the
 * server picks, take it out and ask again until it refuses. Independent of the local
 * OpenSSL, so SSLv2/SSLv3, EXPORT, DES, RC4 and 3DES are found too.
 */
export interface ProtocolAnswer {
  protocol: ProtocolName
  accepted: boolean
  /** What the server answered: `ServerHello`, `alert handshake_failure`, `closed`, … */
  answer: string
}

export interface AcceptedSuite {
  protocol: ProtocolName
  code: number
  /** From the ServerKeyExchange (TLS ≤ 1.2 DHE/ECDHE) or the key share (TLS 1.3). */
  keyExchange: KeyExchangeParams
}

export interface AcceptedGroup {
  protocol: ProtocolName
  code: number
}

export interface Enumeration {
  protocols: ProtocolAnswer[]
  suites: AcceptedSuite[]
  groups: AcceptedGroup[]
  /** The certificates of a TLS ≤ 1.2 (or SSLv2) handshake, as the server sent them. */
  certificates: Buffer[] | null
  /** The server echoed renegotiation_info (RFC 5746); null when no TLS ≤ 1.2 was accepted. */
  secureRenegotiation: boolean | null
  /** Raw hellos sent, for the benchmark and the curious. */
  handshakes: number
}

type FirstAnswer = { protocol: ProtocolName; outcome: HelloOutcome } | { protocol: ProtocolName; error: unknown }

/** How many parallel elimination loops one protocol's suites are split into. */
const suiteChunks = 4

export async function enumerateEndpoint(endpoint: Endpoint, limit: Limiter): Promise<Enumeration> {
  const label = formatTarget(endpoint.host, endpoint.port)
  const keyShare = x25519PublicKey()
  let handshakes = 0
  const exchange = (hello: Buffer) =>
    limit(() => {
      handshakes++
      return exchangeHello(endpoint, hello)
    })

  const helloFor = (protocol: Exclude<ProtocolName, 'SSLv2'>, suites: readonly number[], groups?: readonly number[]) =>
    encodeClientHello({
      version: protocol,
      cipherSuites: suites,
      servername: endpoint.servername,
      groups: groups ?? (protocol === 'TLSv1.3' ? tls13Groups : [...legacyEcGroups, 0x0100, 0x0101, 0x0102]),
      keyShares: protocol === 'TLSv1.3' && (groups ?? tls13Groups).includes(x25519) ? [{ group: x25519, key: keyShare }] : [],
    })

  // 1. One hello per version, all at once.
  const firstAnswers = await Promise.all(
    protocolNames.map(async (protocol): Promise<FirstAnswer> => {
      try {
        const hello =
          protocol === 'SSLv2' ? encodeSslv2ClientHello() : helloFor(protocol, protocol === 'TLSv1.3' ? tls13SuiteCodes : legacySuiteCodes)
        return { protocol, outcome: await exchange(hello) }
      } catch (err) {
        return { protocol, error: err }
      }
    }),
  )
  const failures = firstAnswers.filter((a) => 'error' in a)
  if (failures.length === firstAnswers.length) throw failures[0]!.error

  const protocols: ProtocolAnswer[] = firstAnswers.map((a) =>
    'error' in a
      ? { protocol: a.protocol, accepted: false, answer: `error: ${(a.error as Error).message}` }
      : { protocol: a.protocol, accepted: accepts(a.protocol, a.outcome), answer: describeOutcome(a.outcome) },
  )
  if (!protocols.some((p) => p.accepted)) throw noTls(label, endpoint, firstAnswers.flatMap((a) => ('outcome' in a ? [a.outcome] : [])))

  const suites: AcceptedSuite[] = []
  let certificates: Buffer[] | null = null
  let secureRenegotiation: boolean | null = null
  for (const answer of firstAnswers) {
    if (!('outcome' in answer) || !accepts(answer.protocol, answer.outcome)) continue
    const outcome = answer.outcome
    if (outcome.kind === 'sslv2') {
      for (const code of outcome.hello.cipherSpecs) suites.push({ protocol: 'SSLv2', code, keyExchange: null })
      certificates ??= outcome.hello.certificate ? [outcome.hello.certificate] : null
    } else if (outcome.kind === 'server-hello') {
      // Highest legacy version wins: its flight is the one modern clients see.
      if (answer.protocol !== 'TLSv1.3' && outcome.certificates && outcome.certificates.length > 0) certificates = outcome.certificates
      if (answer.protocol !== 'TLSv1.3') secureRenegotiation = outcome.secureRenegotiation
    }
  }

  // 2. Suites, per accepted version, by elimination in parallel chunks.
  const suiteLoops: Promise<AcceptedSuite[]>[] = []
  for (const answer of firstAnswers) {
    if (!('outcome' in answer) || answer.outcome.kind !== 'server-hello' || !accepts(answer.protocol, answer.outcome)) continue
    const protocol = answer.protocol as Exclude<ProtocolName, 'SSLv2'>
    const first = answer.outcome
    suites.push(acceptedSuite(protocol, first))
    const remaining = (protocol === 'TLSv1.3' ? tls13SuiteCodes : legacySuiteCodes).filter((c) => c !== first.cipherSuite)
    for (const chunk of split(remaining, protocol === 'TLSv1.3' ? 1 : suiteChunks)) {
      suiteLoops.push(eliminate(protocol, chunk))
    }
  }

  async function eliminate(protocol: Exclude<ProtocolName, 'SSLv2'>, candidates: number[]): Promise<AcceptedSuite[]> {
    const found: AcceptedSuite[] = []
    const offer = [...candidates]
    while (offer.length > 0) {
      const outcome = await exchange(helloFor(protocol, offer)).catch(() => null)
      if (!outcome || outcome.kind !== 'server-hello' || outcome.version !== protocol) break
      const index = offer.indexOf(outcome.cipherSuite)
      if (index < 0) break // the server chose a suite we did not offer: stop rather than loop
      offer.splice(index, 1)
      found.push(acceptedSuite(protocol, outcome))
    }
    return found
  }

  // 3. Groups: TLS 1.3 key shares, and the ECDHE curves of the best legacy version.
  const groupLoops: Promise<AcceptedGroup[]>[] = []
  if (protocols.find((p) => p.protocol === 'TLSv1.3')?.accepted) groupLoops.push(eliminateGroups('TLSv1.3', tls13SuiteCodes, tls13Groups))
  const suiteResults = (await Promise.all(suiteLoops)).flat()
  suites.push(...suiteResults)
  const legacyEcdhe = (['TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'] as const)
    .map((protocol) => ({ protocol, codes: suites.filter((s) => s.protocol === protocol && describeSuite(s.code).kx.startsWith('ECDHE')).map((s) => s.code) }))
    .find((p) => p.codes.length > 0)
  if (legacyEcdhe) groupLoops.push(eliminateGroups(legacyEcdhe.protocol, legacyEcdhe.codes, legacyEcGroups))

  async function eliminateGroups(protocol: Exclude<ProtocolName, 'SSLv2'>, suiteCodes: readonly number[], candidates: readonly number[]): Promise<AcceptedGroup[]> {
    const found: AcceptedGroup[] = []
    const offer = [...candidates]
    while (offer.length > 0) {
      const outcome = await exchange(helloFor(protocol, suiteCodes, offer)).catch(() => null)
      if (!outcome || outcome.kind !== 'server-hello' || outcome.version !== protocol) break
      const group = protocol === 'TLSv1.3' ? outcome.keyShareGroup : groupOf(outcome)
      const index = group === null ? -1 : offer.indexOf(group)
      if (index < 0) break
      offer.splice(index, 1)
      found.push({ protocol, code: group! })
    }
    return found
  }

  const groups = (await Promise.all(groupLoops)).flat()
  return { protocols, suites: sortSuites(suites), groups, certificates, secureRenegotiation, handshakes }
}

function accepts(protocol: ProtocolName, outcome: HelloOutcome): boolean {
  if (protocol === 'SSLv2') return outcome.kind === 'sslv2'
  return outcome.kind === 'server-hello' && outcome.versionWire === protocolWire[protocol]
}

function acceptedSuite(protocol: ProtocolName, hello: ServerHelloFlight): AcceptedSuite {
  if (protocol === 'TLSv1.3') {
    return { protocol, code: hello.cipherSuite, keyExchange: hello.keyShareGroup === null ? null : { type: 'ECDH', group: hello.keyShareGroup } }
  }
  const kx = describeSuite(hello.cipherSuite).kx
  return { protocol, code: hello.cipherSuite, keyExchange: hello.serverKeyExchange ? decodeServerKeyExchange(kx, hello.serverKeyExchange) : null }
}

function groupOf(hello: ServerHelloFlight): number | null {
  if (!hello.serverKeyExchange) return null
  const params = decodeServerKeyExchange(describeSuite(hello.cipherSuite).kx, hello.serverKeyExchange)
  return params?.type === 'ECDH' ? params.group : null
}

export function describeOutcome(outcome: HelloOutcome): string {
  switch (outcome.kind) {
    case 'server-hello':
      return `ServerHello ${outcome.version ?? `0x${outcome.versionWire.toString(16)}`}${outcome.helloRetryRequest ? ' (HelloRetryRequest)' : ''}`
    case 'sslv2':
      return `SSLv2 SERVER-HELLO with ${outcome.hello.cipherSpecs.length} cipher specs`
    case 'alert':
      return `alert ${outcome.name}`
    case 'not-tls':
      return `not TLS: ${outcome.reason}`
    case 'closed':
      return 'connection closed'
    case 'reset':
      return 'connection reset'
    case 'timeout':
      return 'no answer'
  }
}

/**
 * Why nothing was accepted, as the one error `posture tls` prints (exit 3). Answers that
 * say "no TLS here" (not TLS bytes, silence, a closed or reset connection) carry a cause
 * that isNotTlsError recognises, so discovery can skip such sockets; alerts do not: the
 * server speaks TLS and refuses everything, which is a finding.
 */
function noTls(label: string, endpoint: Endpoint, outcomes: HelloOutcome[]): PostureError {
  const notTlsCause = { cause: { kind: 'not-tls' } }
  const notTls = outcomes.find((o) => o.kind === 'not-tls')
  if (notTls && notTls.kind === 'not-tls') return new PostureError('CONNECT_FAILED', `${label}: not a TLS server (${notTls.reason})`, notTlsCause)
  if (outcomes.length > 0 && outcomes.every((o) => o.kind === 'timeout')) {
    return new PostureError('TIMEOUT', `${label}: no answer to a TLS ClientHello within ${endpoint.timeoutMs} ms (not a TLS server?)`, notTlsCause)
  }
  if (outcomes.some((o) => o.kind === 'alert')) {
    const alerts = [...new Set(outcomes.flatMap((o) => (o.kind === 'alert' ? [o.name] : [])))]
    return new PostureError('CONNECT_FAILED', `${label}: the server refused every TLS version and cipher suite offered (alert ${alerts.join(', ')})`)
  }
  const reset = outcomes.some((o) => o.kind === 'reset')
  return new PostureError('CONNECT_FAILED', `${label}: the server ${reset ? 'reset' : 'closed'} the connection instead of answering a TLS ClientHello (not TLS, or a handshake it aborts)`, notTlsCause)
}

/** The endpoint answered, but not as a TLS server would (see noTls). */
export function isNotTlsError(err: unknown): boolean {
  return err instanceof PostureError && (err.cause as { kind?: unknown } | undefined)?.kind === 'not-tls'
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const chunks: T[][] = Array.from({ length: parts }, () => [])
  items.forEach((item, i) => chunks[i % parts]!.push(item))
  return chunks.filter((c) => c.length > 0)
}

function sortSuites(suites: AcceptedSuite[]): AcceptedSuite[] {
  const order = (p: ProtocolName) => protocolNames.indexOf(p)
  return [...suites].sort((a, b) => order(b.protocol) - order(a.protocol) || a.code - b.code)
}

/** A fresh X25519 public key for TLS 1.3 key shares (the private half is never needed). */
function x25519PublicKey(): Buffer {
  const { publicKey } = generateKeyPairSync('x25519')
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
}

