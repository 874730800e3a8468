import type { FactErrors } from '../../../rules/facts/facts.js'
import type { NetworkFacts } from '../../../rules/facts/network.js'
import type { Gatherer, GatherContext, GatherResult } from '../gatherer.js'
import { gatherFirewall } from './gather-firewall.js'
import { gatherDefaultRoutes, gatherLinks } from './gather-interfaces.js'
import { gatherSockets } from './gather-listeners.js'
import { gatherSysctl } from './gather-sysctl.js'
import { planIsolationProbes } from './isolation-plan.js'
import { runIsolationProbes, type Connect } from './isolation-probe.js'
import { resolveListeners } from './listener-exposure.js'
import { effectivePolicy, networkConfigSchema, policyHint, type NetworkConfig } from './network-config.js'
import { buildInterfaces } from './network-zones.js'
import { tcpConnect } from './tcp-connect.js'
import { checkVlanRequirements } from './vlan-requirements.js'

/**
 * Network exposure and isolation (issue 5): interfaces and VLANs, default routes,
 * listeners resolved to the networks they expose, the CIS network sysctls, the firewall's
 * default verdicts, the VLANs the node's role requires, and active isolation probes to
 * peers. Gathered per network namespace: the agent's own.
 */
export const networkGatherer: Gatherer = {
  name: 'network',
  feeds: ['network'],
  gather: (context) => gatherNetwork(context),
}

export async function gatherNetwork({ host, config }: GatherContext, connect: Connect = tcpConnect): Promise<GatherResult> {
  const networkConfig = networkConfigOf(config)
  const policy = effectivePolicy(networkConfig)
  const facts: NetworkFacts = {}
  const errors: FactErrors = {}

  const [links, routes, sockets, sysctl, firewall] = await Promise.all([gatherLinks(host), gatherDefaultRoutes(host), gatherSockets(host), gatherSysctl(host), gatherFirewall(host)])

  facts.policy = {
    configured: policy.configured,
    role: policy.role,
    routes: policy.routes,
    managementPorts: policy.managementPorts,
    networks: policy.networks.map((n) => `${n.name} (${n.zone})`),
    hint: policyHint,
  }

  const interfaces = links.ok ? buildInterfaces(links.value.links, links.value.addresses, policy.networks) : null
  if (interfaces && links.ok && links.value.addresses !== null) facts.interfaces = interfaces
  else errors['network.interfaces'] = links.ok ? (links.value.addressesError ?? 'unknown') : links.reason

  if (links.ok && interfaces) {
    const addressesError = links.value.addressesError
    facts.vlanRequirements = checkVlanRequirements(interfaces, policy).map((r) =>
      // Without addresses a network required by CIDR would look absent: say so instead.
      addressesError !== null && r.kind === 'network' && !r.present ? { ...r, error: `cannot tell whether ${r.target} is present: ${addressesError}` } : r,
    )
  } else errors['network.vlanRequirements'] = `the interface inventory could not be gathered: ${links.ok ? 'no links' : links.reason}`

  if (routes.ok) facts.defaultRoutes = routes.value
  else errors['network.defaultRoutes'] = routes.reason

  if (sockets.ok) {
    const known = links.ok && links.value.addresses !== null ? interfaces : null
    const why = links.ok ? links.value.addressesError : links.reason
    facts.listeners = resolveListeners(sockets.value, known, policy.networks, policy.managementPorts, why, firewall.ok ? firewall.value.chains : null)
    facts.managementListeners = facts.listeners.filter((l) => l.managementOnly)
  } else {
    errors['network.listeners'] = sockets.reason
    errors['network.managementListeners'] = sockets.reason
  }

  if (sysctl.ok) {
    facts.ipv6Enabled = sysctl.value.ipv6Enabled
    if (sysctl.value.sysctl.ok) facts.sysctl = sysctl.value.sysctl.value
    else errors['network.sysctl'] = sysctl.value.sysctl.reason
  } else {
    errors['network.ipv6Enabled'] = sysctl.reason
    errors['network.sysctl'] = sysctl.reason
  }

  if (firewall.ok) facts.firewall = firewall.value.facts
  else errors['network.firewall'] = firewall.reason

  facts.isolation = await gatherIsolation(host, networkConfig, policy.group, connect)
  return { facts: { network: facts }, errors }
}

async function gatherIsolation(host: GatherContext['host'], config: NetworkConfig, group: string, connect: Connect): Promise<NonNullable<NetworkFacts['isolation']>> {
  const planner = config.isolationPlanner
  if (config.isolationTargets.length === 0) {
    if (planner === 'config') return { status: 'not-configured', planner, group, skipped: 0, probes: [] }
    return { status: 'nothing-to-probe', planner, group, skipped: 0, probes: [], note: noPeersNote(group) }
  }
  const plan = planIsolationProbes({ group, peers: config.isolationTargets, reachableGroups: config.isolation.reachableGroups, maxProbes: config.isolation.maxProbes })
  if (plan.probes.length === 0) return { status: 'nothing-to-probe', planner, group, skipped: plan.skipped, probes: [] }
  const probes = await runIsolationProbes(host, plan.probes, config.isolation, connect)
  return { status: 'probed', planner, group, skipped: plan.skipped, probes }
}

function noPeersNote(group: string): string {
  return (
    `the collector knows no enrolled node outside network group ${group} (and the groups it may reach) with private addresses and listening management ports yet; ` +
    'it sends this node its peers as their reports come in, and the next scan probes them'
  )
}

/** The scan config's `network` section; its defaults when a caller built the config by hand without it. */
function networkConfigOf(config: GatherContext['config']): NetworkConfig {
  return config.network ?? networkConfigSchema.parse({})
}
