import { hostKeyId, type PinnedHostKey } from '../../agent/host/known-hosts.js'
import type { AuditLog } from '../audit/audit-log.js'
import { PostureError } from '../../rules/posture-error.js'
import type { SshNode } from '../ssh/ssh-node-spec.js'
import { parseSshNodeSpec } from '../ssh/ssh-node-spec.js'
import type { SshNodeStore } from '../ssh/ssh-node-store.js'
import { nextRuns } from './next-runs.js'
import { parseScheduleSpec, type Schedule, type ScheduleRun } from './schedule-spec.js'
import type { ScheduleStore } from './schedule-store.js'

/**
 * What the API and `posture collector schedule | ssh-node` do, in one place: validate,
 * change the store, and write the audit log (every change is audited, whoever makes it).
 * Errors are PostureError BAD_INPUT with a message naming the problem.
 */
export interface AdminDeps {
  schedules: ScheduleStore
  nodes: SshNodeStore
  audit: AuditLog
}

/** Who made a change: `user:alice`, `token:ab12`, `cli:root`; and from where. */
export interface Actor {
  actor: string
  ip: string | null
}

/** A schedule as the API and the CLI show it: with its next slots and latest run. */
export interface ScheduleView extends Schedule {
  nextRuns: string[]
  lastRun: ScheduleRun | null
}

export async function viewSchedule(deps: Pick<AdminDeps, 'schedules'>, schedule: Schedule, now: Date): Promise<ScheduleView> {
  const [lastRun] = await deps.schedules.runs(schedule.id, 1)
  const after = new Date(Math.max(now.getTime(), schedule.lastSlot ? Date.parse(schedule.lastSlot) : 0))
  return { ...schedule, nextRuns: schedule.enabled ? nextRuns(schedule, after, 3).map((d) => d.toISOString()) : [], lastRun: lastRun ?? null }
}

export async function addSchedule(deps: AdminDeps, input: unknown, who: Actor, now: Date): Promise<Schedule> {
  const spec = parseScheduleSpec(input)
  const schedule = await deps.schedules.add(spec, now)
  await deps.audit.append({
    ...who,
    action: 'schedule.change',
    target: `schedule:${schedule.name}`,
    outcome: 'success',
    details: { change: 'add', cron: spec.cron, timeZone: spec.timeZone, jitterMs: spec.jitterMs, mode: spec.mode, target: JSON.stringify(spec.target), domains: spec.domains.join(',') },
  })
  return schedule
}

export async function removeSchedule(deps: AdminDeps, name: string, who: Actor, now: Date): Promise<void> {
  const schedule = await requireSchedule(deps, name)
  await deps.schedules.remove(schedule.id, now)
  await deps.audit.append({ ...who, action: 'schedule.change', target: `schedule:${name}`, outcome: 'success', details: { change: 'remove' } })
}

export async function setScheduleEnabled(deps: AdminDeps, name: string, enabled: boolean, who: Actor, now: Date): Promise<Schedule> {
  const schedule = await requireSchedule(deps, name)
  if (schedule.enabled !== enabled) {
    await deps.schedules.setEnabled(schedule.id, enabled, now)
    await deps.audit.append({ ...who, action: 'schedule.change', target: `schedule:${name}`, outcome: 'success', details: { change: enabled ? 'enable' : 'disable' } })
  }
  return (await deps.schedules.get(schedule.id))!
}

export async function requireSchedule(deps: Pick<AdminDeps, 'schedules'>, name: string): Promise<Schedule> {
  const schedule = await deps.schedules.get(name)
  if (!schedule) throw new PostureError('BAD_INPUT', `no schedule named ${name}`)
  return schedule
}

export async function addSshNode(deps: AdminDeps, input: unknown, who: Actor, now: Date): Promise<SshNode> {
  const spec = parseSshNodeSpec(input)
  const node = await deps.nodes.add(spec, now)
  await deps.audit.append({
    ...who,
    action: 'ssh-node.change',
    target: `ssh-node:${node.name}`,
    outcome: 'success',
    // The key reference is a path or `agent`, never key material.
    details: { change: 'add', user: node.target.username, host: node.target.host, port: node.target.port, key: node.key, sudo: node.sudo, labels: JSON.stringify(node.labels) },
  })
  return node
}

export async function removeSshNode(deps: AdminDeps, name: string, who: Actor): Promise<void> {
  if (!(await deps.nodes.remove(name))) throw new PostureError('BAD_INPUT', `no SSH node named ${name}`)
  await deps.audit.append({ ...who, action: 'ssh-node.change', target: `ssh-node:${name}`, outcome: 'success', details: { change: 'remove' } })
}

/**
 * Replaces a node's pinned host key with the one its last scan refused, once a person has
 * compared `fingerprint` with the key on the node's console.
 */
export async function trustSshHostKey(deps: AdminDeps, name: string, fingerprint: string, who: Actor, now: Date): Promise<PinnedHostKey> {
  const node = await deps.nodes.get(name)
  if (!node) throw new PostureError('BAD_INPUT', `no SSH node named ${name}`)
  const id = hostKeyId(node.target.host, node.target.port)
  const before = await deps.nodes.hostKey(id)
  try {
    const pinned = await deps.nodes.trustRefused(id, fingerprint, now)
    await deps.audit.append({ ...who, action: 'ssh-node.change', target: `ssh-node:${name}`, outcome: 'success', details: { change: 'trust-host-key', hostId: id, previous: before?.fingerprint ?? null, pinned: pinned.fingerprint } })
    return pinned
  } catch (err) {
    await deps.audit.append({ ...who, action: 'ssh-node.change', target: `ssh-node:${name}`, outcome: 'failure', details: { change: 'trust-host-key', hostId: id, offered: fingerprint } })
    throw err
  }
}
