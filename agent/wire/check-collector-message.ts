import { isIPv4, isIPv6 } from 'node:net'
import { isDomain } from '../../rules/domain-names.js'
import type { CollectorMessage } from './messages.js'
import type { FrameResult } from './parse-frame.js'

/**
 * The long-lived agent's parser for collector frames: the same contract as
 * `parseFrame(text, collectorMessageSchema)` (agent/wire/messages.ts stays the one schema;
 * test/unit/agent/wire/check-collector-message.test.ts feeds both the same valid and
 * invalid frames and requires the same verdicts), written by hand for the six message types.
 * Why not zod here: the idle agent process must stay under 60 MB RSS (DESIGN.md,
 * "Performance targets"), and loading zod with the wire schemas (which pull in the report
 * and every fact schema) cost ~13 MB of it. Strict like the schemas: unknown keys, wrong
 * types and over-long strings are refused. A rule pack's YAML is checked by the scan child
 * that applies it (agent/scan-child.ts), with the full rule schema.
 */
type Check = (m: Record<string, unknown>) => string | null

const shortText = 256
const scanIdMax = 128

function allowedKeys(m: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of Object.keys(m)) if (!keys.includes(key)) return `${key}: unrecognized key`
  return null
}

function text(value: unknown, where: string, max: number, min = 0): string | null {
  if (typeof value !== 'string') return `${where}: expected string`
  if (value.length < min) return `${where}: too short`
  if (value.length > max) return `${where}: too long (max ${max})`
  return null
}

function positiveInt(value: unknown, where: string): string | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? null : `${where}: expected a positive integer`
}

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function firstError(...results: (string | null)[]): string | null {
  return results.find((r) => r !== null) ?? null
}

function record(value: unknown, where: string, checkKey: (k: string) => string | null, checkValue: (v: unknown, at: string) => string | null): string | null {
  if (!plainObject(value)) return `${where}: expected object`
  for (const [key, item] of Object.entries(value)) {
    const problem = checkKey(key) ?? checkValue(item, `${where}.${key}`)
    if (problem) return problem.startsWith(where) ? problem : `${where}.${key}: ${problem}`
  }
  return null
}

const ruleFileName = /^[A-Za-z0-9._-]+\.ya?ml$/
const digestPattern = /^[0-9a-f]{64}$/

function checkPeer(peer: unknown, at: string): string | null {
  if (!plainObject(peer)) return `${at}: expected object`
  const { addresses, ports } = peer
  if (!Array.isArray(addresses) || addresses.length < 1 || addresses.length > 16) return `${at}.addresses: expected 1 to 16 addresses`
  if (!Array.isArray(ports) || ports.length < 1 || ports.length > 64) return `${at}.ports: expected 1 to 64 ports`
  return firstError(
    allowedKeys(peer, ['name', 'group', 'addresses', 'ports']),
    text(peer.name, `${at}.name`, shortText),
    text(peer.group, `${at}.group`, shortText),
    ...addresses.map((a, i) => (typeof a === 'string' && ipLiteral(a) ? null : `${at}.addresses.${i}: expected an IPv4 or IPv6 address`)),
    ...ports.map((p, i) => (typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535 ? null : `${at}.ports.${i}: expected a port 1-65535`)),
  )
}

/** An IP literal as zod's z.ipv4()/z.ipv6() accept it: no zone index (`%eth0`), no leading-zero octets. */
function ipLiteral(address: string): boolean {
  if (address.includes('%')) return false
  if (isIPv4(address)) return !/(^|\.)0\d/.test(address)
  return isIPv6(address)
}

const checks: Record<CollectorMessage['type'], Check> = {
  welcome: (m) =>
    firstError(
      allowedKeys(m, ['v', 'type', 'agentId', 'collectorVersion', 'rulesVersion', 'heartbeatMs']),
      text(m.agentId, 'agentId', shortText),
      text(m.collectorVersion, 'collectorVersion', shortText),
      text(m.rulesVersion, 'rulesVersion', shortText),
      positiveInt(m.heartbeatMs, 'heartbeatMs'),
    ),
  ack: (m) =>
    firstError(
      allowedKeys(m, ['v', 'type', 'scanId', 'duplicate']),
      text(m.scanId, 'scanId', scanIdMax, 1),
      typeof m.duplicate === 'boolean' ? null : 'duplicate: expected boolean',
    ),
  scan: (m) =>
    firstError(
      allowedKeys(m, ['v', 'type', 'scanId', 'only']),
      'scanId' in m ? text(m.scanId, 'scanId', scanIdMax, 1) : null,
      'only' in m ? checkOnly(m.only) : null,
    ),
  rules: (m) =>
    firstError(
      allowedKeys(m, ['v', 'type', 'version', 'digest', 'files']),
      text(m.version, 'version', shortText),
      typeof m.digest === 'string' && digestPattern.test(m.digest) ? null : 'digest: expected 64 lower-case hex digits',
      record(m.files, 'files', (k) => (ruleFileName.test(k) ? null : 'not a rule file name'), (v, at) => text(v, at, Infinity)),
    ),
  error: (m) => firstError(allowedKeys(m, ['v', 'type', 'code', 'message']), text(m.code, 'code', shortText), text(m.message, 'message', 4096)),
  'node-config': (m) => {
    const isolation = m.isolation
    if (!plainObject(isolation)) return firstError(allowedKeys(m, ['v', 'type', 'labels', 'isolation']), 'isolation: expected object')
    const peers = isolation.peers
    if (!Array.isArray(peers) || peers.length > 1024) return 'isolation.peers: expected at most 1024 peers'
    return firstError(
      allowedKeys(m, ['v', 'type', 'labels', 'isolation']),
      record(m.labels, 'labels', (k) => text(k, 'key', shortText), (v, at) => text(v, at, shortText)),
      allowedKeys(isolation, ['groupLabel', 'group', 'peers']),
      text(isolation.groupLabel, 'isolation.groupLabel', shortText),
      isolation.group === null ? null : text(isolation.group, 'isolation.group', shortText),
      ...peers.map((p, i) => checkPeer(p, `isolation.peers.${i}`)),
    )
  },
}

function checkOnly(only: unknown): string | null {
  if (!Array.isArray(only) || only.length < 1) return 'only: expected at least one domain'
  const bad = only.findIndex((d) => typeof d !== 'string' || !isDomain(d))
  return bad < 0 ? null : `only.${bad}: not a domain`
}

/** A received text frame → a validated collector message, or why not. Pure. */
export function checkCollectorFrame(frame: string): FrameResult<CollectorMessage> {
  let json: unknown
  try {
    json = JSON.parse(frame)
  } catch (err) {
    return { ok: false, reason: 'BAD_JSON', detail: `frame is not JSON: ${(err as Error).message}` }
  }
  const version = plainObject(json) ? json.v : undefined
  if (version !== 1) return { ok: false, reason: 'UNSUPPORTED_VERSION', detail: `protocol version ${JSON.stringify(version ?? null)} is not supported (expected 1)` }
  const message = json as Record<string, unknown>
  const type = message.type
  const check = typeof type === 'string' && Object.hasOwn(checks, type) ? checks[type as CollectorMessage['type']] : undefined
  if (!check) return { ok: false, reason: 'BAD_MESSAGE', detail: `invalid message at type: unknown message type ${JSON.stringify(type ?? null)}` }
  const problem = check(message)
  if (problem) return { ok: false, reason: 'BAD_MESSAGE', detail: `invalid message at ${problem}` }
  // Checked field by field above against the same contract as collectorMessageSchema.
  return { ok: true, message: message as unknown as CollectorMessage }
}
