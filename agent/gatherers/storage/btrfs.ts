import type { BtrfsDeviceStats } from '../../../rules/facts/storage.js'

const counterNames: Record<string, keyof Omit<BtrfsDeviceStats, 'device'>> = {
  write_io_errs: 'writeIoErrs',
  read_io_errs: 'readIoErrs',
  flush_io_errs: 'flushIoErrs',
  corruption_errs: 'corruptionErrs',
  generation_errs: 'generationErrs',
}

/**
 * Parses `btrfs device stats [--check] <mount>` (btrfs-device(8)): one line per device and
 * counter, `[/dev/sde].write_io_errs    154997860`. A device btrfs cannot name (missing)
 * is printed as `[devid:N]`. Counters persist until reset with `-z`.
 */
export function parseBtrfsDeviceStats(text: string): BtrfsDeviceStats[] {
  const devices = new Map<string, BtrfsDeviceStats>()
  for (const line of text.split('\n')) {
    const match = /^\[(.+)\]\.(\w+)\s+(\d+)\s*$/.exec(line.trim())
    if (!match) continue
    const field = counterNames[match[2]!]
    if (!field) continue
    const device = match[1]!
    const entry = devices.get(device) ?? { device, writeIoErrs: 0, readIoErrs: 0, flushIoErrs: 0, corruptionErrs: 0, generationErrs: 0 }
    entry[field] = Number(match[3])
    devices.set(device, entry)
  }
  return [...devices.values()]
}

/** `btrfs filesystem show <mount>`: its uuid, and whether it printed `*** Some devices missing`. */
export function parseBtrfsFilesystemShow(text: string): { uuid: string | null; missingDevices: boolean } {
  return {
    uuid: /uuid: ([0-9a-f-]{36})/.exec(text)?.[1] ?? null,
    missingDevices: /Some devices missing|\bmissing\b/i.test(text),
  }
}
