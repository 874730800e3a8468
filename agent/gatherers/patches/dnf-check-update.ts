export interface DnfUpdate {
  name: string
  arch: string
  /** `[epoch:]version-release` of the candidate. */
  evr: string
  repository: string
}

/**
 * `dnf -q check-update` (dnf4) / `dnf check-upgrade` (dnf5): one `name.arch  evr  repo`
 * line per update; dnf4 wraps a long `name.arch` onto its own line with the rest
 * indented on the next. The `Obsoleting Packages` section that may follow repeats
 * packages and is not read. Exit code 100 means updates, 0 none (dnf(8)).
 */
export function parseDnfCheckUpdate(text: string): DnfUpdate[] {
  const updates: DnfUpdate[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (/^Obsoleting Packages/i.test(line.trim())) break
    let fields = line.trim().split(/\s+/)
    if (fields.length === 1 && isNameArch(fields[0]!) && /^\s+\S+\s+\S+\s*$/.test(lines[i + 1] ?? '')) {
      fields = [fields[0]!, ...lines[i + 1]!.trim().split(/\s+/)]
      i++
    }
    if (fields.length !== 3 || /^\s/.test(line) || !isNameArch(fields[0]!) || !/^(\d+:)?[^-\s]+-\S+$/.test(fields[1]!)) continue
    const dot = fields[0]!.lastIndexOf('.')
    updates.push({ name: fields[0]!.slice(0, dot), arch: fields[0]!.slice(dot + 1), evr: fields[1]!, repository: fields[2]! })
  }
  return updates
}

const arches = /\.(x86_64|noarch|i[3-6]86|aarch64|ppc64le|ppc64|s390x|armv7hl|src)$/

function isNameArch(token: string): boolean {
  return arches.test(token)
}

export interface DnfAdvisory {
  advisory: string
  /** Critical, Important, Moderate, Low, None, Unknown; null when not printed. */
  severity: string | null
  /** `name-[epoch:]version-release.arch` of the fixing package. */
  nevra: string
  name: string
}

/**
 * `dnf updateinfo list --security` in both layouts (host-facts.md 1.3):
 * - dnf4: `RHSA-2023:0340 Moderate/Sec.  bash-5.1.8-6.el9_1.x86_64` (`i ` prefix with --all);
 * - dnf5: a table `Name Type Severity Package Issued` with rows
 *   `FEDORA-2018-318f184113 security Moderate CQRlib-1.1.2-16.fc29.x86_64 2019-01-20 00:00:00`.
 * Non-security rows (bugfix, enhancement) are dropped; header and noise lines are skipped.
 */
export function parseDnfUpdateinfoSecurity(text: string): DnfAdvisory[] {
  const advisories: DnfAdvisory[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const dnf4 = /^(?:i\s+)?(\S+)\s+(\S+)\/Sec\.\s+(\S+)$/i.exec(line)
    if (dnf4) {
      advisories.push(advisory(dnf4[1]!, dnf4[2]!, dnf4[3]!))
      continue
    }
    const dnf5 = /^(?:i\s+)?(\S+)\s+security\s+(\S+)\s+(\S+)(?:\s+\d{4}-\d{2}-\d{2}.*)?$/i.exec(line)
    if (dnf5) advisories.push(advisory(dnf5[1]!, dnf5[2]!, dnf5[3]!))
  }
  return advisories
}

function advisory(id: string, severity: string, nevra: string): DnfAdvisory {
  return { advisory: id, severity: /^(none|unknown)$/i.test(severity) ? null : capitalise(severity), nevra, name: rpmName(nevra) }
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()
}

/** `dbus-1:1.12.20-7.el9_1.x86_64` → `dbus`: drop `.arch`, then version and release. */
export function rpmName(nevra: string): string {
  const withoutArch = arches.test(nevra) ? nevra.slice(0, nevra.lastIndexOf('.')) : nevra
  const parts = withoutArch.split('-')
  return parts.length > 2 ? parts.slice(0, -2).join('-') : withoutArch
}

/**
 * `needs-restarting -r` (dnf-plugins-core): exit 1 with "Reboot is required…" and the
 * packages as `  * glibc` (dnf4) or tab-indented names (dnf5); exit 0 with "Reboot should
 * not be necessary". Null when the text says neither (an error message).
 */
export function parseNeedsRestarting(text: string): { required: boolean; packages: string[] } | null {
  if (/Reboot should not be necessary|No core libraries or services have been updated/i.test(text)) return { required: false, packages: [] }
  if (!/Reboot is required|Core libraries or services have been updated/i.test(text)) return null
  const packages: string[] = []
  for (const line of text.split('\n')) {
    const match = /^(?:\s+\*\s+|\t)(\S+)\s*$/.exec(line)
    if (match) packages.push(match[1]!)
  }
  return { required: true, packages }
}
