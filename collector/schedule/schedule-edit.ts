import { PostureError } from '../../rules/posture-error.js'
import type { Actor, AdminDeps } from './schedule-admin.js'
import { parseScheduleSpec, type Schedule } from './schedule-spec.js'

/**
 * Edits a schedule in place (PUT /api/schedules/:name, the dashboard's "Edit"): the whole
 * spec is validated like a new one, the name cannot change (it is how runs, the CLI and
 * the audit log refer to it), and the change is audited with the new timing and targets.
 */
export async function editSchedule(deps: Pick<AdminDeps, 'schedules' | 'audit'>, name: string, input: unknown, who: Actor, now: Date): Promise<Schedule> {
  const body = typeof input === 'object' && input !== null && !('name' in input) ? { ...input, name } : input
  const spec = parseScheduleSpec(body)
  if (spec.name !== name) throw new PostureError('BAD_INPUT', `schedule: name: a schedule cannot be renamed (${name} → ${spec.name}); add a new one instead`)
  const schedule = await deps.schedules.get(name)
  if (!schedule) throw new PostureError('BAD_INPUT', `no schedule named ${name}`)
  await deps.schedules.update(schedule.id, spec, now)
  await deps.audit.append({
    ...who,
    action: 'schedule.change',
    target: `schedule:${name}`,
    outcome: 'success',
    details: { change: 'edit', cron: spec.cron, timeZone: spec.timeZone, jitterMs: spec.jitterMs, mode: spec.mode, target: JSON.stringify(spec.target), domains: spec.domains.join(','), enabled: spec.enabled },
  })
  return (await deps.schedules.get(schedule.id))!
}
