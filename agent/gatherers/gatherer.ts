import type { Domain } from '../../rules/domains.js'
import type { FactErrors, Facts } from '../../rules/facts/facts.js'
import type { Host } from '../host/host.js'
import type { ScanConfig } from '../scan-config.js'

export interface GatherContext {
  host: Host
  /** The scan's clock, for facts that are ages (index age, days to expiry). */
  now: Date
  config: ScanConfig
}

/** What a gatherer learned: its facts, and for each fact it could not learn, why. */
export interface GatherResult {
  facts: Facts
  /** Dotted fact path (`system.timeSync`) → reason. */
  errors: FactErrors
}

/**
 * Gathers one area of facts through the Host seam. Each gatherer is I/O at the edge
 * calling pure parsers; it never throws for a machine that lacks a tool or a permission
 * (that is an entry in `errors`).
 */
export interface Gatherer {
  name: string
  /** The rule domains whose rules read these facts (`--only` selects gatherers by them). */
  feeds: readonly Domain[]
  gather(context: GatherContext): Promise<GatherResult>
}
