export interface ApkUpgrade {
  name: string
  arch: string | null
  installed: string
  candidate: string
  origin: string | null
}

/**
 * `apk list --upgradable` (apk-tools ≥ 2.12):
 * `busybox-1.36.1-r29 x86_64 {busybox} (GPL-2.0-only) [upgradable from: busybox-1.36.1-r28]`.
 * The name is every `-` part but the last two (version and release).
 */
export function parseApkListUpgradable(text: string): ApkUpgrade[] {
  const upgrades: ApkUpgrade[] = []
  for (const line of text.split('\n')) {
    const match = /^(\S+) (\S+) \{([^}]*)\} \(.*\) \[upgradable from: (\S+)\]\s*$/.exec(line.trim())
    if (!match) continue
    const { name, version } = splitApkPackage(match[1]!)
    const from = splitApkPackage(match[4]!)
    upgrades.push({ name, arch: match[2]!, installed: from.version, candidate: version, origin: match[3]! || null })
  }
  return upgrades
}

/**
 * `apk version -l '<'`: a header `Installed: Available:` then
 * `libcrypto1.0-1.0.1q-r0                  < 1.0.2m-r0`.
 */
export function parseApkVersion(text: string): ApkUpgrade[] {
  const upgrades: ApkUpgrade[] = []
  for (const line of text.split('\n')) {
    const match = /^(\S+)\s+<\s+(\S+)\s*$/.exec(line.trim())
    if (!match) continue
    const { name, version } = splitApkPackage(match[1]!)
    upgrades.push({ name, arch: null, installed: version, candidate: match[2]!, origin: null })
  }
  return upgrades
}

/** `libssl3-3.3.0-r2` → `{ name: 'libssl3', version: '3.3.0-r2' }`. */
export function splitApkPackage(pkgver: string): { name: string; version: string } {
  const parts = pkgver.split('-')
  if (parts.length < 3) return { name: pkgver, version: '' }
  return { name: parts.slice(0, -2).join('-'), version: parts.slice(-2).join('-') }
}

/**
 * Alpine has no packaged auto-update service: a cron entry running `apk upgrade` (root's
 * crontab or a script under /etc/periodic/) is the convention. Returns the lines found.
 */
export function findApkUpgradeJobs(files: ReadonlyMap<string, string>): string[] {
  const jobs: string[] = []
  for (const [path, text] of files) {
    for (const raw of text.split('\n')) {
      const line = raw.trim()
      if (line.startsWith('#')) continue
      if (/\bapk\b.*\bupgrade\b/.test(line)) jobs.push(`${path}: ${line}`)
    }
  }
  return jobs
}
