import type { FilesystemInodes, FilesystemSpace } from '../../../rules/facts/storage.js'

/** One row of `df -P -T …`: numbers are bytes (`-B1`) or inodes (`-i`); null for `-`. */
export interface DfRow {
  source: string
  type: string
  total: number | null
  used: number | null
  available: number | null
  mountPoint: string
}

// POSIX df output (`-P`): one line per filesystem, the mount point last (it may hold spaces).
const rowPattern = /^(\S+)\s+(\S+)\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)\s+(?:\d+%|-)\s+(.+)$/

/** Parses `df -P -T -B1` or `df -P -T -i` (GNU coreutils, BusyBox): header first. */
export function parseDf(text: string): DfRow[] {
  return text
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const match = rowPattern.exec(line.trim())
      if (!match) return []
      const n = (i: number) => (match[i] === '-' ? null : Number(match[i]))
      return [{ source: match[1]!, type: match[2]!, total: n(3), used: n(4), available: n(5), mountPoint: match[6]! }]
    })
}

/**
 * Pseudo and read-only image filesystems never fill in a way an operator fixes: the types
 * and mount points node_exporter's filesystem collector ignores by default
 * (collector/filesystem_linux.go, defFSTypesExcluded / defMountPointsExcluded), plus erofs
 * and efivarfs. Remote filesystems are checked on their server.
 */
const excludedTypes = new Set([
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs', 'fusectl',
  'hugetlbfs', 'iso9660', 'mqueue', 'nsfs', 'overlay', 'proc', 'procfs', 'pstore', 'rpc_pipefs', 'securityfs',
  'selinuxfs', 'squashfs', 'sysfs', 'tracefs', 'erofs', 'efivarfs', 'ramfs', 'fuse.lxcfs', 'fuse.snapfuse',
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'ceph', 'glusterfs', 'fuse.sshfs', '9p', 'afs', 'lustre',
])
const excludedMountPoints = /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/

export function isCheckedFilesystem(row: Pick<DfRow, 'type' | 'mountPoint'>): boolean {
  return !excludedTypes.has(row.type) && !excludedMountPoints.test(row.mountPoint)
}

/** Space facts from `df -B1` rows; Use% as df computes it: used / (used + available), root's reserve excluded. */
export function filesystemSpace(rows: readonly DfRow[]): FilesystemSpace[] {
  return rows.filter(isCheckedFilesystem).flatMap((row) => {
    if (row.total === null || row.used === null || row.available === null || row.total === 0 || row.used + row.available === 0) return []
    return [{
      target: row.mountPoint,
      mountPoint: row.mountPoint,
      source: row.source,
      type: row.type,
      sizeBytes: row.total,
      usedBytes: row.used,
      availableBytes: row.available,
      usedPercent: round2((row.used * 100) / (row.used + row.available)),
    }]
  })
}

/** Inode facts from `df -i` rows; filesystems without a fixed inode table report 0 (usedPercent null). */
export function filesystemInodes(rows: readonly DfRow[]): FilesystemInodes[] {
  return rows.filter(isCheckedFilesystem).map((row) => {
    const total = row.total ?? 0
    const used = row.used ?? 0
    const free = row.available ?? 0
    return {
      target: row.mountPoint,
      mountPoint: row.mountPoint,
      source: row.source,
      type: row.type,
      total,
      used,
      free,
      usedPercent: total > 0 && used + free > 0 ? round2((used * 100) / (used + free)) : null,
    }
  })
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
