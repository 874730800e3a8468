import { z } from 'zod'
import type { SmartDisk } from '../../../rules/facts/storage.js'
import { emptyDisk, parseSmartctlDevice } from './smartctl.js'

/**
 * systeminformation's `diskLayout()` (v5, lib/filesystem.js; host-facts.md 2.7): lsblk plus,
 * when smartctl runs, its JSON as `smartData` and `smartStatus` `Ok` / `Predicted Failure`
 * (`unknown` without smartctl or root). Used only where smartctl itself is missing.
 */
const diskLayoutSchema = z.array(
  z.object({
    device: z.string(),
    type: z.string().optional().catch(undefined),
    name: z.string().optional().catch(undefined),
    vendor: z.string().optional().catch(undefined),
    size: z.number().optional().catch(undefined),
    serialNum: z.string().optional().catch(undefined),
    firmwareRevision: z.string().optional().catch(undefined),
    interfaceType: z.string().optional().catch(undefined),
    smartStatus: z.string().optional().catch(undefined),
    temperature: z.number().nullable().optional().catch(undefined),
    smartData: z.unknown().optional(),
  }),
)

/**
 * Disk facts from a diskLayout() result. `unreadableReason` is why SMART could not be read
 * directly (smartctl missing); a disk systeminformation has no verdict for carries it as `error`.
 * Null when the value is not a diskLayout() result.
 */
export function parseDiskLayout(json: unknown, unreadableReason: string): SmartDisk[] | null {
  const parsed = diskLayoutSchema.safeParse(json)
  if (!parsed.success) return null
  return parsed.data.map((entry) => {
    if (entry.smartData !== undefined && entry.smartData !== null) {
      const fromSmartctl = parseSmartctlDevice(entry.smartData, { name: entry.device, type: null }, 'systeminformation')
      if ('disk' in fromSmartctl && !fromSmartctl.disk.error) return fromSmartctl.disk
    }
    const base: SmartDisk = {
      ...emptyDisk({ name: entry.device, type: null, protocol: entry.interfaceType || null }, 'systeminformation'),
      model: [entry.vendor, entry.name].filter(Boolean).join(' ').trim() || null,
      serial: entry.serialNum?.trim() || null,
      firmware: entry.firmwareRevision?.trim() || null,
      capacityBytes: entry.size ?? null,
      temperatureC: entry.temperature ?? null,
    }
    if (entry.smartStatus === 'Ok') return { ...base, smartPassed: true }
    if (entry.smartStatus === 'Predicted Failure') return { ...base, smartPassed: false }
    return { ...base, error: `${unreadableReason}; systeminformation sees ${base.model ?? 'a disk'} (serial ${base.serial ?? 'unknown'}) but cannot read its SMART health` }
  })
}
