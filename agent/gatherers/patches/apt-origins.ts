/**
 * Whether an apt origin names a security archive. apt prints origins as
 * `<Label>:<Version>/<Suite>` in simulations (`Debian-Security:12/oldstable-security`,
 * `Ubuntu:22.04/jammy-security`) and suites alone in `apt list` (`oldstable-security`,
 * `jammy-updates,jammy-security`). Security means the Debian-Security label or a suite
 * ending in `-security` (Ubuntu's security pocket, ESM's `jammy-apps-security`). Never a
 * match on one codename: once a release is superseded apt prints the archive name
 * (`oldstable-security`), not `bookworm-security` (host-facts.md 1.2).
 */
export function isSecurityOrigin(origin: string): boolean {
  const trimmed = origin.trim()
  const colon = trimmed.indexOf(':')
  const label = colon >= 0 ? trimmed.slice(0, colon) : ''
  const suite = trimmed.slice(trimmed.lastIndexOf('/') + 1)
  return label.toLowerCase() === 'debian-security' || suite.toLowerCase().endsWith('-security')
}
