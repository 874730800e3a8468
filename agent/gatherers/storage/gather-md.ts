import type { MdadmDetail, MdArray, MdFacts } from '../../../rules/facts/storage.js'
import type { Host } from '../../host/host.js'
import { commandStdout, missing, ok, type Evidence } from '../evidence.js'
import { parseMdadmDetail } from './mdadm-detail.js'
import { parseMdstat, type MdstatArray } from './mdstat.js'

type MdSysfs = NonNullable<MdArray['sysfs']>
type DetailResult = { detail: MdadmDetail } | { error: string }

/** /sys/block/mdX/md/ attributes read per array (Documentation/admin-guide/md.rst). */
const sysfsFiles = ['array_state', 'degraded', 'sync_action', 'sync_completed', 'mismatch_cnt'] as const

/**
 * Linux software RAID: /proc/mdstat, then sysfs and `mdadm --detail` per array. No
 * /proc/mdstat means the md driver is not loaded: nothing to check (`absence`), not an error.
 */
export async function gatherMd(host: Host): Promise<Evidence<MdFacts>> {
  const read = await host.readFile('/proc/mdstat')
  if ('error' in read) {
    if (read.error === 'ENOENT') return ok({ absence: 'no /proc/mdstat: the md (Linux software RAID) driver is not loaded', arrays: [], containers: [] })
    return missing(read.message)
  }
  const mdstat = parseMdstat(read.content)
  const arrays = mdstat.arrays.filter((a) => !a.container)
  const [sysfs, details] = await Promise.all([
    Promise.all(arrays.map((a) => readSysfs(host, a.name))),
    readDetails(host, arrays.map((a) => a.name)),
  ])
  return ok(buildMdFacts(mdstat.arrays, sysfs, details))
}

/** Joins mdstat's arrays with their sysfs and mdadm views (same order as `arrays` minus containers). Pure. */
export function buildMdFacts(all: readonly MdstatArray[], sysfs: readonly (MdSysfs | null)[], details: readonly DetailResult[]): MdFacts {
  const containers = all.filter((a) => a.container)
  const arrays = all.filter((a) => !a.container).map((a, i) => toArray(a, sysfs[i] ?? null, details[i] ?? { error: 'not read' }))
  let absence: string | null = null
  if (arrays.length === 0) {
    absence =
      containers.length > 0
        ? `only metadata containers (${containers.map((c) => c.name).join(', ')}) and no member arrays are assembled`
        : 'the md driver is loaded but no arrays are assembled (/proc/mdstat lists none)'
  }
  return {
    absence,
    arrays,
    containers: containers.map((c) => ({ target: `/dev/${c.name}`, name: c.name, metadata: c.metadata ?? 'external', members: c.members.map((m) => m.device) })),
  }
}

function toArray(a: MdstatArray, sysfs: MdSysfs | null, detail: DetailResult): MdArray {
  const d = 'detail' in detail ? detail.detail : null
  const fromSlots = a.slotMap ? [...a.slotMap].filter((c) => c === '_').length : 0
  const fromCounts = a.raidDevices !== null && a.workingDevices !== null ? a.raidDevices - a.workingDevices : 0
  const fromDetail = d?.raidDevices != null && d.activeDevices != null ? d.raidDevices - d.activeDevices : 0
  let sync = a.sync
  // mdstat prints a user-requested repair as "resync"; sysfs sync_action tells them apart.
  if (sync?.action === 'resync' && sysfs?.syncAction === 'repair') sync = { ...sync, action: 'repair' }
  return {
    target: `/dev/${a.name}`,
    name: a.name,
    state: a.state,
    access: a.access,
    level: a.level,
    metadata: a.metadata,
    sizeBlocks: a.sizeBlocks,
    raidDevices: a.raidDevices,
    workingDevices: a.workingDevices,
    slotMap: a.slotMap,
    missingDevices: Math.max(fromSlots, fromCounts, sysfs?.degraded ?? 0, fromDetail),
    members: a.members,
    faultyMembers: a.members.filter((m) => m.role === 'faulty').map((m) => m.device),
    spareMembers: a.members.filter((m) => m.role === 'spare').map((m) => m.device),
    sync,
    sysfs,
    detail: d,
    detailError: 'error' in detail ? detail.error : null,
  }
}

async function readSysfs(host: Host, name: string): Promise<MdSysfs | null> {
  const results = await Promise.all(sysfsFiles.map((f) => host.readFile(`/sys/block/${name}/md/${f}`)))
  const values = Object.fromEntries(
    sysfsFiles.map((f, i) => {
      const result = results[i]!
      return [f, 'content' in result ? result.content : null]
    }),
  )
  return parseMdSysfs(values)
}

/** sysfs attribute texts (null: unreadable or absent, as raid0 has no `degraded`) to values. Null when none was readable. */
export function parseMdSysfs(values: Partial<Record<(typeof sysfsFiles)[number], string | null>>): MdSysfs | null {
  if (Object.values(values).every((v) => v === null || v === undefined)) return null
  const text = (key: (typeof sysfsFiles)[number]) => values[key]?.trim() || null
  const number = (key: (typeof sysfsFiles)[number]) => {
    const value = text(key)
    return value !== null && /^\d+$/.test(value) ? Number(value) : null
  }
  return {
    arrayState: text('array_state'),
    degraded: number('degraded'),
    syncAction: text('sync_action'),
    syncCompleted: text('sync_completed'),
    mismatchCount: number('mismatch_cnt'),
  }
}

/** `mdadm --detail` per array; mdadm is optional, so its absence is a note, not an error. */
async function readDetails(host: Host, names: readonly string[]): Promise<DetailResult[]> {
  return Promise.all(
    names.map(async (name) => {
      const argv = ['mdadm', '--detail', `/dev/${name}`]
      const result = await host.run(argv, { timeoutMs: 10_000 })
      if ('error' in result && result.error === 'ENOENT') return { error: 'mdadm is not installed' }
      const stdout = commandStdout(argv, result)
      if (!stdout.ok) return { error: stdout.reason }
      const detail = parseMdadmDetail(stdout.value)
      return detail ? { detail } : { error: `${argv.join(' ')}: no State line in its output` }
    }),
  )
}
