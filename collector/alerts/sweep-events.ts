import type { Severity } from '../../rules/severity.js'
import type { Waiver } from '../../rules/waivers.js'
import type { AlertEvent, AlertNode } from './alert-events.js'

/**
 * Time-based events (pure: the state and `now` in, conditions out). Each carries a
 * condition key that names the condition exactly once: a node silent since T, a failure's
 * SLA due at T, a certificate expiring at T, a waiver expiring at T. The sweep fires a
 * condition the first time it sees its key, never again; a new T (the node went silent
 * again, the certificate was renewed) is a new condition.
 */
export interface SweepState {
  silentNodes: readonly (AlertNode & { offlineSince: string })[]
  openFailures: readonly { node: AlertNode; rule: string; target: string; severity: Severity; slaDue: string; failingSince: string; waived: boolean }[]
  certificates: readonly { node: AlertNode; target: string; subject: string; notAfter: string }[]
  waivers: readonly Waiver[]
}

export interface SweepOptions {
  slaApproachingMs: number
  certificateWindowDays: number
  waiverWindowDays: number
}

export interface Condition {
  key: string
  event: AlertEvent
}

const dayMs = 86_400_000

export function sweepEvents(state: SweepState, now: Date, options: SweepOptions): Condition[] {
  const t = now.getTime()
  const out: Condition[] = []
  for (const n of state.silentNodes) {
    const node = { id: n.id, hostname: n.hostname }
    out.push({ key: `silent|${n.id}|${n.offlineSince}`, event: { type: 'node.silent', severity: 'high', node, subject: 'liveness', summary: `${n.hostname} has gone silent (no report since it went offline at ${n.offlineSince})`, details: { offlineSince: n.offlineSince } } })
  }
  for (const f of state.openFailures) {
    // A waived failure's SLA is paused (collector/store/lifecycle.ts).
    if (f.waived) continue
    const due = Date.parse(f.slaDue)
    const subject = `${f.rule}@${f.target}`
    const details = { rule: f.rule, target: f.target, slaDue: f.slaDue, failingSince: f.failingSince }
    if (due <= t) {
      out.push({ key: `sla-breached|${f.node.id}|${subject}|${f.slaDue}`, event: { type: 'sla.breached', severity: f.severity, node: f.node, subject, summary: `${f.rule} on ${f.node.hostname} is past its remediation SLA (due ${f.slaDue})`, details } })
    } else if (due - t <= options.slaApproachingMs) {
      out.push({ key: `sla-approaching|${f.node.id}|${subject}|${f.slaDue}`, event: { type: 'sla.approaching', severity: f.severity, node: f.node, subject, summary: `${f.rule} on ${f.node.hostname} is due by ${f.slaDue}`, details } })
    }
  }
  for (const c of state.certificates) {
    const left = (Date.parse(c.notAfter) - t) / dayMs
    if (left > options.certificateWindowDays) continue
    const expired = left <= 0
    out.push({
      key: `certificate|${c.node.id}|${c.target}|${c.notAfter}`,
      event: {
        type: 'certificate.expiring',
        severity: expired ? 'critical' : 'high',
        node: c.node,
        subject: c.target,
        summary: expired ? `the certificate of ${c.target} on ${c.node.hostname} expired on ${c.notAfter}` : `the certificate of ${c.target} on ${c.node.hostname} expires in ${Math.floor(left)} days (${c.notAfter})`,
        details: { target: c.target, subject: c.subject, notAfter: c.notAfter, daysRemaining: Math.floor(left) },
      },
    })
  }
  for (const w of state.waivers) {
    const left = Date.parse(w.expires) - t
    if (left <= 0 || left > options.waiverWindowDays * dayMs) continue
    out.push({
      key: `waiver|${w.id}|${w.expires}`,
      event: { type: 'waiver.expiring', severity: 'medium', node: null, subject: w.id, summary: `waiver ${w.id} (${w.rule}) expires on ${w.expires}`, details: { id: w.id, rule: w.rule, node: w.node ?? null, target: w.target ?? null, expires: w.expires, approver: w.approver } },
    })
  }
  return out
}
