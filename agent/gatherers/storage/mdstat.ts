import type { MdMember, MdSync } from '../../../rules/facts/storage.js'

/** One array (or container) as /proc/mdstat shows it, before sysfs and mdadm enrich it. */
export interface MdstatArray {
  name: string
  state: string
  access: 'read-write' | 'read-only' | 'auto-read-only'
  level: string | null
  metadata: string | null
  /** An IMSM/DDF container (`super external:imsm`), not an array holding data itself. */
  container: boolean
  sizeBlocks: number | null
  raidDevices: number | null
  workingDevices: number | null
  slotMap: string | null
  members: MdMember[]
  sync: MdSync | null
}

export interface Mdstat {
  personalities: string[]
  arrays: MdstatArray[]
}

const arrayLine = /^(md[\w-]*)\s*:\s*(\S+)\s*(.*)$/
const memberToken = /^(\S+?)\[(\d+)\]((?:\([A-Z]\))*)$/
const accessWords: Record<string, MdstatArray['access']> = { '(read-only)': 'read-only', '(auto-read-only)': 'auto-read-only' }

/**
 * Parses /proc/mdstat (Linux drivers/md/md.c, md_seq_show; format notes in
 * shared/reference/host-facts.md 2.1):
 *
 *     md6 : active raid1 sdb2[2](F) sdc[1](S) sda2[0]
 *           195310144 blocks [2/1] [U_]
 *           [=>...................]  recovery =  8.5% (16775552/195310144) finish=17.0min speed=259783K/sec
 *
 * An array's block runs from its `mdX :` line to the next one (or `unused devices`), so
 * copies that lost their indentation parse too. Member flags: (F) faulty, (S) spare,
 * (W) write-mostly, (J) journal, (R) replacement.
 */
export function parseMdstat(text: string): Mdstat {
  const personalities: string[] = []
  const blocks: string[][] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    if (line.startsWith('Personalities')) {
      personalities.push(...[...line.matchAll(/\[(\w+)\]/g)].map((m) => m[1]!))
      continue
    }
    if (line.startsWith('unused devices')) continue
    if (arrayLine.test(line)) blocks.push([line])
    else blocks.at(-1)?.push(line)
  }
  return { personalities, arrays: blocks.map(parseArrayBlock) }
}

function parseArrayBlock([first, ...rest]: string[]): MdstatArray {
  const [, name, state, tail] = arrayLine.exec(first!)!
  const tokens = tail!.split(/\s+/).filter(Boolean)
  let access: MdstatArray['access'] = 'read-write'
  if (tokens[0] && tokens[0] in accessWords) access = accessWords[tokens.shift()!]!
  // The personality comes before the members; an inactive array may have none.
  const level = tokens[0] !== undefined && !memberToken.test(tokens[0]) ? tokens.shift()! : null
  const members = tokens.flatMap((token) => {
    const parsed = parseMember(token)
    return parsed ? [parsed] : []
  })

  const body = rest.join('\n')
  const metadata = /super (\S+)/.exec(body)?.[1] ?? null
  const external = metadata?.startsWith('external:') ? metadata.slice('external:'.length) : null
  const slots = /\[(\d+)\/(\d+)\]\s*\[([U_]+)\]/.exec(body)
  const blocksMatch = /(\d+) blocks/.exec(body)
  return {
    name: name!,
    state: state!,
    access,
    level,
    metadata,
    // Member arrays name their container (`external:/md127/0`, or `-md127/0` while read-only).
    container: external !== null && !/^[/-]/.test(external),
    sizeBlocks: blocksMatch ? Number(blocksMatch[1]) : null,
    raidDevices: slots ? Number(slots[1]) : null,
    workingDevices: slots ? Number(slots[2]) : null,
    slotMap: slots ? slots[3]! : null,
    members,
    sync: parseSyncLine(body),
  }
}

function parseMember(token: string): MdMember | null {
  const match = memberToken.exec(token)
  if (!match) return null
  const flags = new Set(match[3]!.match(/[A-Z]/g) ?? [])
  const role: MdMember['role'] = flags.has('F') ? 'faulty' : flags.has('S') ? 'spare' : flags.has('J') ? 'journal' : 'active'
  return { device: match[1]!, number: Number(match[2]), role, writeMostly: flags.has('W'), replacement: flags.has('R') }
}

/**
 * The progress line (md.c, status_resync): `recovery = 8.5% (done/total) finish=17.0min
 * speed=259783K/sec`, or a waiting state: `resync=DELAYED`, `resync=PENDING`, `resync=REMOTE`.
 */
export function parseSyncLine(body: string): MdSync | null {
  const running = /\b(resync|recovery|reshape|check|repair)\s*=\s*([\d.]+)%\s*(?:\((\d+)\/(\d+)\))?/.exec(body)
  if (running) {
    const finish = /finish=([\d.]+)min/.exec(body)
    const speed = /speed=(\d+)K\/sec/.exec(body)
    return {
      action: running[1] as MdSync['action'],
      status: 'running',
      progressPercent: Number(running[2]),
      doneBlocks: running[3] === undefined ? null : Number(running[3]),
      totalBlocks: running[4] === undefined ? null : Number(running[4]),
      finishMinutes: finish ? Number(finish[1]) : null,
      speedKiBPerSecond: speed ? Number(speed[1]) : null,
    }
  }
  const waiting = /\b(resync|recovery|reshape)=(DELAYED|PENDING|REMOTE)\b/.exec(body)
  if (!waiting) return null
  return {
    action: waiting[1] as MdSync['action'],
    status: waiting[2]!.toLowerCase() as MdSync['status'],
    progressPercent: null,
    doneBlocks: null,
    totalBlocks: null,
    finishMinutes: null,
    speedKiBPerSecond: null,
  }
}
