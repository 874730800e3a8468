import type { OsFacts } from '../../../rules/facts/system.js'
import type { OsSupportFacts } from '../../../rules/facts/patches.js'
import type { OsEolDistribution, OsEolTable } from '../../../rules/data/os-eol.js'
import { missing, ok, type Evidence } from '../evidence.js'

/**
 * The support dates of the installed release: the embedded endoflife.date table first (it
 * knows extended support), os-release `SUPPORT_END` for a release or distribution the table
 * lacks. The dates become facts; the rule compares them with the scan's `now`, so a release
 * turns red on the right day without a new agent. Pure.
 */
export function assessOsSupport(table: OsEolTable, os: OsFacts): Evidence<OsSupportFacts> {
  const distribution = table.distributions[os.id]
  const fromOsRelease = supportEndFromOsRelease(os)
  if (!distribution) {
    if (fromOsRelease) return ok(fromOsRelease)
    const known = Object.keys(table.distributions).join(', ')
    return missing(
      `no end-of-life data for ${os.prettyName} (ID=${os.id}): the embedded table (compiled ${table.compiled}) covers ${known}, and os-release has no SUPPORT_END`,
    )
  }
  if (os.versionId === null) {
    return missing(`${os.prettyName} has no VERSION_ID (a testing or rolling branch?): it has no published security support dates`)
  }
  const cycle = releaseCycle(os.versionId, distribution.cycleFrom)
  const release = distribution.releases.find((r) => r.cycle === cycle)
  if (!release) {
    if (fromOsRelease) return ok(fromOsRelease)
    return missing(
      `${distribution.name} ${cycle} is not in the embedded end-of-life table (compiled ${table.compiled} from ${table.source}); update Posture`,
    )
  }
  const extended = extendedSupport(distribution, release.extendedEnd, release.securityEnd)
  return ok({
    distribution: os.id,
    cycle,
    codename: release.codename ?? os.versionCodename,
    securityEnd: release.securityEnd,
    extendedEnd: extended ? extended.end : null,
    extendedName: extended ? extended.name : null,
    extendedFree: extended ? extended.free : false,
    source: `endoflife.date (compiled ${table.compiled})`,
  })
}

/** `12.11` → `12` (major), `3.21.3` → `3.21` (major.minor), `22.04` → `22.04` (exact). */
export function releaseCycle(versionId: string, cycleFrom: OsEolDistribution['cycleFrom']): string {
  const parts = versionId.split('.')
  if (cycleFrom === 'major') return parts[0]!
  if (cycleFrom === 'major.minor') return parts.slice(0, 2).join('.')
  return versionId
}

/** Extended support that outlasts standard support; an `eoes` equal to `eol` (old Debian) adds nothing. */
function extendedSupport(distribution: OsEolDistribution, extendedEnd: string | undefined, securityEnd: string) {
  if (!distribution.extended || extendedEnd === undefined || extendedEnd <= securityEnd) return null
  return { end: extendedEnd, name: distribution.extended.name, free: distribution.extended.free }
}

function supportEndFromOsRelease(os: OsFacts): OsSupportFacts | null {
  if (os.supportEnd === null || !/^\d{4}-\d{2}-\d{2}$/.test(os.supportEnd)) return null
  return {
    distribution: os.id,
    cycle: os.versionId ?? '',
    codename: os.versionCodename,
    // os-release(5): SUPPORT_END is the date *at which* support ends; that day is unsupported.
    securityEnd: os.supportEnd,
    extendedEnd: null,
    extendedName: null,
    extendedFree: false,
    source: 'os-release SUPPORT_END',
  }
}
