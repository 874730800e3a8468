import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { PostureError } from '../../rules/posture-error.js'
import type { Waiver } from '../../rules/waivers.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { WaiverStore } from './waiver-store.js'

/**
 * Waivers as operators and admins manage them, through the API and `posture waiver`:
 * validated (a known rule, node or labels but not both, a justification, an approver, an
 * expiry in the future), stored, and audited (`waiver.create`, `waiver.delete`).
 * Errors are PostureError BAD_INPUT naming the problem.
 */
export const waiverInputSchema = z
  .object({
    rule: z.string().min(1),
    node: z.string().min(1).optional(),
    labels: z.record(z.string().min(1), z.string()).optional(),
    target: z.string().min(1).optional(),
    justification: z.string().trim().min(10, 'justification: say why the exception is accepted (at least 10 characters)').max(2000),
    approver: z.string().trim().min(1).max(200),
    expires: z.iso.datetime({ offset: true }).or(z.iso.date()),
  })
  .strict()
export type WaiverInput = z.infer<typeof waiverInputSchema>

export interface WaiverDeps {
  waivers: WaiverStore
  audit: AuditLog
  /** Rule ids the collector knows (built-in and user rules). */
  ruleIds: () => ReadonlySet<string>
}

export interface Actor {
  actor: string
  ip: string | null
}

export type WaiverView = Waiver & { state: 'live' | 'expired'; expiresInDays: number }

/** The longest a waiver may run: exceptions are reviewed at least yearly. */
export const maxWaiverDays = 366

export function viewWaiver(waiver: Waiver, now: Date): WaiverView {
  const left = Date.parse(waiver.expires) - now.getTime()
  return { ...waiver, state: left > 0 ? 'live' : 'expired', expiresInDays: Math.floor(left / 86_400_000) }
}

export async function createWaiver(deps: WaiverDeps, input: unknown, who: Actor, now: Date): Promise<Waiver> {
  const parsed = waiverInputSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new PostureError('BAD_INPUT', `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
  }
  const spec = parsed.data
  if (!deps.ruleIds().has(spec.rule)) throw new PostureError('BAD_INPUT', `rule: no rule ${spec.rule} (see posture rules list)`)
  if (spec.node !== undefined && spec.labels !== undefined) throw new PostureError('BAD_INPUT', 'scope: give a node or labels, not both')
  const expires = new Date(spec.expires)
  if (expires.getTime() <= now.getTime()) throw new PostureError('BAD_INPUT', `expires: ${expires.toISOString()} is not in the future`)
  if (expires.getTime() - now.getTime() > maxWaiverDays * 86_400_000) throw new PostureError('BAD_INPUT', `expires: at most ${maxWaiverDays} days ahead (waivers are reviewed at least yearly)`)
  const waiver: Waiver = {
    id: `w-${randomBytes(6).toString('hex')}`,
    rule: spec.rule,
    ...(spec.node !== undefined ? { node: spec.node } : {}),
    ...(spec.labels !== undefined && Object.keys(spec.labels).length > 0 ? { labels: spec.labels } : {}),
    ...(spec.target !== undefined ? { target: spec.target } : {}),
    justification: spec.justification,
    approver: spec.approver,
    created: now.toISOString(),
    expires: expires.toISOString(),
  }
  await deps.waivers.add(waiver)
  await deps.audit.append({
    actor: who.actor,
    action: 'waiver.create',
    target: `waiver:${waiver.id}`,
    outcome: 'success',
    ip: who.ip,
    details: { rule: waiver.rule, scope: scopeText(waiver), justification: waiver.justification, approver: waiver.approver, expires: waiver.expires },
  })
  return waiver
}

export async function removeWaiver(deps: WaiverDeps, id: string, who: Actor): Promise<Waiver> {
  const waiver = await deps.waivers.get(id)
  if (!waiver || !(await deps.waivers.remove(id))) throw new PostureError('BAD_INPUT', `no waiver ${id}`)
  await deps.audit.append({ actor: who.actor, action: 'waiver.delete', target: `waiver:${id}`, outcome: 'success', ip: who.ip, details: { rule: waiver.rule, scope: scopeText(waiver) } })
  return waiver
}

export function scopeText(waiver: Waiver): string {
  const where = waiver.node !== undefined ? `node ${waiver.node}` : waiver.labels ? Object.entries(waiver.labels).map(([k, v]) => `${k}=${v}`).join(',') : 'all nodes'
  return waiver.target !== undefined ? `${where}, target ${waiver.target}` : where
}
