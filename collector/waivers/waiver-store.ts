import type { Waiver } from '../../rules/waivers.js'

/**
 * Waivers as the API, the CLI and the waivers watch use them, on either backend
 * (sqlite-waivers.ts, pg-waivers.ts). Every change bumps the `waivers.version` setting in
 * the same transaction: the collector re-scores when the version moves, whichever process
 * (or collector) made the change.
 */
export const waiversVersionKey = 'waivers.version'

export interface WaiverStore {
  list(): Promise<Waiver[]>
  get(id: string): Promise<Waiver | null>
  add(waiver: Waiver): Promise<void>
  remove(id: string): Promise<boolean>
  /** Marks the waivers as changed without a row changing (a waiver expired): re-scores. */
  bump(): Promise<void>
  version(): Promise<number>
}
