import { z } from 'zod'
import type { SmartAttribute, SmartDisk } from '../../../rules/facts/storage.js'

/**
 * smartctl's JSON output (smartmontools ≥ 7.0, `--json`; fields in host-facts.md 2.4).
 * Only the fields Posture reads; a field of an unexpected type reads as absent.
 */
const num = z.number().optional().catch(undefined)
const str = z.string().optional().catch(undefined)
const bool = z.boolean().optional().catch(undefined)

const messagesSchema = z.array(z.object({ string: z.string(), severity: str })).optional().catch(undefined)

const scanSchema = z.object({
  smartctl: z.object({ exit_status: num, messages: messagesSchema }).optional(),
  devices: z.array(z.object({ name: z.string(), info_name: str, type: str, protocol: str, open_error: str })).optional(),
})

const attributeSchema = z.object({
  id: z.number(),
  name: z.string().catch('Unknown_Attribute'),
  value: num,
  worst: num,
  thresh: num,
  when_failed: str,
  raw: z.object({ value: num }).optional().catch(undefined),
})

const deviceSchema = z.object({
  smartctl: z.object({ exit_status: num, messages: messagesSchema }).optional().catch(undefined),
  device: z.object({ name: str, info_name: str, type: str, protocol: str }).optional().catch(undefined),
  vendor: str,
  product: str,
  model_name: str,
  serial_number: str,
  firmware_version: str,
  user_capacity: z.object({ bytes: num }).optional().catch(undefined),
  smart_status: z.object({ passed: bool }).optional().catch(undefined),
  ata_smart_attributes: z.object({ table: z.array(attributeSchema).catch([]) }).optional().catch(undefined),
  nvme_smart_health_information_log: z
    .object({
      critical_warning: num,
      available_spare: num,
      available_spare_threshold: num,
      percentage_used: num,
      media_errors: num,
      num_err_log_entries: num,
      unsafe_shutdowns: num,
      temperature: num,
      power_on_hours: num,
    })
    .optional()
    .catch(undefined),
  scsi_grown_defect_list: num,
  scsi_error_counter_log: z
    .object({
      read: z.object({ total_uncorrected_errors: num }).optional().catch(undefined),
      write: z.object({ total_uncorrected_errors: num }).optional().catch(undefined),
      verify: z.object({ total_uncorrected_errors: num }).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  scsi_percentage_used_endurance_indicator: num,
  temperature: z.object({ current: num }).optional().catch(undefined),
  power_on_time: z.object({ hours: num }).optional().catch(undefined),
})

export interface ScannedDevice {
  name: string
  type: string | null
  protocol: string | null
  openError: string | null
}

/** `smartctl --scan-open --json`: `devices[]` with `open_error` where opening failed. Null when not that shape. */
export function parseSmartctlScan(json: unknown): ScannedDevice[] | null {
  const parsed = scanSchema.safeParse(json)
  if (!parsed.success || parsed.data.smartctl === undefined) return null
  return (parsed.data.devices ?? []).map((d) => ({ name: d.name, type: d.type ?? null, protocol: d.protocol ?? null, openError: d.open_error ?? null }))
}

/** The finding target of a scanned device: its path, plus the `-d` type when it addresses one disk of several (`megaraid,3`). */
export function diskTarget(name: string, type: string | null): string {
  return type !== null && type.includes(',') ? `${name} ${type}` : name
}

/** A RAID controller's logical volume: smartctl tells the operator to address its member disks instead. */
export function raidVolumeReason(text: string): string | null {
  return /please try adding '-d|megaraid/i.test(text) ? text : null
}

// smartctl(8), RETURN VALUES: bits 0-1 mean smartctl could not read the device at all.
const exitBits = { commandLine: 1, openFailed: 2, diskFailing: 8, prefailNow: 16, thresholdPast: 32, errorLog: 64, selfTestLog: 128 }

// NVMe Base Specification, SMART / Health Information log, byte 0 (Critical Warning).
const criticalWarningBits: [number, string][] = [
  [0x01, 'available spare below threshold'],
  [0x02, 'temperature outside its limits'],
  [0x04, 'reliability degraded by media or internal errors'],
  [0x08, 'media placed in read-only mode'],
  [0x10, 'volatile memory backup failed'],
  [0x20, 'persistent memory region read-only'],
]

// ATA attributes that count bad media (Backblaze, "What SMART Stats Tell Us About Hard Drives", 2016; host-facts.md 2.4).
const reallocated = 5
const reportedUncorrect = 187
const pending = 197
const offlineUncorrectable = 198
const crcErrors = 199

export type SmartParse = { disk: SmartDisk } | { raidVolume: { device: string; reason: string } }

/**
 * One device's `smartctl --json -a` output as a disk fact. smartctl exits non-zero for
 * answers too (its exit status is a bit mask), so the JSON is read whatever the exit
 * code; a disk whose health smartctl could not read carries `error` with its messages.
 */
export function parseSmartctlDevice(json: unknown, scanned: { name: string; type: string | null }, source: SmartDisk['source']): SmartParse {
  const parsed = deviceSchema.safeParse(json)
  const base = emptyDisk(scanned, source)
  if (!parsed.success) return { disk: { ...base, error: `unexpected smartctl JSON: ${parsed.error.issues[0]?.message ?? 'invalid'}` } }
  const data = parsed.data
  const messages = (data.smartctl?.messages ?? []).map((m) => m.string)
  const exitStatus = data.smartctl?.exit_status ?? null
  const bits = exitStatus ?? 0
  const passed = data.smart_status?.passed ?? null
  const raidHint = messages.map(raidVolumeReason).find((r) => r !== null)
  if (passed === null && raidHint) return { raidVolume: { device: base.target, reason: raidHint } }
  if (passed === null && isRaidLogicalVolume(data.vendor, data.product ?? data.model_name)) {
    return { raidVolume: { device: base.target, reason: `logical volume of a RAID controller (${[data.vendor, data.product].filter(Boolean).join(' ')}): read its member disks` } }
  }

  const attributes = (data.ata_smart_attributes?.table ?? []).map(
    (a): SmartAttribute => ({ id: a.id, name: a.name, value: a.value ?? null, worst: a.worst ?? null, thresh: a.thresh ?? null, whenFailed: a.when_failed ?? '', raw: a.raw?.value ?? null }),
  )
  const raw = (id: number) => attributes.find((a) => a.id === id)?.raw ?? null
  const nvmeLog = data.nvme_smart_health_information_log
  const scsiLog = data.scsi_error_counter_log
  const isScsi = data.scsi_grown_defect_list !== undefined || scsiLog !== undefined
  const disk: SmartDisk = {
    ...base,
    protocol: data.device?.protocol ?? base.protocol,
    model: data.model_name ?? ([data.vendor, data.product].filter(Boolean).join(' ') || null),
    serial: data.serial_number ?? null,
    firmware: data.firmware_version ?? null,
    capacityBytes: data.user_capacity?.bytes ?? null,
    exitStatus,
    smartPassed: passed,
    diskFailing: (bits & exitBits.diskFailing) !== 0,
    prefailNow: (bits & exitBits.prefailNow) !== 0,
    thresholdPast: (bits & exitBits.thresholdPast) !== 0,
    errorLogErrors: (bits & exitBits.errorLog) !== 0,
    selfTestErrors: (bits & exitBits.selfTestLog) !== 0,
    temperatureC: data.temperature?.current ?? nvmeLog?.temperature ?? null,
    powerOnHours: data.power_on_time?.hours ?? nvmeLog?.power_on_hours ?? null,
    failingAttributes: attributes.filter((a) => a.whenFailed !== ''),
    sectorCounters: [],
    ata: attributes.length === 0 ? null : {
      reallocatedSectors: raw(reallocated),
      pendingSectors: raw(pending),
      offlineUncorrectable: raw(offlineUncorrectable),
      reportedUncorrectable: raw(reportedUncorrect),
      crcErrors: raw(crcErrors),
    },
    nvme: nvmeLog === undefined || nvmeLog.critical_warning === undefined ? null : {
      criticalWarning: nvmeLog.critical_warning,
      criticalWarnings: criticalWarningBits.filter(([bit]) => (nvmeLog.critical_warning! & bit) !== 0).map(([, text]) => text),
      availableSpare: nvmeLog.available_spare ?? null,
      availableSpareThreshold: nvmeLog.available_spare_threshold ?? null,
      percentageUsed: nvmeLog.percentage_used ?? null,
      mediaErrors: nvmeLog.media_errors ?? null,
      errorLogEntries: nvmeLog.num_err_log_entries ?? null,
      unsafeShutdowns: nvmeLog.unsafe_shutdowns ?? null,
    },
    scsi: !isScsi ? null : {
      grownDefects: data.scsi_grown_defect_list ?? null,
      uncorrectedReadErrors: scsiLog?.read?.total_uncorrected_errors ?? null,
      uncorrectedWriteErrors: scsiLog?.write?.total_uncorrected_errors ?? null,
      uncorrectedVerifyErrors: scsiLog?.verify?.total_uncorrected_errors ?? null,
      percentageUsed: data.scsi_percentage_used_endurance_indicator ?? null,
    },
    messages,
  }
  disk.sectorCounters = sectorCounters(disk)
  const unreadable = (bits & (exitBits.commandLine | exitBits.openFailed)) !== 0 || passed === null
  if (!unreadable) return { disk }
  const why = messages.length > 0 ? messages.join('; ') : `smartctl exit status ${exitStatus ?? 'unknown'}`
  return { disk: { ...disk, error: `SMART health of ${base.target} could not be read: ${why}` } }
}

/** Bad-media counters the drive reports, named for the operator: ATA 5/197/198, NVMe media errors, SCSI defects. */
function sectorCounters(disk: SmartDisk): SmartDisk['sectorCounters'] {
  const counters: SmartDisk['sectorCounters'] = []
  const add = (name: string, value: number | null | undefined) => {
    if (value !== null && value !== undefined) counters.push({ name, value })
  }
  add('Reallocated_Sector_Ct (5)', disk.ata?.reallocatedSectors)
  add('Current_Pending_Sector (197)', disk.ata?.pendingSectors)
  add('Offline_Uncorrectable (198)', disk.ata?.offlineUncorrectable)
  add('media_errors', disk.nvme?.mediaErrors)
  add('grown defect list', disk.scsi?.grownDefects)
  add('uncorrected read errors', disk.scsi?.uncorrectedReadErrors)
  add('uncorrected write errors', disk.scsi?.uncorrectedWriteErrors)
  add('uncorrected verify errors', disk.scsi?.uncorrectedVerifyErrors)
  return counters
}

/** SCSI inquiry strings of RAID controllers' logical volumes (MegaRAID, PERC, HP Smart Array, Adaptec). */
function isRaidLogicalVolume(vendor: string | undefined, product: string | undefined): boolean {
  if (!vendor || !product) return false
  return /^(LSI|AVAGO|BROADCOM|DELL|HP|HPE|COMPAQ|ADAPTEC|IBM|INTEL|MegaRAID)\b/i.test(vendor.trim()) && /^(MR\d|PERC|LOGICAL VOLUME|MegaRAID|ServeRAID|RAID|Virtual Disk)/i.test(product.trim())
}

export function emptyDisk(scanned: { name: string; type: string | null; protocol?: string | null }, source: SmartDisk['source']): SmartDisk {
  return {
    target: diskTarget(scanned.name, scanned.type),
    device: scanned.name,
    type: scanned.type,
    protocol: scanned.protocol ?? null,
    model: null,
    serial: null,
    firmware: null,
    capacityBytes: null,
    source,
    exitStatus: null,
    smartPassed: null,
    diskFailing: false,
    prefailNow: false,
    thresholdPast: false,
    errorLogErrors: false,
    selfTestErrors: false,
    temperatureC: null,
    powerOnHours: null,
    failingAttributes: [],
    sectorCounters: [],
    ata: null,
    nvme: null,
    scsi: null,
    messages: [],
  }
}
