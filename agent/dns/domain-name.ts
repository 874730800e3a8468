import { domainToASCII } from 'node:url'
import { isIP } from 'node:net'

/**
 * A domain name as the checks use it: lower-case A-labels (IDNA, via WHATWG URL's
 * domainToASCII), no trailing dot, at least two labels, each 1–63 characters of letters,
 * digits, hyphens and underscores (RFC 1035 §2.3.4; underscores for `_dmarc` names).
 */
export function normalizeDomain(text: string): { name: string } | { error: string } {
  const trimmed = text.trim().replace(/\.$/, '')
  if (trimmed === '') return { error: 'empty domain name' }
  if (isIP(trimmed)) return { error: `"${text}" is an IP address, not a domain name` }
  const ascii = domainToASCII(trimmed)
  if (ascii === '' || ascii.split('.').some((l) => l === '')) return { error: `"${text}" is not a valid domain name` }
  const labels = ascii.split('.')
  if (labels.length < 2) return { error: `"${text}" has one label: give the full domain (example.com)` }
  if (ascii.length > 253 || labels.some((l) => l.length > 63 || !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9])?$/.test(l))) return { error: `"${text}" is not a valid domain name` }
  return { name: ascii }
}
