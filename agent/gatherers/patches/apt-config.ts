import type { AutoUpdatesFacts } from '../../../rules/facts/patches.js'

/**
 * `apt-config dump` prints the effective configuration, one `Key "value";` per line; list
 * entries repeat their key with a trailing `::` (apt.conf(5)). Returns key → values.
 */
export function parseAptConfigDump(text: string): Map<string, string[]> {
  const config = new Map<string, string[]>()
  for (const line of text.split('\n')) {
    const match = /^(\S+) "(.*)";$/.exec(line.trim())
    if (!match) continue
    const key = match[1]!.replace(/::$/, '')
    const values = config.get(key) ?? []
    if (match[2] !== '') values.push(match[2]!)
    config.set(key, values)
  }
  return config
}

/**
 * Whether unattended-upgrades will install security updates by itself (Debian wiki
 * "UnattendedUpgrades"; apt's apt.systemd.daily): the package is installed, apt's periodic
 * jobs are not disabled (`APT::Periodic::Enable`), `Update-Package-Lists` and
 * `Unattended-Upgrade` are non-zero, and an allowed origin names the security archive.
 */
export function assessUnattendedUpgrades(config: Map<string, string[]>, packageInstalled: boolean): AutoUpdatesFacts {
  const details: string[] = []
  let enabled = packageInstalled
  details.push(packageInstalled ? 'unattended-upgrades is installed' : 'unattended-upgrades is not installed')

  const periodic = (key: string, fallback: string): string => config.get(key)?.[0] ?? fallback
  const checks: [string, string][] = [
    ['APT::Periodic::Enable', periodic('APT::Periodic::Enable', '1')],
    ['APT::Periodic::Update-Package-Lists', periodic('APT::Periodic::Update-Package-Lists', '0')],
    ['APT::Periodic::Unattended-Upgrade', periodic('APT::Periodic::Unattended-Upgrade', '0')],
  ]
  for (const [key, value] of checks) {
    details.push(`${key} "${value}"`)
    // A number of days, or "always" (apt.systemd.daily check_stamp); 0 or empty disables it.
    if (value === '' || value === '0') enabled = false
  }

  const origins = [...(config.get('Unattended-Upgrade::Origins-Pattern') ?? []), ...(config.get('Unattended-Upgrade::Allowed-Origins') ?? [])]
  const security = origins.filter((o) => /security/i.test(o))
  if (security.length > 0) details.push(`security origins allowed: ${security.join('; ')}`)
  else {
    details.push(origins.length > 0 ? `no security origin among the allowed origins (${origins.join('; ')})` : 'no allowed origins configured')
    enabled = false
  }
  return { enabled, tool: 'unattended-upgrades', details }
}
