import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Host } from '../../../../../agent/host/host.js'
import { SnapshotHost } from '../../../../../agent/host/snapshot-host.js'
import { snapshotSchemaId, type Snapshot } from '../../../../../agent/snapshot.js'
import type { CompiledRule } from '../../../../../rules/compile-rule.js'
import { builtinCatalogueDir, loadRuleSet } from '../../../../../rules/load-rules.js'
import { ruleDir } from '../../../../helpers/rules.js'

/** A storage fixture's text (test/fixtures/storage/). */
export function fixture(name: string): string {
  return readFileSync(new URL(`../../../../fixtures/storage/${name}`, import.meta.url), 'utf8')
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixture(name)) as unknown
}

type Recorded = Partial<Pick<Snapshot, 'files' | 'dirs' | 'commands' | 'probes'>>

export const enoent = (what: string) => ({ error: 'ENOENT', message: `${what}: no such file or directory` })
export const notFound = (command: string) => ({ error: 'ENOENT', message: `${command}: command not found` })
export const ran = (stdout: string, exitCode = 0, stderr = '') => ({ stdout, stderr, exitCode })

/**
 * A machine that has nothing storage-related: no md driver, no ZFS, no btrfs mount, no
 * smartctl, no RAID tool, no filesystems worth checking. Tests add what they need on top.
 */
export function bareMachine(): Required<Recorded> {
  return {
    files: {
      '/proc/mdstat': enoent('/proc/mdstat'),
      '/proc/mounts': { content: '/dev/vda / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n' },
    },
    dirs: {
      '/proc/spl': enoent('/proc/spl'),
      '/sys/bus/pci/drivers/megaraid_sas': enoent('/sys/bus/pci/drivers/megaraid_sas'),
    },
    commands: {
      'zpool list -H -p -o name,health,size,allocated,free,capacity': notFound('zpool'),
      'smartctl --scan-open --json': notFound('smartctl'),
      'storcli64 show J': notFound('storcli64'),
      'storcli show J': notFound('storcli'),
      '/opt/MegaRAID/storcli/storcli64 show J': notFound('/opt/MegaRAID/storcli/storcli64'),
      'perccli64 show J': notFound('perccli64'),
      'perccli show J': notFound('perccli'),
      '/opt/MegaRAID/perccli/perccli64 show J': notFound('/opt/MegaRAID/perccli/perccli64'),
      'df -P -T -B1 -l': ran(fixture('df-B1.full-tmpfs.txt')),
      'df -P -T -i -l': ran(fixture('df-i.full-tmpfs.txt')),
    },
    probes: {
      'systeminformation diskLayout': { result: fixtureJson('systeminformation-disklayout.vm.json') },
    },
  }
}

/** A snapshot host replaying `recorded`; `description` pretends to be another kind of host. */
export function snapshotHost(recorded: Recorded, description?: string): Host {
  const snapshot: Snapshot = {
    schema: snapshotSchemaId,
    postureVersion: '0.0.0-test',
    host: { description: 'test' },
    gatheredAt: '2026-01-01T00:00:00.000Z',
    domains: ['storage'],
    files: recorded.files ?? {},
    dirs: recorded.dirs ?? {},
    commands: recorded.commands ?? {},
    probes: recorded.probes ?? {},
  }
  const host: Host = new SnapshotHost(snapshot, 'storage-test.json')
  if (description === undefined) return host
  return {
    description,
    readFile: (path, options) => host.readFile(path, options),
    listDir: (path) => host.listDir(path),
    run: (argv, options) => host.run(argv, options),
    probe: (key, perform) => host.probe(key, perform),
  }
}

/**
 * The built-in storage rules, loaded alone so that these tests do not depend on the other
 * domains' rule files (the catalogue test loads them all together).
 */
export function loadStorageRules(): CompiledRule[] {
  const dir = ruleDir({ 'storage.yaml': readFileSync(join(builtinCatalogueDir(), 'storage.yaml'), 'utf8') })
  return loadRuleSet({ builtin: false, userDirs: [dir] }).rules
}
