import { verifyAuditChainAsync } from '../../collector/audit/audit-chain.js'
import { openCliBackend } from '../admin-backend.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'
import { loadOrCreateSigningKey } from '../../collector/evidence/signing-key.js'
import { PostureError } from '../../rules/posture-error.js'
import type { CliIO } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'

/**
 * `posture collector signing-key`: prints the evidence signing key's public half (PEM), to
 * hand to auditors for `posture verify --key`. `posture collector audit verify`: checks the
 * audit log's hash chain and names the first row where it breaks.
 */
export async function signingKeySubcommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('collector signing-key', args, { data: { type: 'string' } })
  if (values.help) {
    io.stdout.write('Usage: posture collector signing-key [--data DIR]\n\nPrints the public key (PEM) evidence exports are signed with; auditors pass it to posture verify --key.\nThe key pair is made on first use in the data directory (evidence-signing-key.pem, mode 0600).\n')
    return 0
  }
  const key = loadOrCreateSigningKey(dataDir(values.data, io))
  io.stdout.write(key.publicKeyPem)
  io.stderr.write(`Ed25519 public key, fingerprint ${key.fingerprint}\n`)
  return 0
}

export async function auditSubcommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('collector audit', args, { data: { type: 'string' }, database: { type: 'string' } }, true)
  if (values.help || positionals[0] !== 'verify' || positionals.length !== 1) {
    io.stdout.write('Usage: posture collector audit verify [--data DIR | --database URL]\n\nChecks the audit log\'s hash chain: consecutive rows, each linked to the one before, each hash\nrecomputed from its content. Exit 0 intact, 1 broken (the first broken row is named).\n')
    if (values.help) return 0
    throw new PostureError('BAD_USAGE', 'usage: posture collector audit verify [--data DIR]')
  }
  const backend = await openCliBackend(values, io)
  try {
    const verdict = await verifyAuditChainAsync(backend.audit.entries())
    if (verdict.ok) {
      io.stdout.write(`audit log intact: ${verdict.count} rows, last hash ${verdict.lastHash}\n`)
      return 0
    }
    const why = { 'sequence-gap': 'a row is missing or out of order', 'prev-hash-mismatch': 'it does not link to the row before it', 'hash-mismatch': 'its content does not match its hash (the row was edited)' }[verdict.reason]
    io.stdout.write(`audit log BROKEN at row ${verdict.seq}: ${why} (${verdict.reason}); ${verdict.count} rows before it verify\n`)
    return 1
  } finally {
    await backend.close()
  }
}

function dataDir(value: string | undefined, io: CliIO): string {
  return resolveCollectorConfig({}, value !== undefined ? { dataDir: value } : {}, io.cwd).dataDir
}
