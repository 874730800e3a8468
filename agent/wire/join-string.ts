import { z } from 'zod'
import { PostureError } from '../../rules/posture-error.js'

/**
 * The string `posture collector token` prints and `posture agent --join` takes: the
 * collector's URL, a one-time enrollment token, and the SHA-256 fingerprint of the
 * collector's certificate, which the agent pins (DESIGN.md, "Wire protocol", Join).
 */
export const joinPrefix = 'posture-join-v1:'

/** Node's `X509Certificate.fingerprint256` form: 32 upper-case hex pairs joined by colons. */
export const fingerprintSchema = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'a SHA-256 fingerprint (AB:CD:…, 32 bytes)')

export const joinInfoSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    token: z.string().min(16).max(256),
    /** null only for a collector started with --insecure-http (local development). */
    fingerprint: fingerprintSchema.nullable(),
  })
  .strict()
  .refine((j) => j.url.startsWith('http:') === (j.fingerprint === null), {
    message: 'an https collector needs a certificate fingerprint, an http one has none',
  })
export type JoinInfo = z.infer<typeof joinInfoSchema>

export function formatJoinString(info: JoinInfo): string {
  return joinPrefix + Buffer.from(JSON.stringify(joinInfoSchema.parse(info))).toString('base64url')
}

export function parseJoinString(text: string): JoinInfo {
  const trimmed = text.trim()
  if (!trimmed.startsWith(joinPrefix)) {
    throw new PostureError('BAD_USAGE', `--join: not a join string (it starts with "${joinPrefix}"; get one with 'posture collector token')`)
  }
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(trimmed.slice(joinPrefix.length), 'base64url').toString('utf8'))
  } catch {
    throw new PostureError('BAD_USAGE', '--join: the join string is damaged (not base64url JSON); copy it again')
  }
  const parsed = joinInfoSchema.safeParse(json)
  if (!parsed.success) throw new PostureError('BAD_USAGE', `--join: the join string is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}
