import type { FastifyReply } from 'fastify'

/**
 * The API's error codes, in one catalogue: body `{ error: { code, message } }` with the
 * status below. Clients branch on `code`, never on `message`.
 */
export const httpErrors = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  ENROLLMENT_REFUSED: 401,
  FORBIDDEN: 403,
  // Dashboard sessions and sign-in (issue 10).
  BAD_CREDENTIALS: 401,
  TOTP_REQUIRED: 401,
  BAD_CODE: 401,
  CSRF: 403,
  SETUP_REQUIRED: 403,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  NOT_FOUND: 404,
  NODE_OFFLINE: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
} as const

export type HttpErrorCode = keyof typeof httpErrors

export function sendError(reply: FastifyReply, code: HttpErrorCode, message: string): FastifyReply {
  return reply.code(httpErrors[code]).send({ error: { code, message } })
}
