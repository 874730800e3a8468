import ipaddr from 'ipaddr.js'
import { z } from 'zod'

/**
 * The scan config's `network` section: the network policy as data. Which networks are
 * private (management, storage, backup VLANs) beyond what their addresses say, which ports
 * are management-only, which VLANs a role must sit on, and which peers to probe for
 * isolation. Everything is optional: with nothing configured the defaults below still
 * find databases and exporters listening on public addresses.
 */

const ipLiteral = z.string().refine(isIpLiteral, 'an IPv4 or IPv6 address literal (no host names: probes never resolve names)')
const cidr = z.string().refine((s) => ipaddr.isValidCIDR(s) && (s.includes(':') || ipaddr.IPv4.isValidCIDRFourPartDecimal(s)), 'a CIDR such as 10.0.0.0/8 or fd00::/8')
const port = z.number().int().min(1).max(65535)
const vlanId = z.number().int().min(1).max(4094)
const name = z.string().min(1).max(100)

export const portSpecConfigSchema = z
  .object({
    port,
    protocol: z.enum(['tcp', 'udp', 'both']).default('tcp'),
    service: z.string().min(1).nullable().default(null),
  })
  .strict()
export type PortSpec = z.output<typeof portSpecConfigSchema>

/**
 * Ports that belong on management networks only. Sources: the issue's list; IANA for
 * port numbers; Prometheus' default port allocations wiki for the exporters.
 */
export const defaultManagementPorts: readonly PortSpec[] = Object.freeze([
  { port: 111, protocol: 'both', service: 'rpcbind' },
  { port: 445, protocol: 'tcp', service: 'smb' },
  { port: 623, protocol: 'both', service: 'ipmi' },
  { port: 2049, protocol: 'both', service: 'nfs' },
  { port: 2375, protocol: 'tcp', service: 'docker-api' },
  { port: 2376, protocol: 'tcp', service: 'docker-api-tls' },
  { port: 3306, protocol: 'tcp', service: 'mysql' },
  { port: 5432, protocol: 'tcp', service: 'postgresql' },
  { port: 6379, protocol: 'tcp', service: 'redis' },
  { port: 8443, protocol: 'tcp', service: 'posture-collector' },
  { port: 9090, protocol: 'tcp', service: 'prometheus' },
  { port: 9093, protocol: 'tcp', service: 'alertmanager' },
  { port: 9100, protocol: 'tcp', service: 'node-exporter' },
  { port: 9104, protocol: 'tcp', service: 'mysqld-exporter' },
  { port: 9121, protocol: 'tcp', service: 'redis-exporter' },
  { port: 9187, protocol: 'tcp', service: 'postgres-exporter' },
  { port: 9200, protocol: 'tcp', service: 'elasticsearch' },
  { port: 11211, protocol: 'both', service: 'memcached' },
  { port: 27017, protocol: 'tcp', service: 'mongodb' },
])

export const sshPort: PortSpec = Object.freeze({ port: 22, protocol: 'tcp', service: 'ssh' })

export const policyNetworkSchema = z
  .object({
    name,
    /** private: management/storage/backup (may carry management ports); public: customer-facing. */
    zone: z.enum(['private', 'public']),
    cidrs: z.array(cidr).default([]),
    vlanIds: z.array(vlanId).default([]),
    interfaces: z.array(name).default([]),
    /** Only on nodes with one of these roles (all nodes when absent). */
    roles: z.array(name).optional(),
    /** Only on nodes carrying all these labels (`network.labels`), e.g. `{dc: fra1}`. */
    labels: z.record(name, z.string()).optional(),
  })
  .strict()
  .refine((n) => n.cidrs.length + n.vlanIds.length + n.interfaces.length > 0, 'a network needs cidrs, vlanIds or interfaces')
export type PolicyNetwork = z.output<typeof policyNetworkSchema>

export const roleSchema = z
  .object({
    requiredVlans: z.array(vlanId).default([]),
    /** Names of `networks` entries the node must have an interface on. */
    requiredNetworks: z.array(name).default([]),
    /** Routers, hypervisors, Docker hosts: IP forwarding is expected (with a dropping forward chain). */
    routes: z.boolean().default(false),
    sshManagementOnly: z.boolean().optional(),
  })
  .strict()

export const isolationTargetSchema = z
  .object({
    name,
    group: name,
    addresses: z.array(ipLiteral).min(1),
    ports: z.array(port).min(1),
  })
  .strict()
export type IsolationTarget = z.output<typeof isolationTargetSchema>

export const isolationSettingsSchema = z
  .object({
    timeoutMs: z.number().int().min(100).max(30_000).default(2_000),
    concurrency: z.number().int().min(1).max(64).default(8),
    /** Connection attempts started per second, at most. */
    perSecond: z.number().min(0.1).max(200).default(20),
    maxProbes: z.number().int().min(1).max(4_096).default(256),
    /** Group → groups it may reach (its own group always may); every other pair must be isolated. */
    reachableGroups: z.record(name, z.array(name)).default({}),
  })
  .strict()
export type IsolationSettings = z.output<typeof isolationSettingsSchema>

export const networkConfigSchema = z
  .object({
    /** This node's role: selects `roles.<role>` and the policy networks limited to roles. */
    role: name.optional(),
    /** This node's group for isolation probes; defaults to its `groupLabel` label, then the role. */
    group: name.optional(),
    /**
     * This node's labels, matched against `networks[].labels` (one config file for a fleet).
     * An enrolled agent's labels are its enrollment labels from the collector; keys set here
     * only fill those the collector does not set (standalone `posture scan` uses these alone).
     */
    labels: z.record(name, z.string()).default({}),
    /** The label naming the node's network group (`posture collector token --labels network-group=db`). */
    groupLabel: name.default('network-group'),
    /** The label naming the node's role, used when `role` is not set and the label names a role under `roles`. */
    roleLabel: name.default('role'),
    roles: z.record(name, roleSchema).default({}),
    networks: z.array(policyNetworkSchema).default([]),
    /** Replaces the default management-only port list. */
    managementPorts: z.array(portSpecConfigSchema).optional(),
    extraManagementPorts: z.array(portSpecConfigSchema).default([]),
    /** Ports never treated as management-only (e.g. a public Elasticsearch behind auth). */
    publicPorts: z.array(port).default([]),
    /** SSH (22/tcp) belongs on management networks only. */
    sshManagementOnly: z.boolean().default(false),
    requiredVlans: z.array(vlanId).default([]),
    requiredNetworks: z.array(name).default([]),
    /** Peers to probe (standalone scans; an enrolled agent in a network group gets them from the collector). */
    isolationTargets: z.array(isolationTargetSchema).default([]),
    /** Who chose `isolationTargets`: this file, or the collector (set by the agent from its plan). */
    isolationPlanner: z.enum(['config', 'collector']).default('config'),
    isolation: isolationSettingsSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const known = new Set(config.networks.map((n) => n.name))
    const wanted = [...config.requiredNetworks, ...Object.values(config.roles).flatMap((r) => r.requiredNetworks)]
    for (const network of wanted) {
      if (!known.has(network)) ctx.addIssue({ code: 'custom', message: `required network "${network}" is not defined under network.networks` })
    }
    if (config.role !== undefined && Object.keys(config.roles).length > 0 && !(config.role in config.roles)) {
      ctx.addIssue({ code: 'custom', path: ['role'], message: `role "${config.role}" is not defined under network.roles` })
    }
  })
export type NetworkConfig = z.output<typeof networkConfigSchema>

export function isIpLiteral(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || (text.includes(':') && ipaddr.IPv6.isValid(text))
}

/** The policy that applies to this node: its role's additions folded in. */
export interface EffectivePolicy {
  configured: boolean
  role: string | null
  group: string
  routes: boolean
  managementPorts: PortSpec[]
  networks: PolicyNetwork[]
  requiredVlans: number[]
  requiredNetworks: string[]
}

export function effectivePolicy(config: NetworkConfig): EffectivePolicy {
  const labelRole = config.labels[config.roleLabel]
  const role = config.role ?? (labelRole !== undefined && labelRole in config.roles ? labelRole : null)
  const roleConfig = role === null ? undefined : config.roles[role]
  const sshManagementOnly = roleConfig?.sshManagementOnly ?? config.sshManagementOnly
  const base = config.managementPorts ?? [...defaultManagementPorts]
  const ports = [...base, ...config.extraManagementPorts, ...(sshManagementOnly ? [sshPort] : [])].filter((p) => !config.publicPorts.includes(p.port))
  const configured =
    role !== null ||
    config.networks.length > 0 ||
    config.requiredVlans.length > 0 ||
    config.requiredNetworks.length > 0 ||
    config.isolationTargets.length > 0 ||
    config.managementPorts !== undefined ||
    config.extraManagementPorts.length > 0
  return {
    configured,
    role,
    group: config.group ?? config.labels[config.groupLabel] ?? role ?? 'ungrouped',
    routes: roleConfig?.routes ?? false,
    managementPorts: ports,
    networks: config.networks.filter(
      (n) =>
        (n.roles === undefined || (role !== null && n.roles.includes(role))) &&
        Object.entries(n.labels ?? {}).every(([key, value]) => config.labels[key] === value),
    ),
    requiredVlans: unique([...config.requiredVlans, ...(roleConfig?.requiredVlans ?? [])]),
    requiredNetworks: unique([...config.requiredNetworks, ...(roleConfig?.requiredNetworks ?? [])]),
  }
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}

/** Told in `na` findings: how to give Posture the policy it needs. */
export const policyHint =
  'set the network policy in the scan config (--config FILE): network.role (or a node label role=ROLE) with network.roles.<role>.requiredVlans / requiredNetworks, ' +
  'network.networks (name, zone, cidrs / vlanIds / interfaces) for private VLANs; for isolation probes enroll nodes with a network group label ' +
  '(posture collector token --labels network-group=GROUP) or list peers in network.isolationTargets'
