import type { SysctlFacts } from '../../../rules/facts/network.js'
import type { Host } from '../../host/host.js'
import { fileText, missing, ok, type Evidence } from '../evidence.js'
import { buildSysctlFacts, ipv4ConfKeys, ipv4GlobalKeys, ipv6ConfKeys, parseSysctlValue, sysctlName, sysctlPath } from './network-sysctl.js'

export interface GatheredSysctl {
  /** /proc/sys/net/ipv6 exists: IPv6 is not disabled (ipv6.disable=1). */
  ipv6Enabled: boolean
  sysctl: Evidence<SysctlFacts>
}

/** Reads the CIS 3.3 sysctls from /proc/sys/net (world-readable, per network namespace). */
export async function gatherSysctl(host: Host): Promise<Evidence<GatheredSysctl>> {
  const [v4Confs, v6Confs] = await Promise.all([host.listDir('/proc/sys/net/ipv4/conf'), host.listDir('/proc/sys/net/ipv6/conf')])
  if ('error' in v4Confs) return missing(v4Confs.message)
  if ('error' in v6Confs && v6Confs.error !== 'ENOENT') return missing(v6Confs.message)
  const ipv6Enabled = !('error' in v6Confs)

  const wanted: { family: 'ipv4' | 'ipv6'; conf: string | null; key: string }[] = [
    ...ipv4GlobalKeys.map((key) => ({ family: 'ipv4' as const, conf: null, key })),
    ...v4Confs.entries.flatMap((conf) => ipv4ConfKeys.map((key) => ({ family: 'ipv4' as const, conf, key }))),
    ...('error' in v6Confs ? [] : v6Confs.entries.flatMap((conf) => ipv6ConfKeys.map((key) => ({ family: 'ipv6' as const, conf, key })))),
  ]
  const values = new Map<string, number>()
  const failures: string[] = []
  await Promise.all(
    wanted.map(async ({ family, conf, key }) => {
      const path = sysctlPath(family, conf, key)
      const text = fileText(await host.readFile(path))
      const value = text.ok ? parseSysctlValue(text.value) : null
      if (value !== null) values.set(sysctlName(family, conf, key), value)
      else failures.push(text.ok ? `${path}: not a number` : text.reason)
    }),
  )
  const built = buildSysctlFacts(values, v4Confs.entries, ipv6Enabled)
  const sysctl: Evidence<SysctlFacts> =
    'missing' in built ? missing(`${built.missing} could not be read (${failures.sort()[0] ?? 'not present'})`) : ok(built)
  return ok({ ipv6Enabled, sysctl })
}
