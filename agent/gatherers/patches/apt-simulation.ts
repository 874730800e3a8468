import { isSecurityOrigin } from './apt-origins.js'

/** An upgrade apt would install, from an `Inst` line of a simulation. */
export interface AptUpgrade {
  name: string
  arch: string | null
  installed: string
  candidate: string
  /** `Label:Version/Suite` entries, e.g. `Debian-Security:12/oldstable-security`. */
  origins: string[]
  security: boolean
}

/** A package apt keeps back (held, or its dependencies cannot be met). */
export interface AptKeptBack {
  name: string
  /** With `-V`: `installed => candidate`; without, the names only. */
  installed: string | null
  candidate: string | null
}

export interface AptSimulation {
  upgrades: AptUpgrade[]
  keptBack: AptKeptBack[]
  /** Packages the run would newly install (new kernel ABI packages, new dependencies). */
  newInstalls: string[]
  /** The `N upgraded, …` summary, when printed: a cross-check of the Inst lines. */
  summary: { upgraded: number; newlyInstalled: number; toRemove: number; notUpgraded: number } | null
}

// Inst <pkg> [<installed>] (<candidate> <Origin:Version/Suite>[, …] [<arch>])[ [breaks…]]
// (apt-get(8) --simulate; apt-pkg/algorithms.cc pkgSimulate::Describe).
const instLine = /^Inst (\S+)(?: \[([^\]]*)\])? \((\S+)(.*?) \[([^\]]+)\]\)/
const summaryLine = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded\.$/
const verboseEntry = /^(\S+) \((\S+) => (\S+)\)$/

/**
 * Parses `apt-get -s [-V] upgrade|dist-upgrade` output (LC_ALL=C). Unknown lines — the
 * "Reading package lists..." progress, `Conf`/`Remv` lines, warnings — are skipped. A
 * package that appears twice (jc's `apt-get -sqq` sample does) is kept once.
 */
export function parseAptSimulation(text: string): AptSimulation {
  const upgrades = new Map<string, AptUpgrade>()
  const newInstalls = new Set<string>()
  const keptBack = new Map<string, AptKeptBack>()
  let summary: AptSimulation['summary'] = null
  let inKeptBack = false

  for (const line of text.split('\n')) {
    if (inKeptBack) {
      if (/^\s+\S/.test(line)) {
        for (const entry of parseListBlock(line)) keptBack.set(entry.name, entry)
        continue
      }
      inKeptBack = false
    }
    if (line.startsWith('The following packages have been kept back:')) {
      inKeptBack = true
      continue
    }
    const counts = summaryLine.exec(line)
    if (counts) {
      summary = { upgraded: Number(counts[1]), newlyInstalled: Number(counts[2]), toRemove: Number(counts[3]), notUpgraded: Number(counts[4]) }
      continue
    }
    const inst = instLine.exec(line)
    if (!inst) continue
    const name = inst[1]!.split(':')[0]!
    const installed = inst[2]
    const [candidate, originText, arch] = [inst[3]!, inst[4]!, inst[5]!]
    if (installed === undefined || installed === '') {
      newInstalls.add(name)
      continue
    }
    const origins = originText.split(',').map((o) => o.trim()).filter(Boolean)
    upgrades.set(`${name}:${arch}`, { name, arch, installed, candidate, origins, security: origins.some(isSecurityOrigin) })
  }
  return { upgrades: [...upgrades.values()], keptBack: [...keptBack.values()], newInstalls: [...newInstalls], summary }
}

/** A line of an indented package list: `   bash (5.2-1 => 5.2-2)` with -V, else names. */
function parseListBlock(line: string): AptKeptBack[] {
  const verbose = verboseEntry.exec(line.trim())
  if (verbose) return [{ name: verbose[1]!, installed: verbose[2]!, candidate: verbose[3]! }]
  return line.trim().split(/\s+/).map((name) => ({ name, installed: null, candidate: null }))
}
