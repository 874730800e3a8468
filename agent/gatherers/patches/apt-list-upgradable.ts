import { isSecurityOrigin } from './apt-origins.js'

export interface AptUpgradable {
  name: string
  arch: string
  installed: string
  candidate: string
  /** The archives the candidate is in: `oldstable`, `oldstable-security`, `jammy-updates`. */
  suites: string[]
  security: boolean
}

// <name>/<suite>[,<suite>…] <candidate> <arch> [upgradable from: <installed>]
const upgradableLine = /^([^/\s]+)\/(\S+) (\S+) (\S+) \[upgradable from: ([^\]]+)\]$/

/**
 * Parses `apt list --upgradable` (LC_ALL=C). apt prints a "no stable CLI interface"
 * WARNING on stderr and a `Listing...` line; when both streams are merged they are mixed
 * into the text, so every line that is not a package line is skipped.
 */
export function parseAptListUpgradable(text: string): AptUpgradable[] {
  const packages: AptUpgradable[] = []
  for (const raw of text.split('\n')) {
    const match = upgradableLine.exec(raw.trim())
    if (!match) continue
    const suites = match[2]!.split(',').filter(Boolean)
    packages.push({
      name: match[1]!,
      suites,
      candidate: match[3]!,
      arch: match[4]!,
      installed: match[5]!,
      security: suites.some(isSecurityOrigin),
    })
  }
  return packages
}
