import type { Finding } from '../rules/finding.js'
import type { Waiver } from '../rules/waivers.js'

/**
 * Why a node's stored facts were scored again, read off the two reports themselves (pure):
 * the rules version they were scored with, and the waivers whose effect on this node's
 * findings changed. A waiver that no longer applies is `removed` when it is gone, `expired`
 * when it ran out, `changed` when it is live but no longer covers the finding (its scope
 * was edited); one that newly applies is `added`. Comparing the findings
 * (not the waiver lists) names exactly the waivers that touched this node, whatever
 * changed them (the API, `posture waiver` in another process, the clock).
 */
export interface RescoreCause {
  type: 'rescore'
  /** Null when the rules were the same. */
  rulesVersion: { previous: string; current: string } | null
  waivers: WaiverChange[]
}

export interface WaiverChange {
  id: string
  rule: string
  change: 'added' | 'removed' | 'expired' | 'changed'
}

interface Scored {
  rulesVersion: string
  findings: readonly Pick<Finding, 'rule' | 'status' | 'waiver'>[]
}

export function rescoreCause(previous: Scored, current: Scored, waivers: readonly Pick<Waiver, 'id' | 'expires'>[], now: Date): RescoreCause {
  const before = waiverRules(previous)
  const after = waiverRules(current)
  const expires = new Map(waivers.map((w) => [w.id, Date.parse(w.expires)]))
  const gone = (id: string): WaiverChange['change'] => {
    const at = expires.get(id)
    return at === undefined ? 'removed' : at <= now.getTime() ? 'expired' : 'changed'
  }
  const changes: WaiverChange[] = []
  for (const [id, rule] of before) if (!after.has(id)) changes.push({ id, rule, change: gone(id) })
  for (const [id, rule] of after) if (!before.has(id)) changes.push({ id, rule, change: 'added' })
  changes.sort((a, b) => a.id.localeCompare(b.id))
  return {
    type: 'rescore',
    rulesVersion: previous.rulesVersion === current.rulesVersion ? null : { previous: previous.rulesVersion, current: current.rulesVersion },
    waivers: changes,
  }
}

/** The waivers applied to a report's findings: id → rule. */
function waiverRules(report: Scored): Map<string, string> {
  const applied = new Map<string, string>()
  for (const f of report.findings) if (f.status === 'waived' && f.waiver) applied.set(f.waiver.id, f.rule)
  return applied
}

/** One line a person reads: "rules 2026.11.0+ab → 2026.11.0+cd; waiver w-1 removed". */
export function describeCause(cause: RescoreCause): string {
  const parts: string[] = []
  if (cause.rulesVersion) parts.push(`rules ${cause.rulesVersion.previous} → ${cause.rulesVersion.current}`)
  for (const w of cause.waivers) parts.push(`waiver ${w.id} (${w.rule}) ${w.change}`)
  return parts.length > 0 ? `re-scored: ${parts.join('; ')}` : 're-scored'
}
