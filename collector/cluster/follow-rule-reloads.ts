import type { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import { errorMessage } from '../../rules/posture-error.js'
import type { CollectorEvents } from '../collector-context.js'

/** Reads this collector's rule files and waivers again and pushes the pack to its own agents when it changed. */
export type ReloadLocally = () => Promise<{ version: string; changed: boolean }>

/**
 * A rule reload on one collector (SIGHUP) reaches every collector's agents: when another
 * collector announces a reload (`rules-reloaded` with `remote`), this one reloads its own
 * rule files and pushes the pack to the agents connected here. It does not re-score: the
 * collector that reloaded does, once, for the whole database. Rule files are read from each
 * collector's own `--rules` directories, so they must be the same everywhere; a collector
 * whose files give another version says so loudly (its agents get its own pack).
 * Reloads are serialized: a burst of announcements costs one reload after the running one.
 * An event without `collectorId` is a catch-up (this collector's LISTEN connection came back
 * and may have missed an announcement): reload, with no version to compare.
 * Returns the unsubscribe function.
 */
export function followRuleReloads(events: EventEmitter<CollectorEvents>, reload: ReloadLocally, log: Logger): () => void {
  let running: Promise<void> | null = null
  let again = false
  let wanted: { version: string; collectorId: string } | null = null
  const run = async (): Promise<void> => {
    do {
      again = false
      const announced = wanted
      wanted = null
      try {
        const result = await reload()
        if (announced && result.version !== announced.version) {
          log.error(
            { version: result.version, announcedVersion: announced.version, by: announced.collectorId },
            'another collector reloaded rules that differ from this collector\'s rule files: copy the same --rules directories to every collector',
          )
        } else {
          log.info({ version: result.version, changed: result.changed, by: announced?.collectorId ?? null }, announced ? 'rules reloaded after another collector reloaded them' : 'rules reloaded in case a reload announcement was missed')
        }
      } catch (err) {
        log.error({ err: errorMessage(err), by: announced?.collectorId }, 'rules reload announced by another collector failed, keeping the previous rules')
      }
    } while (again)
  }
  const listener = (event: CollectorEvents['rules-reloaded'][0]): void => {
    if (!event.remote) return
    // Without collectorId: a catch-up (notices may have been missed), nothing to compare with.
    if (event.collectorId !== undefined) wanted = { version: event.version, collectorId: event.collectorId }
    if (running) {
      again = true
      return
    }
    running = run().finally(() => (running = null))
  }
  events.on('rules-reloaded', listener)
  return () => events.off('rules-reloaded', listener)
}
