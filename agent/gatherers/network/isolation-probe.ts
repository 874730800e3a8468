import { z } from 'zod'
import type { IsolationProbe } from '../../../rules/facts/network.js'
import type { Host } from '../../host/host.js'
import type { PlannedProbe } from './isolation-plan.js'
import type { ConnectOutcome } from './tcp-connect.js'

/**
 * Runs planned isolation probes through `host.probe('isolation ADDR:PORT', …)`, bounded
 * three ways: each connect times out, at most `concurrency` run at once, and at most
 * `perSecond` start per second. Rate limiting lives inside the probe's `perform`, so a
 * snapshot replays at once. A refused, timed-out or unroutable connect is a result
 * (unreachable); anything else (EPERM, a snapshot without the probe) is the probe's error.
 */
export interface ProbeSettings {
  timeoutMs: number
  concurrency: number
  perSecond: number
}

export type Connect = (address: string, port: number, timeoutMs: number) => Promise<{ outcome: ConnectOutcome }>

export interface ProbeClock {
  now: () => number
  sleep: (ms: number) => Promise<void>
}

const realClock: ProbeClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

const resultSchema = z.object({ outcome: z.enum(['connected', 'refused', 'timeout', 'unreachable']) })

export async function runIsolationProbes(
  host: Host,
  probes: readonly PlannedProbe[],
  settings: ProbeSettings,
  connect: Connect,
  clock: ProbeClock = realClock,
): Promise<IsolationProbe[]> {
  const acquire = rateLimiter(settings.perSecond, clock)
  const results: IsolationProbe[] = new Array(probes.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < probes.length) {
      const index = next++
      const probe = probes[index]!
      const answer = await host.probe(`isolation ${probe.target}`, async () => {
        await acquire()
        return connect(probe.address, probe.port, settings.timeoutMs)
      })
      results[index] = toFact(probe, answer)
    }
  }
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, probes.length) }, worker))
  return results
}

function toFact(probe: PlannedProbe, answer: Awaited<ReturnType<Host['probe']>>): IsolationProbe {
  const base = { target: probe.target, peer: probe.peer, address: probe.address, port: probe.port, fromGroup: probe.fromGroup, toGroup: probe.toGroup }
  if ('error' in answer) return { ...base, reachable: null, outcome: null, error: `probe ${probe.target} failed: ${answer.message}` }
  const parsed = resultSchema.safeParse(answer.result)
  if (!parsed.success) return { ...base, reachable: null, outcome: null, error: `probe ${probe.target}: unexpected result ${JSON.stringify(answer.result)}` }
  return { ...base, reachable: parsed.data.outcome === 'connected', outcome: parsed.data.outcome }
}

/** Start slots spaced 1/perSecond apart; callers wait for theirs. */
export function rateLimiter(perSecond: number, clock: ProbeClock): () => Promise<void> {
  const intervalMs = 1000 / perSecond
  let nextSlot = -Infinity
  return async () => {
    const now = clock.now()
    const slot = Math.max(now, nextSlot)
    nextSlot = slot + intervalMs
    if (slot > now) await clock.sleep(slot - now)
  }
}
