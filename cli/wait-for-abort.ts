import { once } from 'node:events'

/**
 * Resolves when a long-running command (collector, agent) is told to stop. Its own file so
 * that `posture agent` does not load the collector (fastify, SQLite, the dashboard) for it.
 */
export async function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await once(signal, 'abort')
}
