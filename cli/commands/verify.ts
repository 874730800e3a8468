import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { verifyEvidenceArchive } from '../../collector/evidence/verify-archive.js'
import { PostureError } from '../../rules/posture-error.js'
import type { Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'

export const verifyCommand: Command = {
  name: 'verify',
  help: `Usage: posture verify FILE [--key PUBKEY] [--json]

Checks an evidence archive written by posture export, offline (no collector, no data
directory): the Ed25519 signature over manifest.json, the SHA-256 and size of every file
it lists, that no file was added or removed, and the audit-log excerpt's hash chain.
Prints each problem with the file it is about.

Options:
  --key PUBKEY   the collector's public key (PEM file from 'posture collector signing-key').
                 Without it the key named inside the archive is used, which proves the
                 archive is intact but not who signed it.
  --json         print the result as JSON
  -h, --help     show this help

Exit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable key.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('verify', args, { key: { type: 'string' }, json: { type: 'boolean' } }, true)
    if (values.help) {
      io.stdout.write(`${this.help}\n`)
      return 0
    }
    if (positionals.length !== 1) throw new PostureError('BAD_USAGE', 'usage: posture verify FILE [--key PUBKEY]')
    let publicKeyPem: string | undefined
    if (values.key !== undefined) {
      try {
        publicKeyPem = readFileSync(resolve(io.cwd, values.key), 'utf8')
      } catch (err) {
        throw new PostureError('UNREADABLE', `${values.key}: cannot read the public key (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
      }
    }
    const path = resolve(io.cwd, positionals[0]!)
    const result = await verifyEvidenceArchive(path, { publicKeyPem })
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ok: result.ok, problems: result.problems, key: result.key, files: result.filesChecked, framework: result.manifest?.framework ?? null, window: result.manifest?.window ?? null }, null, 2)}\n`)
      return result.ok ? 0 : 1
    }
    if (result.ok) {
      const m = result.manifest!
      io.stdout.write(`OK ${positionals[0]}: ${m.framework.name} ${m.framework.version}, ${m.window.from} to ${m.window.to}, exported by ${m.exportedBy} at ${m.exportedAt}\n`)
      io.stdout.write(`   ${result.filesChecked - 2} files match manifest.json; signature valid for ${result.key!.fingerprint}\n`)
      if (result.key!.source === 'manifest') io.stdout.write(`   note: checked with the key named inside the archive; pass --key with the collector's public key to prove who signed it\n`)
      return 0
    }
    io.stdout.write(`FAILED ${positionals[0]}: ${result.problems.length} problem(s)\n`)
    for (const p of result.problems) io.stdout.write(`  ${p.file ?? '(archive)'}: ${p.problem}\n`)
    return 1
  },
}
