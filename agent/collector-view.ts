import type { NodeConfigMessage } from './wire/messages.js'
import type { ScanConfig } from './scan-config.js'

/**
 * What the collector told this agent about its node (the `node-config` message): its
 * enrollment labels and, when the node has a network group, the peers to probe for
 * isolation. Starts from the labels saved at enrollment, before the first message.
 */
export interface CollectorView {
  labels: Readonly<Record<string, string>>
  isolation: NodeConfigMessage['isolation'] | null
}

export function collectorViewAtEnrollment(labels: Readonly<Record<string, string>>): CollectorView {
  return { labels, isolation: null }
}

export function collectorViewOf(message: NodeConfigMessage): CollectorView {
  return { labels: message.labels, isolation: message.isolation }
}

/**
 * The scan config a scan runs with: the network policy's `labels` are the node's labels as
 * the collector knows them (the config file's own `network.labels` fill only keys the
 * collector does not set), and when the collector plans isolation probes for the node's
 * group its peers replace `network.isolationTargets` and its group `network.group`. Pure.
 */
export function applyCollectorView(config: ScanConfig, view: CollectorView): ScanConfig {
  const network = { ...config.network, labels: { ...config.network.labels, ...view.labels } }
  const plan = view.isolation
  if (plan !== null && plan.group !== null) {
    network.group = plan.group
    network.isolationTargets = plan.peers.map((p) => ({ name: p.name, group: p.group, addresses: [...p.addresses], ports: [...p.ports] }))
    network.isolationPlanner = 'collector'
  }
  return { ...config, network }
}
