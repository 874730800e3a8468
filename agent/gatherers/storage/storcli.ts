import { z } from 'zod'
import type { HwRaidController } from '../../../rules/facts/storage.js'

/**
 * Broadcom storcli (and Dell's perccli, the same tool rebranded) JSON, the `J` suffix:
 * `{"Controllers":[{"Command Status":{…,"Status":"Success|Failure"},"Response Data":{…}}]}`
 * (host-facts.md 2.6; keys as prometheus-community storcli.py reads them). A command's
 * own `Status` is checked before anything else: `Failure` is never a healthy controller.
 */
const text = z.union([z.string(), z.number()]).transform(String).optional().catch(undefined)
const records = z.array(z.record(z.string(), z.unknown())).optional().catch(undefined)

const commandStatusSchema = z.object({
  Controller: z.union([z.number(), z.string()]).optional().catch(undefined),
  Status: z.string().catch('unknown'),
  Description: text,
  'Detailed Status': z.array(z.record(z.string(), z.unknown())).optional().catch(undefined),
})

const outputSchema = z.object({
  Controllers: z.array(
    z.object({
      'Command Status': commandStatusSchema,
      'Response Data': z.record(z.string(), z.unknown()).optional().catch(undefined),
    }),
  ),
})

type ControllerEntry = z.infer<typeof outputSchema>['Controllers'][number]

/** What `storcli show J` (the system overview) says: how many controllers, and of which kind. */
export interface StorcliOverview {
  /** The command's own failure, with storcli's error message. */
  failure: string | null
  controllers: number | null
  /** Controllers listed under `System Overview` (MegaRAID, can hold virtual drives). */
  raidControllers: number
  /** Controllers listed under `IT System Overview` (plain HBAs, no RAID). */
  hbas: number
}

export function parseStorcliOverview(json: unknown): StorcliOverview | null {
  const parsed = outputSchema.safeParse(json)
  const entry = parsed.success ? parsed.data.Controllers[0] : undefined
  if (!entry) return null
  const data = entry['Response Data'] ?? {}
  const count = data['Number of Controllers']
  return {
    failure: commandFailure(entry),
    controllers: typeof count === 'number' ? count : null,
    raidControllers: Array.isArray(data['System Overview']) ? data['System Overview'].length : 0,
    hbas: Array.isArray(data['IT System Overview']) ? data['IT System Overview'].length : 0,
  }
}

const basicsSchema = z.object({ Controller: z.number().optional().catch(undefined), Model: text, 'Serial Number': text }).optional().catch(undefined)
const statusSchema = z.object({ 'Controller Status': text }).optional().catch(undefined)

/** `storcli /call show all J` (or `show J`): one fact per controller. Null when not storcli JSON. */
export function parseStorcliControllers(json: unknown): HwRaidController[] | null {
  const parsed = outputSchema.safeParse(json)
  if (!parsed.success) return null
  return parsed.data.Controllers.map((entry, index) => {
    const data = entry['Response Data'] ?? {}
    const basics = basicsSchema.parse(data.Basics)
    const fromStatus = entry['Command Status'].Controller
    const controller = typeof fromStatus === 'number' ? fromStatus : (basics?.Controller ?? index)
    const failure = commandFailure(entry)
    const item: HwRaidController = {
      target: `/c${controller}`,
      controller,
      model: basics?.Model ?? stringField(data, 'Product Name'),
      serial: basics?.['Serial Number'] ?? stringField(data, 'Serial Number'),
      status: statusSchema.parse(data.Status)?.['Controller Status'] ?? null,
      virtualDrives: (records.parse(data['VD LIST']) ?? []).map((vd) => ({
        id: stringField(vd, 'DG/VD') ?? '?',
        type: stringField(vd, 'TYPE'),
        state: stringField(vd, 'State') ?? 'unknown',
        name: stringField(vd, 'Name'),
        size: stringField(vd, 'Size'),
      })),
      physicalDrives: (records.parse(data['PD LIST']) ?? []).map((pd) => ({
        slot: stringField(pd, 'EID:Slt') ?? '?',
        did: typeof pd.DID === 'number' ? pd.DID : null,
        state: stringField(pd, 'State') ?? 'unknown',
        driveGroup: stringField(pd, 'DG'),
        size: stringField(pd, 'Size'),
        interface: stringField(pd, 'Intf'),
        media: stringField(pd, 'Med'),
        model: stringField(pd, 'Model'),
      })),
      cacheProtection: [
        ...(records.parse(data.Cachevault_Info) ?? []).map((cv) => ({ kind: 'cachevault' as const, model: stringField(cv, 'Model'), state: stringField(cv, 'State') ?? 'unknown' })),
        ...(records.parse(data.BBU_Info) ?? []).map((bbu) => ({ kind: 'bbu' as const, model: stringField(bbu, 'Model'), state: stringField(bbu, 'State') ?? 'unknown' })),
      ],
    }
    return failure === null ? item : { ...item, error: `storcli command failed for controller ${controller}: ${failure}` }
  })
}

/** `Failure` with storcli's reason (`Detailed Status[].ErrMsg`, else `Description`); null on `Success`. */
function commandFailure(entry: ControllerEntry): string | null {
  const status = entry['Command Status']
  if (status.Status === 'Success') return null
  const details = (status['Detailed Status'] ?? []).map((d) => d.ErrMsg).filter((m): m is string => typeof m === 'string')
  const reason = details.length > 0 ? details.join('; ') : status.Description && status.Description !== 'None' ? status.Description : 'no reason given'
  return `Status ${status.Status}: ${reason}`
}

/** A field as trimmed text (storcli pads model names; `-` means none). */
function stringField(record: Record<string, unknown>, key: string): string | null {
  const value = record[key]
  if (typeof value !== 'string' && typeof value !== 'number') return null
  const trimmed = String(value).trim()
  return trimmed === '' || trimmed === '-' ? null : trimmed
}
