import ipaddr from 'ipaddr.js'
import type { AddressClass } from '../../../rules/facts/network.js'

/**
 * What kind of address this is, from the address alone:
 * - private: RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 ULA fc00::/7 (RFC 4193);
 * - cgnat: RFC 6598 shared address space 100.64/10 (provider-internal, overlay VPNs);
 * - loopback: 127/8, ::1; link-local: 169.254/16, fe80::/10;
 * - public: everything else that is unicast, documentation ranges included (a lab's
 *   203.0.113.0/24 plays the public internet).
 * IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is classified as its IPv4 address.
 * Throws TypeError for text that is not an address literal.
 */
export function classifyAddress(address: string): AddressClass {
  const parsed = parseAddress(address)
  if (parsed === null) throw new TypeError(`classifyAddress: not an IP address: ${address}`)
  const range = parsed.range()
  switch (range) {
    case 'private':
    case 'uniqueLocal':
      return 'private'
    case 'carrierGradeNat':
      return 'cgnat'
    case 'loopback':
      return 'loopback'
    case 'linkLocal':
      return 'link-local'
    default:
      return 'public'
  }
}

/** Parses an address literal (a `%zone` suffix is dropped); IPv4-mapped IPv6 becomes IPv4. Null if invalid. */
export function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const text = address.replace(/%.*$/, '')
  if (!ipaddr.isValid(text)) return null
  if (!text.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(text)) return null
  return ipaddr.process(text)
}

/** The canonical text of an address (`::ffff:10.0.0.1` → `10.0.0.1`, `2001:DB8::1` → `2001:db8::1`). */
export function normalizeAddress(address: string): string {
  return parseAddress(address)?.toString() ?? address
}

export function familyOf(address: string): 'ipv4' | 'ipv6' {
  return parseAddress(address)?.kind() === 'ipv6' ? 'ipv6' : 'ipv4'
}

/** Whether `address` lies in `cidr` (`10.0.0.0/8`); false across families. */
export function inCidr(address: string, cidr: string): boolean {
  const parsed = parseAddress(address)
  if (parsed === null || !ipaddr.isValidCIDR(cidr)) return false
  const [network, bits] = ipaddr.parseCIDR(cidr)
  if (parsed.kind() !== network.kind()) return false
  return parsed.match(network, bits)
}

export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '*'
}
