import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import { sendError } from '../http-errors.js'

/** Parses a request part with its schema; on failure answers 400 naming the field and returns undefined. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, reply: FastifyReply): z.infer<S> | undefined {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue?.path.map(String).join('.')
  const reason = issue?.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}` : issue?.message ?? 'invalid'
  sendError(reply, 'BAD_REQUEST', where ? `${where}: ${reason}` : reason)
  return undefined
}
