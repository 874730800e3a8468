import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { PostureError } from '../../rules/posture-error.js'
import type { PinnedHostKey } from './known-hosts.js'

/**
 * `posture ssh-scan`'s own known-hosts file: JSON, `posture.known-hosts/v1`, mode 0600,
 * under the user's state directory unless `--known-hosts FILE` names another. Our own
 * format rather than OpenSSH's so that a pin records when trust was established and no
 * hashed or wildcard entries need interpreting.
 */
export const knownHostsSchemaId = 'posture.known-hosts/v1'

const pinSchema = z.object({ keyType: z.string().min(1), fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]+$/), firstSeen: z.iso.datetime() }).strict()
const knownHostsSchema = z.object({ schema: z.literal(knownHostsSchemaId), hosts: z.record(z.string(), pinSchema) }).strict()
export type KnownHosts = Record<string, PinnedHostKey>

/** `$XDG_CONFIG_HOME/posture/known_hosts.json`, else `~/.config/posture/known_hosts.json`. */
export function defaultKnownHostsPath(env: NodeJS.ProcessEnv, home: string): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config')
  return join(base, 'posture', 'known_hosts.json')
}

/** The pins in `path`; none when the file does not exist yet. A corrupt file is an error, never "no pins". */
export async function readKnownHosts(path: string): Promise<KnownHosts> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new PostureError('UNREADABLE', `${path}: cannot read known hosts (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new PostureError('BAD_INPUT', `${path}: not a known-hosts file: invalid JSON (${(err as Error).message})`)
  }
  const parsed = knownHostsSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new PostureError('BAD_INPUT', `${path}: not a ${knownHostsSchemaId} file at ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data.hosts
}

/** Adds one pin, re-reading the file first so that concurrent scans do not drop each other's pins. */
export async function addKnownHost(path: string, id: string, pin: PinnedHostKey): Promise<void> {
  const hosts = await readKnownHosts(path)
  if (hosts[id] !== undefined) return // first pin wins: trust is never silently replaced
  hosts[id] = pin
  const sorted = Object.fromEntries(Object.entries(hosts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  const temporary = `${path}.${process.pid}.tmp`
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    await writeFile(temporary, JSON.stringify({ schema: knownHostsSchemaId, hosts: sorted }, null, 2) + '\n', { mode: 0o600 })
    await rename(temporary, path)
  } catch (err) {
    await rm(temporary, { force: true })
    throw new PostureError('CANNOT_WRITE', `${path}: cannot write known hosts (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
}
