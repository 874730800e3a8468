import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { PostureError } from '../../rules/posture-error.js'
import type { TlsIdentity } from '../certificate/self-signed-cert.js'
import { loadOrCreateSigningKey, signingKeyPath } from '../evidence/signing-key.js'
import { pgAdvisoryLocks } from '../store/pg/pg-advisory-locks.js'
import type { PgPool } from '../store/pg/pg-pool.js'
import { withPgTransaction } from '../store/pg/pg-transaction.js'
import { ensurePgClusterSchema } from './pg-cluster-schema.js'

/**
 * Collectors on one database keep their own `--data` directory, but two files in it must be
 * the same everywhere: the TLS certificate (agents pin its SHA-256 fingerprint at join, so
 * behind a load balancer a collector with another certificate is refused by every agent it
 * gets) and the evidence signing key (auditors pin one public key; an export signed by
 * another collector's key would not verify). The first collector records both fingerprints
 * in `cluster_shared_files`; a later one whose files differ refuses to start, naming both
 * fingerprints and the files to copy from where.
 */
export type SharedFileName = 'tls-certificate' | 'evidence-signing-key'

export interface SharedFile {
  name: SharedFileName
  /** Null: the file does not exist on this collector. */
  fingerprint: string | null
  /** The files on this machine (the certificate and its key; the signing key). */
  paths: string[]
}

export interface RecordedFile {
  name: SharedFileName
  fingerprint: string
  collectorId: string
  host: string
  paths: string[]
  recordedAt: string
}

export interface Mismatch {
  local: SharedFile
  recorded: RecordedFile
}

/** What a TLS identity looks like to the check; plain HTTP has no certificate to pin. */
export const plainHttpFingerprint = 'none (plain HTTP)'

/** The certificate and key files a collector serves, as the configuration names them. */
export function tlsFilePaths(dataDir: string, tls: { certFile?: string | undefined; keyFile?: string | undefined }): string[] {
  if (tls.certFile !== undefined && tls.keyFile !== undefined) return [tls.certFile, tls.keyFile]
  return [join(dataDir, 'tls', 'cert.pem'), join(dataDir, 'tls', 'key.pem')]
}

/**
 * Records this collector's fingerprints when it is the first, or compares them with the
 * recorded ones; throws BAD_CONFIG naming every difference. One transaction under the schema
 * lock: two collectors starting at once cannot both be "first". The first collector's
 * signing key is created here (it would be at its first export anyway); a later
 * collector's is never created, only compared.
 */
export async function checkSharedFiles(pool: PgPool, me: { collectorId: string; dataDir: string; tls: TlsIdentity | null; tlsPaths: string[] }): Promise<void> {
  await ensurePgClusterSchema(pool)
  const mismatches = await withPgTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [pgAdvisoryLocks.migrations])
    const { rows } = await client.query<{ name: SharedFileName; fingerprint: string; collector_id: string; host: string; paths: string[]; recorded_at: Date }>(
      'SELECT name, fingerprint, collector_id, host, paths, recorded_at FROM cluster_shared_files',
    )
    const recorded = new Map(rows.map((r) => [r.name, { name: r.name, fingerprint: r.fingerprint, collectorId: r.collector_id, host: r.host, paths: r.paths, recordedAt: r.recorded_at.toISOString() }]))
    const keyPath = signingKeyPath(me.dataDir)
    const keyFingerprint = !recorded.has('evidence-signing-key') || existsSync(keyPath) ? loadOrCreateSigningKey(me.dataDir).fingerprint : null
    const local: SharedFile[] = [
      { name: 'tls-certificate', fingerprint: me.tls?.fingerprint ?? plainHttpFingerprint, paths: me.tls ? me.tlsPaths : [] },
      { name: 'evidence-signing-key', fingerprint: keyFingerprint, paths: [keyPath] },
    ]
    const found = compareSharedFiles(local, recorded)
    if (found.length > 0) return found
    for (const file of local) {
      if (recorded.has(file.name) || file.fingerprint === null) continue
      await client.query('INSERT INTO cluster_shared_files (name, fingerprint, collector_id, host, paths) VALUES ($1, $2, $3, $4, $5)', [file.name, file.fingerprint, me.collectorId, hostname(), file.paths])
    }
    return []
  })
  if (mismatches.length > 0) throw new PostureError('BAD_CONFIG', describeMismatches(mismatches, me.dataDir))
}

/** The local files that differ from (or are missing beside) the recorded ones. */
export function compareSharedFiles(local: readonly SharedFile[], recorded: ReadonlyMap<SharedFileName, RecordedFile>): Mismatch[] {
  const found: Mismatch[] = []
  for (const file of local) {
    const first = recorded.get(file.name)
    if (first && first.fingerprint !== file.fingerprint) found.push({ local: file, recorded: first })
  }
  return found
}

const what: Record<SharedFileName, { title: string; why: string }> = {
  'tls-certificate': { title: 'TLS certificate', why: 'agents pin the certificate fingerprint at join, so behind a load balancer every agent sent to this collector would refuse it' },
  'evidence-signing-key': { title: 'evidence signing key', why: 'auditors verify exports against one public key, so exports signed here would not verify' },
}

/** The refusal: every difference with both fingerprints, then which files to copy from where. */
export function describeMismatches(mismatches: readonly Mismatch[], dataDir: string): string {
  const lines = [`this collector's files differ from those of the collectors already sharing this database (${dataDir}); refusing to start:`]
  for (const { local, recorded } of mismatches) {
    const { title, why } = what[local.name]
    const here = local.fingerprint === null ? `no such file (${local.paths.join(', ')})` : `${local.fingerprint} (${local.paths.join(', ') || 'no certificate'})`
    lines.push(`- ${title}: this collector has ${here}; the cluster uses ${recorded.fingerprint}, recorded by collector ${recorded.collectorId} on host ${recorded.host} at ${recorded.recordedAt}; ${why}.`)
    if (recorded.paths.length === 0) {
      lines.push(`  The cluster runs plain HTTP (--insecure-http): start this collector with --insecure-http too, or move every collector to TLS.`)
    } else if (local.paths.length === 0) {
      lines.push(`  Copy ${recorded.paths.join(' and ')} from host ${recorded.host} to this machine and start with --tls-cert/--tls-key pointing at them (not --insecure-http).`)
    } else {
      const pairs = recorded.paths.map((from, i) => `${from} to ${local.paths[i] ?? local.paths[0]}`)
      lines.push(`  Copy from host ${recorded.host}: ${pairs.join('; ')}${local.name === 'evidence-signing-key' ? ' (mode 0600)' : ''}.`)
    }
  }
  lines.push('If the files were replaced on purpose on every collector (a rotation), stop every collector, run `DELETE FROM cluster_shared_files;` in the database, then start them again: the first records the new fingerprints.')
  return lines.join('\n')
}
