import type { PinnedHostKey, PresentedHostKey } from '../../agent/host/known-hosts.js'
import type { HostKeyPins } from './scan-over-ssh.js'
import type { SshNode, SshNodeSpec } from './ssh-node-spec.js'

/** A pinned host key with what was refused beside it. */
export interface HostKeyRecord extends PinnedHostKey {
  hostId: string
  lastVerified: string | null
  refused: { at: string; keyType: string | null; fingerprint: string | null } | null
}

/**
 * SSH nodes and pinned host keys, on either backend (sqlite-ssh-nodes.ts,
 * pg-ssh-nodes.ts). Private keys are never stored: `key` is a path on the collector's host
 * or `agent`.
 */
export interface SshNodeStore {
  /** Registers a node; an existing name is a BAD_INPUT error. */
  add(spec: SshNodeSpec, now: Date): Promise<SshNode>
  list(): Promise<SshNode[]>
  get(name: string): Promise<SshNode | null>
  /** Unregisters the node. Its pinned key stays (the host may be registered again). */
  remove(name: string): Promise<boolean>
  /** After a scan attempt: the node id it reported (if any), when, and the error (null: none). */
  recordScan(name: string, outcome: { nodeId: string | null; at: Date; error: string | null }): Promise<void>
  hostKey(hostId: string): Promise<HostKeyRecord | null>
  hostKeys(): Promise<HostKeyRecord[]>
  /** The pins as scanOverSsh reads and writes them: first use pins (never over an existing pin), a match is noted. */
  pins(clock: () => Date): HostKeyPins
  /** A refused key, recorded beside the pin (which stays). */
  recordRefused(hostId: string, presented: PresentedHostKey | null, at: Date): Promise<void>
  /** Replaces the pin with the last refused key; `fingerprint` must be the refused one. */
  trustRefused(hostId: string, fingerprint: string, now: Date): Promise<PinnedHostKey>
  /** Drops the pin: the next scan trusts whatever key it meets. */
  forgetHostKey(hostId: string): Promise<boolean>
}
