import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import { formatJoinString } from '../agent/wire/join-string.js'
import { loadScoringPolicy } from '../rules/load-rules.js'
import { PostureError } from '../rules/posture-error.js'
import { generatePassword, hashPassword } from './auth/password-hash.js'
import { issueToken } from './auth/secret-token.js'
import type { Backend } from './store/backend.js'
import { pgBackend } from './store/pg-backend.js'
import { openPgStore } from './store/pg/pg-store.js'
import { sqliteBackend, type SqliteBackend } from './store/sqlite-backend.js'
import { SqliteStore } from './store/sqlite-store.js'
import type { Labels, Role, Store } from './store/store.js'

/**
 * What the admin commands do (`posture collector token | api-token | user add | revoke`),
 * on the data directory directly: SQLite's WAL lets them run beside a live collector,
 * which picks up revocations within `revocationPollMs`.
 */
export const settingKeys = { url: 'collector.url', fingerprint: 'collector.fingerprint' } as const

export function databasePath(dataDir: string): string {
  return join(dataDir, 'posture.db')
}

export function openAdminStore(dataDir: string): SqliteStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  return new SqliteStore(databasePath(dataDir), loadScoringPolicy())
}

/** The whole backend over the data directory's database, for the CLI's admin commands; `clock` stamps audit rows. */
export function openAdminBackend(dataDir: string, clock: () => Date = () => new Date()): SqliteBackend {
  return sqliteBackend(openAdminStore(dataDir), { dataDir, policy: loadScoringPolicy(), clock })
}

/**
 * The backend the admin commands use: PostgreSQL when a `database` URL is given (migrated
 * as a collector would), else SQLite in `dataDir`. Close it when done.
 */
export async function openAdminBackendFor(options: { dataDir: string; database?: string | undefined; clock?: () => Date }): Promise<Backend> {
  if (options.database === undefined) return openAdminBackend(options.dataDir, options.clock)
  const policy = loadScoringPolicy()
  const store = await openPgStore(options.database, policy, { maxConnections: 2, applicationName: 'posture-admin' })
  return pgBackend(store, { policy, ...(options.clock ? { clock: options.clock } : {}) })
}

/** A one-time enrollment token and the join string that carries it. */
export async function createJoinString(store: Store, options: { labels: Labels; ttlMs: number; now: Date; url?: string | undefined }): Promise<{ joinString: string; expiresAt: string; url: string }> {
  const url = options.url ?? (await store.getSetting(settingKeys.url))
  if (!url) throw new PostureError('BAD_USAGE', 'the collector has not been started on this data directory yet (no URL to give agents); start it first, or pass --url')
  const fingerprint = url.startsWith('https:') ? await store.getSetting(settingKeys.fingerprint) : null
  if (url.startsWith('https:') && !fingerprint) throw new PostureError('BAD_USAGE', 'no certificate fingerprint recorded; start the collector once first')
  const issued = issueToken('pe1')
  const expiresAt = new Date(options.now.getTime() + options.ttlMs).toISOString()
  await store.createEnrollmentToken({ id: issued.id, secretHash: issued.secretHash, labels: options.labels, createdAt: options.now.toISOString(), expiresAt })
  return { joinString: formatJoinString({ url, token: issued.token, fingerprint }), expiresAt, url }
}

export async function createApiToken(store: Store, role: Role, name: string, now: Date): Promise<{ id: string; token: string }> {
  const issued = issueToken('pt1')
  await store.createApiToken({ id: issued.id, secretHash: issued.secretHash, role, name, createdAt: now.toISOString(), revokedAt: null })
  return { id: issued.id, token: issued.token }
}

/**
 * Creates a user with a random one-time password (must be changed at first login) and
 * returns the password for the caller to show once. Never logged, never stored in clear.
 */
export async function createUserWithOneTimePassword(store: Store, username: string, role: Role, now: Date): Promise<{ password: string }> {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(username)) throw new PostureError('BAD_USAGE', `user name "${username}": use 1–64 lower-case letters, digits, dot, dash or underscore`)
  if (await store.findUser(username)) throw new PostureError('BAD_USAGE', `user ${username} already exists`)
  const password = generatePassword()
  await store.createUser({ username, role, passwordHash: await hashPassword(password), mustChangePassword: true, createdAt: now.toISOString() })
  return { password }
}

/** First start: the `admin` user, once. Null when it already exists. */
export async function ensureAdminUser(store: Store, now: Date): Promise<{ username: string; password: string } | null> {
  if (await store.findUser('admin')) return null
  const { password } = await createUserWithOneTimePassword(store, 'admin', 'admin', now)
  return { username: 'admin', password }
}

export function parseLabels(text: string | undefined): Labels {
  const labels: Labels = {}
  if (text === undefined || text.trim() === '') return labels
  for (const pair of text.split(',')) {
    const match = /^\s*([A-Za-z0-9_.\/-]{1,63})=([^,]{0,255})\s*$/.exec(pair)
    if (!match) throw new PostureError('BAD_USAGE', `--labels: "${pair}" is not key=value (e.g. --labels env=prod,rack=r12)`)
    labels[match[1]!] = match[2]!.trim()
  }
  return labels
}
