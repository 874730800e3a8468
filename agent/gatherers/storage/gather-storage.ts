import type { FactErrors } from '../../../rules/facts/facts.js'
import type { StorageFacts } from '../../../rules/facts/storage.js'
import type { Evidence } from '../evidence.js'
import type { Gatherer, GatherContext, GatherResult } from '../gatherer.js'
import { gatherBtrfs } from './gather-btrfs.js'
import { gatherFilesystems } from './gather-filesystems.js'
import { gatherHwRaid } from './gather-hwraid.js'
import { gatherMd } from './gather-md.js'
import { gatherSmart } from './gather-smart.js'
import { gatherZfs } from './gather-zfs.js'

/**
 * Storage health: software RAID (md), ZFS, btrfs, hardware RAID (storcli/perccli), disks'
 * SMART data and filesystem fill. Each part is gathered on its own: one that cannot be
 * read is an error under its own fact path and costs only its own rules.
 */
export const storageGatherer: Gatherer = {
  name: 'storage',
  feeds: ['storage'],
  gather: gatherStorage,
}

async function gatherStorage({ host }: GatherContext): Promise<GatherResult> {
  const [md, zfs, btrfs, smart, hwraid, filesystems] = await Promise.all([
    gatherMd(host),
    gatherZfs(host),
    gatherBtrfs(host),
    gatherSmart(host),
    gatherHwRaid(host),
    gatherFilesystems(host),
  ])
  const facts: StorageFacts = {}
  const errors: FactErrors = {}
  const put = <K extends keyof StorageFacts>(key: K, evidence: Evidence<NonNullable<StorageFacts[K]>>) => {
    if (evidence.ok) facts[key] = evidence.value
    else errors[`storage.${key}`] = evidence.reason
  }
  put('md', md)
  put('zfs', zfs)
  put('btrfs', btrfs)
  put('smart', smart)
  put('hwraid', hwraid)
  put('filesystems', filesystems.space)
  put('inodes', filesystems.inodes)
  return { facts: { storage: facts }, errors }
}
