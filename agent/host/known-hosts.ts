import { createHash } from 'node:crypto'

/**
 * Host key pinning for agentless scans: trust on first use, then refuse a changed key
 * (DESIGN.md, "Agentless"). Pure: the pins are passed in and the verdict returned; where
 * pins live (a JSON file for `posture ssh-scan`, a table in the collector) is the caller's.
 */

/** A pinned host key: its type and OpenSSH-style SHA-256 fingerprint (`SHA256:base64`). */
export interface PinnedHostKey {
  /** The key blob's type name (RFC 4253 §6.6), e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  keyType: string
  fingerprint: string
  /** When it was first seen (ISO 8601): the moment trust was established. */
  firstSeen: string
}

export interface PresentedHostKey {
  keyType: string
  fingerprint: string
}

export type HostKeyVerdict =
  | { status: 'trusted' }
  | { status: 'new' }
  | { status: 'changed'; pinned: PinnedHostKey; presented: PresentedHostKey }

/** The pin key for a host, as OpenSSH writes it in known_hosts: `host`, or `[host]:port` off port 22. */
export function hostKeyId(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`hostKeyId: port must be 1-65535, got ${port}`)
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`
}

/**
 * Type and fingerprint of a raw host key blob (RFC 4253 §6.6: `string keytype` first).
 * The fingerprint is what `ssh-keygen -lf` prints: SHA-256 of the blob, base64 without padding.
 */
export function describeHostKey(blob: Uint8Array): PresentedHostKey {
  const bytes = Buffer.from(blob)
  if (bytes.length < 4) throw new RangeError('describeHostKey: key blob is too short')
  const typeLength = bytes.readUInt32BE(0)
  if (typeLength === 0 || typeLength > 64 || 4 + typeLength > bytes.length) throw new RangeError('describeHostKey: key blob has no valid type name')
  const keyType = bytes.subarray(4, 4 + typeLength).toString('latin1')
  if (!/^[\x21-\x7e]+$/.test(keyType)) throw new RangeError('describeHostKey: key blob type name is not printable ASCII')
  const fingerprint = `SHA256:${createHash('sha256').update(bytes).digest('base64').replace(/=+$/, '')}`
  return { keyType, fingerprint }
}

/** Trusted when it matches the pin, new when nothing is pinned, changed otherwise. */
export function checkHostKey(pinned: PinnedHostKey | undefined, presented: PresentedHostKey): HostKeyVerdict {
  if (pinned === undefined) return { status: 'new' }
  if (pinned.keyType === presented.keyType && pinned.fingerprint === presented.fingerprint) return { status: 'trusted' }
  return { status: 'changed', pinned, presented }
}

/**
 * The host key signature algorithms to offer once a key is pinned, so that the server
 * must prove the pinned key and cannot side-step the pin with another key type (a
 * server holding ed25519 and RSA keys would otherwise be "new" under the other type).
 * RSA keys sign with rsa-sha2-512/256 (RFC 8332) or the legacy ssh-rsa.
 */
export function hostKeyAlgorithmsFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType]
}

/** The line a user reads when a pinned key changed: both fingerprints and what to do. */
export function changedHostKeyMessage(id: string, verdict: Extract<HostKeyVerdict, { status: 'changed' }>): string {
  return (
    `host key for ${id} has changed: pinned ${verdict.pinned.keyType} ${verdict.pinned.fingerprint} (first seen ${verdict.pinned.firstSeen}), ` +
    `presented ${verdict.presented.keyType} ${verdict.presented.fingerprint}; scan refused ` +
    `(someone may be intercepting the connection; if the host was reinstalled, verify the new key and remove the old pin)`
  )
}
