import { z } from 'zod'
import { protocolVersion } from './messages.js'
import type { CloseReason } from './close-codes.js'

export type FrameResult<T> = { ok: true; message: T } | { ok: false; reason: CloseReason; detail: string }

/**
 * A received text frame → a validated message, or why not (which close code applies).
 * Pure: both ends feed it the frame text and act on the result.
 */
export function parseFrame<S extends z.ZodType>(text: string, schema: S): FrameResult<z.infer<S>> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    return { ok: false, reason: 'BAD_JSON', detail: `frame is not JSON: ${(err as Error).message}` }
  }
  const version = typeof json === 'object' && json !== null ? (json as { v?: unknown }).v : undefined
  if (version !== protocolVersion) {
    return { ok: false, reason: 'UNSUPPORTED_VERSION', detail: `protocol version ${JSON.stringify(version ?? null)} is not supported (expected ${protocolVersion})` }
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.map(String).join('.') || '(message)'
    return { ok: false, reason: 'BAD_MESSAGE', detail: `invalid message at ${where}: ${issue?.message ?? 'invalid'}` }
  }
  return { ok: true, message: parsed.data }
}
