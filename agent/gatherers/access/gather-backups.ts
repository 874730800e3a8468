import type { BackupSourceFacts } from '../../../rules/facts/access.js'
import type { Host } from '../../host/host.js'
import { commandStdout } from '../evidence.js'
import type { BackupSourceConfig } from './access-config.js'
import { parseBorgList, parseResticSnapshots, parseStatLines, planGlob, type BackupListing } from './backup-listing.js'

type SourceFacts = BackupSourceFacts | { target: string; error: string }

/** Repository tools can be slow (remote repositories, cold caches). */
const repositoryTimeoutMs = 120_000

/**
 * The newest backup of each configured source. Passwords never pass through Posture:
 * restic gets `--password-file PATH` or reads its own environment variables; borg gets
 * `BORG_PASSCOMMAND="cat PATH"` (a path, not the secret) or its own environment.
 */
export async function gatherBackups(host: Host, sources: readonly BackupSourceConfig[]): Promise<SourceFacts[]> {
  return Promise.all(sources.map((source) => gatherSource(host, source)))
}

async function gatherSource(host: Host, source: BackupSourceConfig): Promise<SourceFacts> {
  const location = locationOf(source)
  const target = source.name ?? location
  const listing = await listBackups(host, source)
  if ('failed' in listing) return { target, error: listing.failed }
  return { target, kind: source.kind, location, newest: listing.newest, count: listing.count, maxAgeHours: source.maxAgeHours }
}

function locationOf(source: BackupSourceConfig): string {
  switch (source.kind) {
    case 'files':
      return source.glob
    case 'restic':
      return source.repository ?? `repository file ${source.repositoryFile}`
    case 'borg':
      return source.repository
  }
}

async function listBackups(host: Host, source: BackupSourceConfig): Promise<BackupListing | { failed: string }> {
  switch (source.kind) {
    case 'files':
      return listFiles(host, source.glob)
    case 'restic': {
      const argv = [
        'restic',
        ...(source.repository ? ['--repo', source.repository] : ['--repository-file', source.repositoryFile!]),
        ...(source.passwordFile ? ['--password-file', source.passwordFile] : []),
        '--no-lock',
        'snapshots',
        '--json',
        ...(source.host ? ['--host', source.host] : []),
      ]
      return parsed(argv, await host.run(argv, { timeoutMs: repositoryTimeoutMs }), parseResticSnapshots)
    }
    case 'borg': {
      const argv = ['borg', 'list', '--json', source.repository]
      const env: Record<string, string> = {
        // Borg 1.x prints archive times in local time without a zone: make local time UTC.
        TZ: 'UTC',
        // Never wait for an answer nobody can give.
        BORG_RELOCATED_REPO_ACCESS_IS_OK: 'no',
        BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'no',
      }
      if (source.passphraseFile) env.BORG_PASSCOMMAND = `cat ${shellQuote(source.passphraseFile)}`
      return parsed(argv, await host.run(argv, { timeoutMs: repositoryTimeoutMs, env }), parseBorgList)
    }
  }
}

/**
 * Modification times of the files matching `glob`, via `find BASE -path GLOB` (bounded in
 * depth) running `stat -c '%Y %n'` — both in GNU and busybox userlands. A missing base
 * directory means no backup, not an error.
 */
async function listFiles(host: Host, glob: string): Promise<BackupListing | { failed: string }> {
  const plan = planGlob(glob)
  const argv = plan
    ? ['find', plan.base, ...(plan.depth === null ? [] : ['-mindepth', String(plan.depth), '-maxdepth', String(plan.depth)]), ...pathTests(glob), '-exec', 'stat', '-c', '%Y %n', '{}', '+']
    : ['stat', '-c', '%Y %n', glob]
  const result = await host.run(argv, { timeoutMs: 30_000 })
  if (!('error' in result) && result.exitCode !== 0 && result.stdout.trim() === '' && /No such file or directory/.test(result.stderr)) {
    return { newest: null, count: 0 }
  }
  // find exits 1 when some directory below could not be read, yet lists what it could.
  const text = commandStdout(argv, result, plan ? [0, 1] : [0])
  if (!text.ok) return { failed: text.reason }
  return parseStatLines(text.value)
}

/**
 * `find -path` tests for a glob. find's `*` matches `/` too, so a `**` segment already
 * means "one or more directories"; globstar's "zero or more" adds the pattern without it.
 */
function pathTests(glob: string): string[] {
  if (!glob.includes('/**/')) return ['-path', glob]
  return ['(', '-path', glob, '-o', '-path', glob.replaceAll('/**/', '/'), ')']
}

function parsed(argv: readonly string[], result: Awaited<ReturnType<Host['run']>>, parse: (json: string) => BackupListing): BackupListing | { failed: string } {
  const text = commandStdout(argv, result)
  if (!text.ok) return { failed: text.reason }
  try {
    return parse(text.value)
  } catch (err) {
    return { failed: `${argv[0]}: unexpected output (${(err as Error).message})` }
  }
}

/** Single-quotes a path for BORG_PASSCOMMAND, which borg splits like a shell. */
function shellQuote(path: string): string {
  return `'${path.replaceAll("'", "'\\''")}'`
}
