import { z } from 'zod'

/**
 * Storage health of the node: software RAID (md), ZFS, btrfs, hardware RAID, disks'
 * SMART data and filesystem fill. Gathered by agent/gatherers/storage; formats and
 * pass/fail criteria in shared/reference/host-facts.md part 2.
 *
 * Each technology section carries `absence`: why its list is empty (the driver is not
 * loaded, the tool is not installed, nothing is configured), shown in `na` findings. A
 * technology that is present but could not be read is not a section at all: its reason is
 * in the fact errors (`storage.md`, `storage.smart`, …) and its rules report `error`.
 */

const count = z.number()
/** Why there is nothing of this kind to check (null when the list has entries). */
const absence = z.string().nullable()

// ── Linux md ──────────────────────────────────────────────────────────────────────────

export const mdMemberSchema = z.object({
  /** Kernel device name, e.g. `sdb2`. */
  device: z.string(),
  /** The `[n]` after the device in /proc/mdstat (md's descriptor number). */
  number: count,
  /** `faulty` (F), `spare` (S), `journal` (J), else `active` (in the array or rebuilding into it). */
  role: z.enum(['active', 'faulty', 'spare', 'journal']),
  writeMostly: z.boolean(),
  replacement: z.boolean(),
})
export type MdMember = z.infer<typeof mdMemberSchema>

export const mdSyncSchema = z.object({
  /** What md is doing: `recovery` (rebuilding onto a new disk), `resync`, `reshape`, `check` or `repair` (scrubs). */
  action: z.enum(['resync', 'recovery', 'reshape', 'check', 'repair']),
  /** `running` with progress, or waiting: `delayed` (another array on the same disks syncs first), `pending` (auto-read-only), `remote` (cluster md). */
  status: z.enum(['running', 'delayed', 'pending', 'remote']),
  progressPercent: count.nullable(),
  doneBlocks: count.nullable(),
  totalBlocks: count.nullable(),
  finishMinutes: count.nullable(),
  speedKiBPerSecond: count.nullable(),
})
export type MdSync = z.infer<typeof mdSyncSchema>

export const mdSysfsSchema = z.object({
  arrayState: z.string().nullable(),
  degraded: count.nullable(),
  syncAction: z.string().nullable(),
  syncCompleted: z.string().nullable(),
  mismatchCount: count.nullable(),
})

export const mdadmDetailSchema = z.object({
  /** The `State :` words, e.g. `['clean', 'degraded', 'recovering']`. */
  state: z.array(z.string()),
  raidDevices: count.nullable(),
  activeDevices: count.nullable(),
  workingDevices: count.nullable(),
  failedDevices: count.nullable(),
  spareDevices: count.nullable(),
  /** `Rebuild Status` / `Resync Status` / `Reshape Status` / `Check Status`, in percent. */
  syncPercent: count.nullable(),
  uuid: z.string().nullable(),
  /** The device table: `{ device: '/dev/vda2', state: ['faulty', 'failfast'], raidDevice: null }`; `removed` slots have no device. */
  devices: z.array(z.object({ device: z.string().nullable(), raidDevice: count.nullable(), state: z.array(z.string()) })),
})
export type MdadmDetail = z.infer<typeof mdadmDetailSchema>

export const mdArraySchema = z.object({
  /** `/dev/md0`. */
  target: z.string(),
  name: z.string(),
  /** Word 3 of the mdstat line: `active`, `inactive`, `broken` (newer kernels: raid0/linear lost a member). */
  state: z.string(),
  access: z.enum(['read-write', 'read-only', 'auto-read-only']),
  /** `raid1`, `raid5`, … (null for an inactive array whose personality is not loaded). */
  level: z.string().nullable(),
  /** `1.2`, or `external:/md127/0` for a member of an IMSM/DDF container. */
  metadata: z.string().nullable(),
  sizeBlocks: count.nullable(),
  /** `[n/m]`: devices the array should have, and has working. Null for raid0/linear. */
  raidDevices: count.nullable(),
  workingDevices: count.nullable(),
  /** `[UU_]` without brackets: one letter per slot, `_` is a missing device. */
  slotMap: z.string().nullable(),
  /** Redundancy lost: the most of mdstat's `_` slots, sysfs `degraded` and mdadm's raid − active devices. */
  missingDevices: count,
  members: z.array(mdMemberSchema),
  faultyMembers: z.array(z.string()),
  spareMembers: z.array(z.string()),
  sync: mdSyncSchema.nullable(),
  /** /sys/block/mdX/md/*, when readable. */
  sysfs: mdSysfsSchema.nullable(),
  /** `mdadm --detail`, when mdadm is installed and permitted; `detailError` says why not. */
  detail: mdadmDetailSchema.nullable(),
  detailError: z.string().nullable(),
})
export type MdArray = z.infer<typeof mdArraySchema>

/** An IMSM/DDF metadata container (`super external:imsm`): holds member arrays, is itself never "active". */
export const mdContainerSchema = z.object({
  target: z.string(),
  name: z.string(),
  metadata: z.string(),
  members: z.array(z.string()),
})

export const mdFactsSchema = z.object({
  absence,
  arrays: z.array(mdArraySchema),
  containers: z.array(mdContainerSchema),
})
export type MdFacts = z.infer<typeof mdFactsSchema>

// ── ZFS ───────────────────────────────────────────────────────────────────────────────

export const zfsDeviceSchema = z.object({
  name: z.string(),
  /** ONLINE, DEGRADED, FAULTED, OFFLINE, REMOVED, UNAVAIL; spares AVAIL / INUSE. */
  state: z.string(),
  /** READ / WRITE / CKSUM error counters (null for spares, which have none). */
  read: count.nullable(),
  write: count.nullable(),
  cksum: count.nullable(),
  /** Text after the counters, e.g. `cannot open`, `insufficient replicas`. */
  note: z.string().nullable(),
  /** Nesting below the pool row (0 = the pool itself). */
  depth: count,
  /** `data` (the pool's vdevs) or the section it is listed under: logs, cache, spares, special, dedup. */
  section: z.string(),
})
export type ZfsDevice = z.infer<typeof zfsDeviceSchema>

export const zfsScanSchema = z.object({
  /** `scrub`, `resilver`, or null for `none requested`. */
  function: z.enum(['scrub', 'resilver']).nullable(),
  state: z.enum(['finished', 'in-progress', 'canceled', 'paused', 'none']),
  /** When it finished (or was canceled), or started (in progress, paused); ISO 8601, read as UTC. */
  at: z.string().nullable(),
  errors: count.nullable(),
  progressPercent: count.nullable(),
  text: z.string(),
})
export type ZfsScan = z.infer<typeof zfsScanSchema>

export const zfsPoolSchema = z.object({
  target: z.string(),
  name: z.string(),
  /** `zpool list` health: ONLINE, DEGRADED, FAULTED, OFFLINE, REMOVED, UNAVAIL, SUSPENDED. */
  health: z.string(),
  sizeBytes: count.nullable(),
  allocatedBytes: count.nullable(),
  freeBytes: count.nullable(),
  capacityPercent: count.nullable(),
  /** `status:` and `action:` texts of `zpool status`, when present. */
  status: z.string().nullable(),
  action: z.string().nullable(),
  /** The `errors:` line. */
  errors: z.string().nullable(),
  /** Anything but `No known data errors`: ZFS found data it could not repair. */
  dataErrors: z.boolean(),
  devices: z.array(zfsDeviceSchema),
  scan: zfsScanSchema.nullable(),
  /** When the last completed scrub finished (null: none on record, canceled, or a resilver since). */
  lastScrubAt: z.string().nullable(),
  scrubInProgress: z.boolean(),
  error: z.string().optional(),
})
export type ZfsPool = z.infer<typeof zfsPoolSchema>

export const zfsFactsSchema = z.object({ absence, pools: z.array(zfsPoolSchema) })
export type ZfsFacts = z.infer<typeof zfsFactsSchema>

// ── btrfs ─────────────────────────────────────────────────────────────────────────────

export const btrfsDeviceStatsSchema = z.object({
  device: z.string(),
  writeIoErrs: count,
  readIoErrs: count,
  flushIoErrs: count,
  corruptionErrs: count,
  generationErrs: count,
})
export type BtrfsDeviceStats = z.infer<typeof btrfsDeviceStatsSchema>

export const btrfsFilesystemSchema = z.object({
  /** The mount point stats were read through. */
  target: z.string(),
  mountPoint: z.string(),
  source: z.string(),
  /** Every mount point of this filesystem (subvolumes mounted apart). */
  mountPoints: z.array(z.string()),
  devices: z.array(btrfsDeviceStatsSchema),
  /** `btrfs filesystem show` printed `*** Some devices missing`. */
  missingDevices: z.boolean(),
  /** Exit code of `btrfs device stats --check`: 64 when a counter is not zero. */
  checkExitCode: count.nullable(),
  error: z.string().optional(),
})
export type BtrfsFilesystem = z.infer<typeof btrfsFilesystemSchema>

export const btrfsFactsSchema = z.object({ absence, filesystems: z.array(btrfsFilesystemSchema) })
export type BtrfsFacts = z.infer<typeof btrfsFactsSchema>

// ── Disks (SMART) ─────────────────────────────────────────────────────────────────────

export const smartAttributeSchema = z.object({
  id: count,
  name: z.string(),
  value: count.nullable(),
  worst: count.nullable(),
  thresh: count.nullable(),
  /** `now` or `past` when the normalised value fell to its threshold; `` otherwise. */
  whenFailed: z.string(),
  raw: count.nullable(),
})
export type SmartAttribute = z.infer<typeof smartAttributeSchema>

export const smartDiskSchema = z.object({
  /** `/dev/sda`, or `/dev/bus/0 megaraid,3` for a disk behind a RAID controller. */
  target: z.string(),
  device: z.string(),
  /** smartctl `-d` type: sat, nvme, scsi, sat+megaraid,0, … */
  type: z.string().nullable(),
  protocol: z.string().nullable(),
  model: z.string().nullable(),
  serial: z.string().nullable(),
  firmware: z.string().nullable(),
  capacityBytes: count.nullable(),
  /** Who read it: smartctl directly, or systeminformation's diskLayout() where smartctl is missing. */
  source: z.enum(['smartctl', 'systeminformation']),
  /** smartctl's exit status bit mask (smartctl(8), RETURN VALUES). */
  exitStatus: count.nullable(),
  /** `smart_status.passed`: the drive's own overall verdict. */
  smartPassed: z.boolean().nullable(),
  /** Exit bit 3: SMART status "DISK FAILING". */
  diskFailing: z.boolean(),
  /** Exit bit 4: a pre-failure attribute is at or below its threshold now. */
  prefailNow: z.boolean(),
  /** Exit bit 5: an attribute was at or below its threshold in the past. */
  thresholdPast: z.boolean(),
  /** Exit bits 6 and 7: the device error log / self-test log holds errors. */
  errorLogErrors: z.boolean(),
  selfTestErrors: z.boolean(),
  temperatureC: count.nullable(),
  powerOnHours: count.nullable(),
  /** ATA attributes whose `when_failed` is set. */
  failingAttributes: z.array(smartAttributeSchema),
  /** Counters of bad media, uniform across protocols: ATA 5/197/198, NVMe media errors, SCSI grown defects and uncorrected errors. */
  sectorCounters: z.array(z.object({ name: z.string(), value: count })),
  ata: z
    .object({
      reallocatedSectors: count.nullable(),
      pendingSectors: count.nullable(),
      offlineUncorrectable: count.nullable(),
      reportedUncorrectable: count.nullable(),
      crcErrors: count.nullable(),
    })
    .nullable(),
  nvme: z
    .object({
      criticalWarning: count,
      /** `critical_warning` bits spelled out (NVMe base spec, SMART / Health log byte 0). */
      criticalWarnings: z.array(z.string()),
      availableSpare: count.nullable(),
      availableSpareThreshold: count.nullable(),
      percentageUsed: count.nullable(),
      mediaErrors: count.nullable(),
      errorLogEntries: count.nullable(),
      unsafeShutdowns: count.nullable(),
    })
    .nullable(),
  scsi: z
    .object({
      grownDefects: count.nullable(),
      uncorrectedReadErrors: count.nullable(),
      uncorrectedWriteErrors: count.nullable(),
      uncorrectedVerifyErrors: count.nullable(),
      percentageUsed: count.nullable(),
    })
    .nullable(),
  /** smartctl's own messages (warnings, errors). */
  messages: z.array(z.string()),
  error: z.string().optional(),
})
export type SmartDisk = z.infer<typeof smartDiskSchema>

export const smartFactsSchema = z.object({
  absence,
  disks: z.array(smartDiskSchema),
  /** Logical volumes of a RAID controller that smartctl cannot read (their disks are read with `-d megaraid,N`, or through storcli). */
  raidVolumes: z.array(z.object({ device: z.string(), reason: z.string() })),
})
export type SmartFacts = z.infer<typeof smartFactsSchema>

// ── Hardware RAID (storcli / perccli) ─────────────────────────────────────────────────

export const hwRaidControllerSchema = z.object({
  /** `/c0`, as storcli names the controller. */
  target: z.string(),
  controller: count,
  model: z.string().nullable(),
  serial: z.string().nullable(),
  /** `Status.Controller Status` of `show all`: Optimal, Degraded, Failed (OK on HBAs). Null when not reported. */
  status: z.string().nullable(),
  virtualDrives: z.array(z.object({ id: z.string(), type: z.string().nullable(), state: z.string(), name: z.string().nullable(), size: z.string().nullable() })),
  physicalDrives: z.array(
    z.object({
      /** `EID:Slt`, e.g. `252:3`. */
      slot: z.string(),
      did: count.nullable(),
      state: z.string(),
      driveGroup: z.string().nullable(),
      size: z.string().nullable(),
      interface: z.string().nullable(),
      media: z.string().nullable(),
      model: z.string().nullable(),
    }),
  ),
  /** CacheVault / BBU modules and their state. */
  cacheProtection: z.array(z.object({ kind: z.enum(['cachevault', 'bbu']), model: z.string().nullable(), state: z.string() })),
  error: z.string().optional(),
})
export type HwRaidController = z.infer<typeof hwRaidControllerSchema>

export const hwRaidFactsSchema = z.object({
  absence,
  /** The tool that answered: storcli64, storcli, perccli64, … */
  tool: z.string().nullable(),
  controllers: z.array(hwRaidControllerSchema),
})
export type HwRaidFacts = z.infer<typeof hwRaidFactsSchema>

// ── Filesystems ───────────────────────────────────────────────────────────────────────

export const filesystemSpaceSchema = z.object({
  /** The mount point. */
  target: z.string(),
  mountPoint: z.string(),
  source: z.string(),
  type: z.string(),
  sizeBytes: count,
  usedBytes: count,
  availableBytes: count,
  /** used / (used + available) × 100, as df computes its Use% (space reserved for root excluded). */
  usedPercent: count,
})
export type FilesystemSpace = z.infer<typeof filesystemSpaceSchema>

export const filesystemInodesSchema = z.object({
  target: z.string(),
  mountPoint: z.string(),
  source: z.string(),
  type: z.string(),
  /** 0 for filesystems that allocate inodes dynamically (btrfs, ZFS). */
  total: count,
  used: count,
  free: count,
  usedPercent: count.nullable(),
})
export type FilesystemInodes = z.infer<typeof filesystemInodesSchema>

export const storageFactsSchema = z.object({
  md: mdFactsSchema.optional(),
  zfs: zfsFactsSchema.optional(),
  btrfs: btrfsFactsSchema.optional(),
  smart: smartFactsSchema.optional(),
  hwraid: hwRaidFactsSchema.optional(),
  /** Local, non-pseudo filesystems (`df -P -T -B1 -l`). */
  filesystems: z.array(filesystemSpaceSchema).optional(),
  /** The same filesystems' inode tables (`df -P -T -i -l`). */
  inodes: z.array(filesystemInodesSchema).optional(),
})
export type StorageFacts = z.infer<typeof storageFactsSchema>
