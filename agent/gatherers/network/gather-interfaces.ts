import type { InterfaceKind } from '../../../rules/facts/network.js'
import type { Host } from '../../host/host.js'
import { commandStdout, fileText, missing, ok, type Evidence } from '../evidence.js'
import { parseDefaultRoutes, parseIpAddr, parseIpLink, parseIpOnelineAddr, type AddressInfo, type DefaultRoute, type LinkInfo } from './ip-json.js'
import { parseProcIpv6Route, parseProcRoute } from './proc-routes.js'
import { linkFromSysfs, parseProcVlanConfig, sysfsKind, type SysfsLink, type VlanConfigEntry } from './sysfs-links.js'

const ipTimeout = { timeoutMs: 10_000 }

export interface GatheredLinks {
  links: LinkInfo[]
  /** Null when the addresses could not be had, with the reason beside. */
  addresses: Map<string, AddressInfo[]> | null
  addressesError: string | null
}

/** Links from `ip -d -j link show`, else from /sys/class/net; addresses from `ip -j addr show`. */
export async function gatherLinks(host: Host): Promise<Evidence<GatheredLinks>> {
  const linkArgv = ['ip', '-d', '-j', 'link', 'show']
  const addrArgv = ['ip', '-j', 'addr', 'show']
  const [linkResult, addrResult] = await Promise.all([host.run(linkArgv, ipTimeout), host.run(addrArgv, ipTimeout)])

  const linkText = commandStdout(linkArgv, linkResult)
  let links = linkText.ok ? parseIpLink(linkText.value) : null
  let linkReason = linkText.ok ? `${linkArgv.join(' ')}: unexpected output` : linkText.reason
  if (links === null) {
    const fromSysfs = await gatherSysfsLinks(host)
    if (!fromSysfs.ok) return missing(`${linkReason}; ${fromSysfs.reason}`)
    links = fromSysfs.value
    linkReason = ''
  }

  const addrText = commandStdout(addrArgv, addrResult)
  let addresses = addrText.ok ? parseIpAddr(addrText.value) : null
  let addressesError = addresses !== null ? null : addrText.ok ? `${addrArgv.join(' ')}: unexpected output` : addrText.reason
  if (addresses === null && !(!addrText.ok && 'error' in addrResult && addrResult.error === 'ENOENT')) {
    // An `ip` without JSON (BusyBox): its one-line format.
    const onelineArgv = ['ip', '-o', 'addr', 'show']
    const oneline = commandStdout(onelineArgv, await host.run(onelineArgv, ipTimeout))
    addresses = oneline.ok ? parseIpOnelineAddr(oneline.value) : null
    if (addresses !== null) addressesError = null
    else addressesError = `${addressesError}; ${oneline.ok ? `${onelineArgv.join(' ')}: unexpected output` : oneline.reason}`
  }
  return ok({ links, addresses, addressesError })
}

async function gatherSysfsLinks(host: Host): Promise<Evidence<LinkInfo[]>> {
  const dir = await host.listDir('/sys/class/net')
  if ('error' in dir) return missing(dir.message)
  const vlanConfig = fileText(await host.readFile('/proc/net/vlan/config'))
  const vlans: Map<string, VlanConfigEntry> = (vlanConfig.ok ? parseProcVlanConfig(vlanConfig.value) : null) ?? new Map()
  const raw: SysfsLink[] = await Promise.all(
    dir.entries.map(async (name) => {
      const base = `/sys/class/net/${name}`
      const read = async (file: string): Promise<string | null> => {
        const result = await host.readFile(`${base}/${file}`)
        return 'error' in result ? null : result.content
      }
      const entries = await host.listDir(base)
      const [uevent, operstate, flags, mtu, address, type] = await Promise.all(['uevent', 'operstate', 'flags', 'mtu', 'address', 'type'].map(read))
      return { name, entries: 'error' in entries ? [] : entries.entries, uevent: uevent ?? null, operstate: operstate ?? null, flags: flags ?? null, mtu: mtu ?? null, address: address ?? null, type: type ?? null }
    }),
  )
  const kinds = new Map<string, InterfaceKind>(raw.map((l) => [l.name, vlans.has(l.name) ? 'vlan' : sysfsKind(l)]))
  return ok(raw.map((l) => linkFromSysfs(l, vlans, kinds)))
}

/** Default routes, IPv4 and IPv6, from `ip -j route show default`, else /proc/net/route and ipv6_route. */
export async function gatherDefaultRoutes(host: Host): Promise<Evidence<DefaultRoute[]>> {
  const routes: DefaultRoute[] = []
  for (const family of ['ipv4', 'ipv6'] as const) {
    const argv = ['ip', ...(family === 'ipv6' ? ['-6'] : []), '-j', 'route', 'show', 'default']
    const text = commandStdout(argv, await host.run(argv, ipTimeout))
    const parsed = text.ok ? parseDefaultRoutes(text.value, family) : null
    if (parsed !== null) {
      routes.push(...parsed)
      continue
    }
    const why = text.ok ? `${argv.join(' ')}: unexpected output` : text.reason
    const proc = fileText(await host.readFile(family === 'ipv4' ? '/proc/net/route' : '/proc/net/ipv6_route'))
    // No /proc/net/ipv6_route: IPv6 is disabled, there is no IPv6 route.
    if (!proc.ok && family === 'ipv6') continue
    const fallback = proc.ok ? (family === 'ipv4' ? parseProcRoute(proc.value) : parseProcIpv6Route(proc.value)) : null
    if (fallback === null) return missing(`${why}; ${proc.ok ? '/proc/net/route: unexpected content' : proc.reason}`)
    routes.push(...fallback)
  }
  return ok(routes)
}
