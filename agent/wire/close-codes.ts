/**
 * Every way the collector ends an agent connection, in one table (agent/wire/PROTOCOL.md
 * repeats it for humans). Before closing with a 4xxx code the collector sends an `error`
 * frame whose `code` is the key below. 4000–4999 is the range RFC 6455 §7.4.2 reserves for
 * applications; 1001/1009/1011 are RFC 6455's own.
 */
export const closeCodes = {
  /** The collector is shutting down; reconnect with backoff. */
  GOING_AWAY: 1001,
  /** A frame larger than maxPayloadBytes (sent by ws itself, without an error frame). */
  MESSAGE_TOO_BIG: 1009,
  /** The collector failed to store what was sent; reconnect and resend. */
  INTERNAL_ERROR: 1011,
  /** A frame that is not JSON. */
  BAD_JSON: 4000,
  /** JSON that matches no message schema. */
  BAD_MESSAGE: 4001,
  /** `v` is not a protocol version this collector speaks. */
  UNSUPPORTED_VERSION: 4002,
  /** The agent's credential was revoked while it was connected; re-join. */
  CREDENTIAL_REVOKED: 4003,
  /** A newer connection with the same credential took over. */
  REPLACED: 4004,
  /** Too many messages too fast (per-connection rate limit). */
  RATE_LIMITED: 4008,
  /** Too many bytes too fast (per-connection byte rate, counted on the socket: frames, fragments, control frames). */
  BYTE_RATE_LIMITED: 4009,
} as const

export type CloseReason = keyof typeof closeCodes

/** Close codes after which an agent must not reconnect with the same credential. */
export const fatalCloseCodes: ReadonlySet<number> = new Set([closeCodes.CREDENTIAL_REVOKED])

/** Close codes that mean "this agent sent something wrong": reconnecting resends it, so slow down. */
export const protocolViolationCodes: ReadonlySet<number> = new Set([
  closeCodes.BAD_JSON,
  closeCodes.BAD_MESSAGE,
  closeCodes.UNSUPPORTED_VERSION,
  closeCodes.MESSAGE_TOO_BIG,
  closeCodes.RATE_LIMITED,
  closeCodes.BYTE_RATE_LIMITED,
])
