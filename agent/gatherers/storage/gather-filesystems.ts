import type { FilesystemInodes, FilesystemSpace } from '../../../rules/facts/storage.js'
import type { CommandResult, Host } from '../../host/host.js'
import { missing, ok, type Evidence } from '../evidence.js'
import { firstLine } from './command-output.js'
import { filesystemInodes, filesystemSpace, parseDf, type DfRow } from './df.js'

/**
 * Fill of local filesystems: `df -P -T -B1 -l` (bytes) and `df -P -T -i -l` (inodes).
 * `-l` keeps df off network mounts, which hang when their server is gone; BusyBox df has
 * no `-l`, so on "invalid option" it runs again without it (remote types are then dropped
 * by type). df exits 1 when it could not stat some mount but still prints the others.
 */
export async function gatherFilesystems(host: Host): Promise<{ space: Evidence<FilesystemSpace[]>; inodes: Evidence<FilesystemInodes[]> }> {
  const [space, inodes] = await Promise.all([runDf(host, '-B1'), runDf(host, '-i')])
  return {
    space: space.ok ? ok(filesystemSpace(space.value)) : space,
    inodes: inodes.ok ? ok(filesystemInodes(inodes.value)) : inodes,
  }
}

async function runDf(host: Host, unit: '-B1' | '-i'): Promise<Evidence<DfRow[]>> {
  const local = ['df', '-P', '-T', unit, '-l']
  let argv = local
  let result = await host.run(argv, { timeoutMs: 20_000 })
  if ('exitCode' in result && result.exitCode !== 0 && /invalid option|unrecognized option|usage/i.test(result.stderr)) {
    argv = ['df', '-P', '-T', unit]
    result = await host.run(argv, { timeoutMs: 20_000 })
  }
  return dfRows(argv, result)
}

function dfRows(argv: readonly string[], result: CommandResult): Evidence<DfRow[]> {
  if ('error' in result) return missing(result.message)
  const rows = parseDf(result.stdout)
  if (rows.length === 0) return missing(`${argv.join(' ')} exited ${result.exitCode} listing no filesystem: ${firstLine(result.stderr || result.stdout)}`)
  return ok(rows)
}
