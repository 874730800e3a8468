import { z } from 'zod'

/**
 * The collector config's `isolationProbes` section: how nodes are grouped for
 * collector-driven isolation probes and how large a plan may get. The agent's own scan
 * config (`network.isolation`) bounds how fast and how long it probes.
 */
const label = z.string().min(1).max(100)

export const isolationProbesConfigSchema = z
  .object({
    /** Off: agents get their labels but no plan (they keep their config files' targets). */
    enabled: z.boolean().default(true),
    /** The node label naming its network group (`posture collector token --labels network-group=db`). */
    groupLabel: label.default('network-group'),
    /** Used when a node has no `groupLabel`: its role label. */
    roleLabel: label.default('role'),
    /** Group → groups it may reach (its own group always may); every other pair is probed. */
    reachableGroups: z.record(label, z.array(label)).default({}),
    /** (address, port) pairs per plan at most; the agent's `network.isolation.maxProbes` bounds it again. */
    maxTargetsPerPlan: z.number().int().min(1).max(4_096).default(256),
    /** Addresses and ports taken from one node's facts at most. */
    maxAddressesPerNode: z.number().int().min(1).max(16).default(8),
    maxPortsPerNode: z.number().int().min(1).max(64).default(32),
    /**
     * Probe public-class addresses too (a private network numbered from public space).
     * Off by default: a node's report could otherwise aim the fleet's probes at any address.
     */
    publicAddresses: z.boolean().default(false),
    /** Plans are recomputed and pushed this long after the last change (reports arrive in bursts). */
    debounceMs: z.number().int().min(0).max(60_000).default(1_000),
  })
  .strict()
export type IsolationProbesConfig = z.output<typeof isolationProbesConfigSchema>
