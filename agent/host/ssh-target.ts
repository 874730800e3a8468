import { PostureError } from '../../rules/posture-error.js'
import type { SshTarget } from './ssh-host.js'

/**
 * `USER@HOST[:PORT]`, as `posture ssh-scan` and the collector's SSH nodes take it. IPv6
 * literals go in brackets (`root@[2001:db8::1]:2222`), as in ssh(1) URIs (RFC 3986 §3.2.2).
 * The user may be left out when `defaultUser` is given.
 */
export function parseSshTarget(text: string, defaultUser?: string): SshTarget {
  const match = text.match(/^(?:([^@\s:]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9._-]*)(?::(\d{1,5}))?$/)
  if (!match) throw new PostureError('BAD_USAGE', `"${text}" is not USER@HOST[:PORT] (IPv6 addresses in brackets: USER@[2001:db8::1]:22)`)
  const username = match[1] ?? defaultUser
  if (!username) throw new PostureError('BAD_USAGE', `"${text}": give the user as USER@HOST`)
  const host = match[2]!.replace(/^\[(.*)\]$/, '$1')
  const port = match[3] === undefined ? 22 : Number(match[3])
  if (port < 1 || port > 65535) throw new PostureError('BAD_USAGE', `"${text}": port must be 1-65535`)
  return { username, host, port }
}

/** The target back as text, brackets around IPv6 literals; the port only when it is not 22. */
export function formatSshTarget(target: SshTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  return `${target.username}@${host}${target.port === 22 ? '' : `:${target.port}`}`
}
