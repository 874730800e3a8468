import { z } from 'zod'

/**
 * Facts about the node's network exposure and isolation (issue 5). Gathered by
 * agent/gatherers/network. An address's `class` is what the address is (RFC 1918,
 * RFC 6598 CGNAT, ULA, …); its `zone` is what the scan's network policy says about the
 * network it sits on: `public` or `private` (management/private VLANs), or `loopback` /
 * `link-local` for addresses no other network can reach.
 */
export const addressClassSchema = z.enum(['public', 'private', 'cgnat', 'loopback', 'link-local'])
export type AddressClass = z.infer<typeof addressClassSchema>

export const zoneSchema = z.enum(['public', 'private', 'loopback', 'link-local'])
export type Zone = z.infer<typeof zoneSchema>

export const interfaceAddressSchema = z.object({
  address: z.string(),
  prefixLength: z.number(),
  family: z.enum(['ipv4', 'ipv6']),
  /** `ip addr` scope: global, link, host. */
  scope: z.string().nullable(),
  class: addressClassSchema,
  zone: zoneSchema,
  /** The policy network (scan config `network.networks[].name`) it belongs to, if any. */
  network: z.string().nullable(),
})
export type InterfaceAddress = z.infer<typeof interfaceAddressSchema>

export const interfaceKindSchema = z.enum(['loopback', 'physical', 'vlan', 'bond', 'bridge', 'veth', 'other'])
export type InterfaceKind = z.infer<typeof interfaceKindSchema>

export const networkInterfaceSchema = z.object({
  /** The interface name. */
  target: z.string(),
  index: z.number().nullable(),
  kind: interfaceKindSchema,
  /** The kernel's link kind (`ip -d` linkinfo.info_kind: vxlan, wireguard, macvlan, …). */
  driver: z.string().nullable(),
  /** operstate: UP, DOWN, LOWERLAYERDOWN, UNKNOWN (loopback, tun), … */
  state: z.string(),
  /** Administratively up (the UP flag). */
  up: z.boolean(),
  mtu: z.number().nullable(),
  mac: z.string().nullable(),
  /** The lower device: a VLAN's trunk, a macvlan's parent, a veth's peer. */
  parent: z.string().nullable(),
  /** The bridge or bond this interface is enslaved to. */
  master: z.string().nullable(),
  vlan: z.object({ id: z.number(), protocol: z.string().nullable() }).nullable(),
  /** VLAN ids this interface carries: its own, or its ports' for a bridge or bond. */
  vlanIds: z.array(z.number()),
  bondMode: z.string().nullable(),
  bridgeVlanFiltering: z.boolean().nullable(),
  addresses: z.array(interfaceAddressSchema),
  /** The most exposed zone among its addresses (public > private > link-local > loopback). */
  zone: zoneSchema.nullable(),
})
export type NetworkInterface = z.infer<typeof networkInterfaceSchema>

export const defaultRouteSchema = z.object({
  target: z.string(),
  family: z.enum(['ipv4', 'ipv6']),
  gateway: z.string().nullable(),
  interface: z.string().nullable(),
  metric: z.number().nullable(),
})

export const exposureSchema = z.object({
  address: z.string(),
  interface: z.string().nullable(),
  zone: zoneSchema,
  network: z.string().nullable(),
  /** The firewall certainly drops new connections to the port arriving on that interface. */
  filtered: z.boolean(),
})
export type Exposure = z.infer<typeof exposureSchema>

export const listenerSchema = z.object({
  /** `tcp 0.0.0.0:5432`, `udp [::]:53`, `tcp 0.0.0.0%br0:9200`. */
  target: z.string(),
  protocol: z.enum(['tcp', 'udp']),
  /** The bound address as the kernel reports it (`0.0.0.0`, `::`, `10.0.0.1`). */
  address: z.string(),
  port: z.number(),
  /** SO_BINDTODEVICE interface (`ss` prints `ADDR%IFNAME`), when bound to one. */
  boundInterface: z.string().nullable(),
  /** ipv4, ipv6 (v6-only or a specific v6 address), or dual (a `::` socket that also takes IPv4). */
  family: z.enum(['ipv4', 'ipv6', 'dual']),
  wildcard: z.boolean(),
  processes: z.array(z.string()),
  /** `ss` (exact) or `proc` (/proc/net/*: cannot tell device-bound or v6-only sockets apart). */
  source: z.enum(['ss', 'proc']),
  /** The concrete addresses the socket can be reached on. */
  exposure: z.array(exposureSchema),
  zones: z.array(zoneSchema),
  /** Public addresses it is reachable on: exposed, and no firewall rule certainly drops it. */
  publicAddresses: z.array(z.string()),
  /** Public addresses it is bound to but the firewall drops new connections on. */
  filteredPublicAddresses: z.array(z.string()),
  /** The port is management-only under the scan's network policy. */
  managementOnly: z.boolean(),
  /** What the policy calls the port (`postgresql`), when it names it. */
  service: z.string().nullable(),
  /** Why the exposure could not be resolved (the engine makes the finding `error`). */
  error: z.string().optional(),
})
export type Listener = z.infer<typeof listenerSchema>

/** Per-interface values as the kernel applies them (combined with `conf/all`). */
export const interfaceSysctlSchema = z.object({
  /** The interface name, or `default` (what interfaces created later get). */
  target: z.string(),
  /** max(all, interface): 0 off, 1 strict (RFC 3704), 2 loose. */
  rpFilter: z.number(),
  /** all AND interface when the interface forwards, all OR interface otherwise. */
  acceptRedirects: z.number(),
  secureRedirects: z.number(),
  /** all OR interface. */
  sendRedirects: z.number(),
  /** all AND interface. */
  acceptSourceRoute: z.number(),
  /** all OR interface. */
  logMartians: z.number(),
  forwarding: z.number(),
  /** The interface's own IPv6 values; null when IPv6 is off on the node. */
  ipv6AcceptRedirects: z.number().nullable(),
  ipv6AcceptSourceRoute: z.number().nullable(),
  ipv6AcceptRa: z.number().nullable(),
})
export type InterfaceSysctl = z.infer<typeof interfaceSysctlSchema>

export const sysctlFactsSchema = z.object({
  /** net.ipv4.ip_forward */
  ipv4Forwarding: z.number(),
  /** net.ipv6.conf.all.forwarding; null when IPv6 is off. */
  ipv6Forwarding: z.number().nullable(),
  /** net.ipv4.tcp_syncookies: 0 off, 1 when the SYN queue overflows, 2 always. */
  tcpSyncookies: z.number(),
  icmpEchoIgnoreBroadcasts: z.number().nullable(),
  icmpIgnoreBogusErrorResponses: z.number().nullable(),
  /** Effective values for `default` and each interface except `lo`. */
  interfaces: z.array(interfaceSysctlSchema),
  /** Every value read, by sysctl name (`net.ipv4.conf.all.rp_filter`). */
  raw: z.record(z.string(), z.number()),
})
export type SysctlFacts = z.infer<typeof sysctlFactsSchema>

export const hookVerdictSchema = z.enum(['drop', 'accept', 'none'])
export const familyFirewallSchema = z.object({
  /** drop: a filter base chain drops what no rule accepts; accept: chains exist, none does; none: no chain. */
  input: hookVerdictSchema,
  forward: hookVerdictSchema,
})

export const firewallChainSchema = z.object({
  /** `nft inet filter input`, `iptables filter INPUT`. */
  target: z.string(),
  source: z.enum(['nft', 'iptables', 'ip6tables']),
  /** nft family (ip, ip6, inet, …); `ip`/`ip6` for iptables/ip6tables. */
  family: z.string(),
  table: z.string(),
  name: z.string(),
  hook: z.string(),
  type: z.string(),
  /** The chain's policy (accept/drop). */
  policy: z.string(),
  /** What happens to a packet no rule matched: the policy, or an unconditional final drop/reject rule. */
  defaultVerdict: z.enum(['accept', 'drop']),
  rules: z.number(),
})

export const firewallSourceSchema = z.object({
  tool: z.enum(['nft', 'iptables', 'ip6tables']),
  status: z.enum(['ok', 'not-installed', 'error']),
  message: z.string().nullable(),
})

export const firewallFactsSchema = z.object({
  chains: z.array(firewallChainSchema),
  ipv4: familyFirewallSchema,
  ipv6: familyFirewallSchema,
  /** Rules in all tables (0 with an empty ruleset). */
  ruleCount: z.number(),
  /** `iptables -V`: nf_tables (rules also visible to nft) or legacy. */
  iptablesBackend: z.enum(['nf_tables', 'legacy']).nullable(),
  sources: z.array(firewallSourceSchema),
})
export type FirewallFacts = z.infer<typeof firewallFactsSchema>

export const portSpecSchema = z.object({
  port: z.number(),
  protocol: z.enum(['tcp', 'udp', 'both']),
  service: z.string().nullable(),
})

/** The network policy the verdicts were made against (scan config `network`). */
export const policyFactsSchema = z.object({
  /** Anything beyond the defaults was configured (role, networks, required VLANs, targets). */
  configured: z.boolean(),
  role: z.string().nullable(),
  /** The role routes packets (router, hypervisor, Docker host): IP forwarding is expected. */
  routes: z.boolean(),
  managementPorts: z.array(portSpecSchema),
  networks: z.array(z.string()),
  /** How to configure the policy, for `na` messages. */
  hint: z.string(),
})

export const vlanRequirementSchema = z.object({
  /** `vlan 100` or `network storage`. */
  target: z.string(),
  kind: z.enum(['vlan', 'network']),
  vlanId: z.number().nullable(),
  network: z.string().nullable(),
  /** Interfaces that carry it. */
  interfaces: z.array(z.string()),
  present: z.boolean(),
  /** At least one of them is up. */
  up: z.boolean(),
  /** Why presence could not be judged (a network matched by CIDR while addresses are unknown). */
  error: z.string().optional(),
})

export const isolationProbeSchema = z.object({
  /** `10.0.0.5:5432`, `[fd00::5]:22`. */
  target: z.string(),
  peer: z.string(),
  address: z.string(),
  port: z.number(),
  fromGroup: z.string(),
  toGroup: z.string(),
  /** A TCP connection was established; null when the probe itself failed (see error). */
  reachable: z.boolean().nullable(),
  /** connected, refused (RST), timeout (filtered), unreachable (no route). */
  outcome: z.enum(['connected', 'refused', 'timeout', 'unreachable']).nullable(),
  error: z.string().optional(),
})
export type IsolationProbe = z.infer<typeof isolationProbeSchema>

export const isolationFactsSchema = z.object({
  /** not-configured: no targets; nothing-to-probe: every target may be reached; probed. */
  status: z.enum(['not-configured', 'nothing-to-probe', 'probed']),
  /** Who chose the targets: the scan config, or the collector (from enrolled nodes' facts). */
  planner: z.enum(['config', 'collector']).optional(),
  group: z.string(),
  /** Why nothing was probed, for the `na` message. */
  note: z.string().optional(),
  /** Targets left out: same or allowed group, or over the probe limit. */
  skipped: z.number(),
  probes: z.array(isolationProbeSchema),
})

export const networkFactsSchema = z.object({
  interfaces: z.array(networkInterfaceSchema).optional(),
  defaultRoutes: z.array(defaultRouteSchema).optional(),
  listeners: z.array(listenerSchema).optional(),
  /** The listeners on management-only ports (a subset of `listeners`, one finding each). */
  managementListeners: z.array(listenerSchema).optional(),
  /** /proc/sys/net/ipv6 exists (IPv6 is not disabled on the kernel command line). */
  ipv6Enabled: z.boolean().optional(),
  sysctl: sysctlFactsSchema.optional(),
  firewall: firewallFactsSchema.optional(),
  policy: policyFactsSchema.optional(),
  vlanRequirements: z.array(vlanRequirementSchema).optional(),
  isolation: isolationFactsSchema.optional(),
})
export type NetworkFacts = z.infer<typeof networkFactsSchema>
