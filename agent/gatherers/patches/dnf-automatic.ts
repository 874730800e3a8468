import type { AutoUpdatesFacts } from '../../../rules/facts/patches.js'

/** Units that run dnf-automatic (dnf-automatic(8)); the `-install` timer always applies updates. */
export const dnfAutomaticTimers = ['dnf-automatic.timer', 'dnf-automatic-install.timer', 'dnf5-automatic.timer'] as const

/**
 * `systemctl show -p Id -p LoadState -p UnitFileState UNIT…`: one `Key=value` block per
 * unit, blocks separated by a blank line. Returns unit id → its properties.
 */
export function parseSystemctlShow(text: string): Map<string, Map<string, string>> {
  const units = new Map<string, Map<string, string>>()
  for (const block of text.split(/\n\s*\n/)) {
    const properties = new Map<string, string>()
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=')
      if (eq > 0) properties.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim())
    }
    const id = properties.get('Id')
    if (id) units.set(id, properties)
  }
  return units
}

/** `apply_updates` from the `[commands]` section of /etc/dnf/automatic.conf (default no). */
export function parseAutomaticApplyUpdates(text: string): boolean {
  let section = ''
  let apply = false
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim()
    const header = /^\[(.+)\]$/.exec(line)
    if (header) {
      section = header[1]!.trim()
      continue
    }
    const match = /^apply_updates\s*[=:]\s*(\S+)$/i.exec(line)
    if (match && section === 'commands') apply = /^(1|yes|true|on)$/i.test(match[1]!)
  }
  return apply
}

/**
 * Enabled when `dnf-automatic-install.timer` is enabled, or `dnf-automatic.timer` (dnf5:
 * `dnf5-automatic.timer`) is enabled with `apply_updates = yes`: the plain timer with the
 * default configuration only downloads.
 */
export function assessDnfAutomatic(units: Map<string, Map<string, string>>, applyUpdates: boolean | null): AutoUpdatesFacts {
  const details: string[] = []
  let enabled = false
  for (const timer of dnfAutomaticTimers) {
    const unit = units.get(timer)
    const loaded = unit?.get('LoadState') === 'loaded'
    const state = loaded ? unit?.get('UnitFileState') ?? 'unknown' : 'not installed'
    details.push(`${timer}: ${state}`)
    if (state !== 'enabled') continue
    if (timer === 'dnf-automatic-install.timer' || applyUpdates === true) enabled = true
  }
  details.push(applyUpdates === null ? '/etc/dnf/automatic.conf: not readable' : `apply_updates = ${applyUpdates ? 'yes' : 'no'}`)
  return { enabled, tool: 'dnf-automatic', details }
}
