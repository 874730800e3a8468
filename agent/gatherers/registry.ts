import type { Domain } from '../../rules/domains.js'
import type { Gatherer } from './gatherer.js'
import { systemGatherer } from './system/gather-system.js'
import { patchesGatherer } from './patches/gather-patches.js'
import { networkGatherer } from './network/gather-network.js'
import { storageGatherer } from './storage/gather-storage.js'
import { accessGatherer } from './access/gather-access.js'
import { tlsGatherer } from './tls/gather-tls.js'
import { dnsGatherer } from './dns/gather-dns.js'

/**
 * Every gatherer, by name. A domain issue adds its gatherer here; `--only` picks the
 * gatherers that feed the chosen domains. The system gatherer always runs: it names the node.
 */
export const gatherers: readonly Gatherer[] = [systemGatherer, networkGatherer, storageGatherer, patchesGatherer, accessGatherer, tlsGatherer, dnsGatherer]

export function gatherersFor(domains: readonly Domain[]): Gatherer[] {
  return gatherers.filter((g) => g.name === 'system' || g.feeds.some((d) => domains.includes(d)))
}
