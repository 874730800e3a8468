import type { IndexFacts } from '../../../rules/facts/patches.js'
import type { Host } from '../../host/host.js'
import { missing, ok, type Evidence } from '../evidence.js'
import { newestFile, parseStatTimes } from './file-times.js'

/**
 * The package index's age: the newest modification time among `files`, read with
 * `stat -c '%Y %n'` (GNU and BusyBox). No files at all means the index was never
 * downloaded (`updatedAt: null`, source = `emptySource`), which the rule fails.
 */
export async function indexAge(host: Host, files: readonly string[], emptySource: string): Promise<Evidence<IndexFacts>> {
  if (files.length === 0) return ok({ updatedAt: null, source: emptySource })
  const argv = ['stat', '-c', '%Y %n', ...files]
  const result = await host.run(argv, { timeoutMs: 10_000 })
  // stat exits 1 when one of several files vanished; the others are still printed.
  const newest = 'error' in result ? null : newestFile(parseStatTimes(result.stdout))
  if (!newest) return missing(`stat of the package index files failed: ${'error' in result ? result.message : result.stderr.trim().split('\n')[0] || 'no output'}`)
  return ok({ updatedAt: newest.mtime.toISOString(), source: newest.path })
}
