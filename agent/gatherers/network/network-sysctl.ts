import type { InterfaceSysctl, SysctlFacts } from '../../../rules/facts/network.js'

/**
 * The network sysctls that CIS section 3.3 checks (CIS Debian 12 / Ubuntu 24.04 3.3.x),
 * combined per interface the way the kernel applies them (include/linux/inetdevice.h):
 * rp_filter is IN_DEV_MAXCONF (max of conf/all and conf/IF, ip-sysctl.rst), send_redirects,
 * secure_redirects and log_martians IN_DEV_ORCONF, accept_source_route IN_DEV_ANDCONF,
 * accept_redirects IN_DEV_RX_REDIRECTS (AND when the interface forwards, OR otherwise).
 * IPv6 keeps per-interface values; Posture requires both `all` and the interface off.
 */

export const ipv4ConfKeys = ['rp_filter', 'accept_redirects', 'secure_redirects', 'send_redirects', 'accept_source_route', 'log_martians', 'forwarding'] as const
export const ipv6ConfKeys = ['accept_redirects', 'accept_source_route', 'accept_ra', 'forwarding'] as const
export const ipv4GlobalKeys = ['ip_forward', 'tcp_syncookies', 'icmp_echo_ignore_broadcasts', 'icmp_ignore_bogus_error_responses'] as const

/** /proc/sys path → sysctl name, the way sysctl(8) prints it (a `.` in an interface name becomes `/`). */
export function sysctlName(family: 'ipv4' | 'ipv6', conf: string | null, key: string): string {
  return conf === null ? `net.${family}.${key}` : `net.${family}.conf.${conf.replaceAll('.', '/')}.${key}`
}

export function sysctlPath(family: 'ipv4' | 'ipv6', conf: string | null, key: string): string {
  return conf === null ? `/proc/sys/net/${family}/${key}` : `/proc/sys/net/${family}/conf/${conf}/${key}`
}

/** A /proc/sys value: one integer. Null for anything else. */
export function parseSysctlValue(text: string): number | null {
  const trimmed = text.trim()
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null
}

/**
 * Builds the facts from the values read (sysctl name → value). `confs` are the entries
 * of /proc/sys/net/ipv4/conf (all, default, lo, eth0, …). Returns the name of the first
 * value that is needed and missing instead, so the caller can report it.
 */
export function buildSysctlFacts(values: ReadonlyMap<string, number>, confs: readonly string[], ipv6Enabled: boolean): SysctlFacts | { missing: string } {
  const get = (family: 'ipv4' | 'ipv6', conf: string | null, key: string): number | undefined => values.get(sysctlName(family, conf, key))
  const required: [string | null, string][] = [
    [null, 'ip_forward'],
    [null, 'tcp_syncookies'],
    ...ipv4ConfKeys.flatMap((k) => [['all', k] as [string, string], ['default', k] as [string, string]]),
  ]
  for (const [conf, key] of required) {
    if (get('ipv4', conf, key) === undefined) return { missing: sysctlName('ipv4', conf, key) }
  }
  if (ipv6Enabled && get('ipv6', 'all', 'forwarding') === undefined) return { missing: sysctlName('ipv6', 'all', 'forwarding') }

  const all = (key: string): number => get('ipv4', 'all', key)!
  const interfaces: InterfaceSysctl[] = []
  for (const conf of ['default', ...confs.filter((c) => c !== 'all' && c !== 'default' && c !== 'lo').sort()]) {
    const own = (key: string): number | undefined => get('ipv4', conf, key)
    if (ipv4ConfKeys.some((k) => own(k) === undefined)) continue // gone between listing and reading
    const forwarding = own('forwarding')!
    const or = (key: string): number => (all(key) !== 0 || own(key)! !== 0 ? 1 : 0)
    const and = (key: string): number => (all(key) !== 0 && own(key)! !== 0 ? 1 : 0)
    const v6 = (key: string): number | null => {
      if (!ipv6Enabled) return null
      const a = get('ipv6', 'all', key)
      const i = get('ipv6', conf, key)
      return a === undefined && i === undefined ? null : Math.max(a ?? 0, i ?? 0)
    }
    interfaces.push({
      target: conf,
      rpFilter: Math.max(all('rp_filter'), own('rp_filter')!),
      acceptRedirects: forwarding !== 0 ? and('accept_redirects') : or('accept_redirects'),
      secureRedirects: or('secure_redirects'),
      sendRedirects: or('send_redirects'),
      acceptSourceRoute: and('accept_source_route'),
      logMartians: or('log_martians'),
      forwarding,
      ipv6AcceptRedirects: v6('accept_redirects'),
      ipv6AcceptSourceRoute: v6('accept_source_route'),
      ipv6AcceptRa: v6('accept_ra'),
    })
  }
  return {
    ipv4Forwarding: get('ipv4', null, 'ip_forward')!,
    ipv6Forwarding: ipv6Enabled ? get('ipv6', 'all', 'forwarding')! : null,
    tcpSyncookies: get('ipv4', null, 'tcp_syncookies')!,
    icmpEchoIgnoreBroadcasts: get('ipv4', null, 'icmp_echo_ignore_broadcasts') ?? null,
    icmpIgnoreBogusErrorResponses: get('ipv4', null, 'icmp_ignore_bogus_error_responses') ?? null,
    interfaces,
    raw: Object.fromEntries([...values.entries()].sort(([a], [b]) => a.localeCompare(b))),
  }
}

/**
 * Parses `sysctl KEY…` / `sysctl -a` output (`net.ipv4.ip_forward = 0`) into name → value:
 * how the reference captures were taken, and a convenient way to write test inputs.
 */
export function parseSysctlOutput(text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^\s*([\w./-]+)\s*=\s*(-?\d+)\s*$/.exec(line)
    if (match) values.set(match[1]!, Number(match[2]))
  }
  return values
}
