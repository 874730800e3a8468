/** What alerts need of a logger (pino's and fastify's both fit): fixed messages, variables in fields. */
export interface AlertLog {
  debug(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}
