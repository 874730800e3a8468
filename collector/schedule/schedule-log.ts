/**
 * The logger schedules write to: pino's (tests, the collector) or the one fastify hands
 * its plugins, which share this much. Fixed messages, variables in fields (STYLE.md).
 */
export interface ScheduleLog {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
  child(bindings: Record<string, unknown>): ScheduleLog
}
