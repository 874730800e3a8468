import { isIP } from 'node:net'

/**
 * `HOST[:PORT]` as users write it: `example.com`, `example.com:8443`, `127.0.0.1:443`,
 * `[::1]:443`, or a bare IPv6 literal `::1`.
 */
export function parseTarget(text: string, defaultPort: number): { host: string; port: number } | { error: string } {
  const value = text.trim()
  if (!value) return { error: 'empty target (expected HOST[:PORT])' }
  if (value.includes('://')) return { error: `"${value}": write HOST[:PORT], not a URL` }
  let host: string
  let portText: string | undefined
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(value)
  if (bracketed) {
    host = bracketed[1]!
    portText = bracketed[2]
    if (isIP(host) !== 6) return { error: `"${value}": [${host}] is not an IPv6 address` }
  } else if (isIP(value) === 6) {
    host = value
  } else {
    const colon = value.lastIndexOf(':')
    if (colon >= 0 && value.indexOf(':') !== colon) return { error: `"${value}": write IPv6 addresses in brackets, [::1]:443` }
    host = colon >= 0 ? value.slice(0, colon) : value
    portText = colon >= 0 ? value.slice(colon + 1) : undefined
  }
  if (!host) return { error: `"${value}": no host name` }
  if (isIP(host) === 0 && !/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/.test(host)) return { error: `"${value}": "${host}" is not a host name or IP address` }
  if (portText === undefined) return { host, port: defaultPort }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return { error: `"${value}": port must be 1–65535` }
  return { host, port: Number(portText) }
}
