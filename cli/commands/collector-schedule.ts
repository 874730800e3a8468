import { userInfo } from 'node:os'
import { parseDuration } from '../../agent/agent-duration.js'
import { parseLabels } from '../../collector/collector-admin.js'
import { openCliBackend } from '../admin-backend.js'
import { addSchedule, removeSchedule, requireSchedule, setScheduleEnabled, viewSchedule, type Actor, type AdminDeps } from '../../collector/schedule/schedule-admin.js'
import type { ScheduleRun, ScheduleTarget } from '../../collector/schedule/schedule-spec.js'
import { PostureError } from '../../rules/posture-error.js'
import type { CliIO } from '../command.js'
import { parseDomains } from '../options.js'
import { parseCommandArgs } from '../parse-args.js'

/**
 * `posture collector schedule …` (and the helpers `posture collector ssh-node …` shares): they work on the data
 * directory directly, beside a running collector (SQLite WAL), which picks changes up
 * within `schedules.pollMs`. Every change goes to the audit log as `cli:USER`.
 */
export const scheduleHelp = `Usage: posture collector schedule add NAME --cron EXPR --mode agent|ssh [options] [--data DIR | --database URL]
       posture collector schedule list [--json] [--data DIR | --database URL]
       posture collector schedule runs NAME [--limit N] [--json] [--data DIR | --database URL]
       posture collector schedule enable|disable|remove NAME [--data DIR | --database URL]

Scheduled audit scans: the collector runs them at their cron slots, through agents or
over SSH, and keeps every run (started, finished, nodes scanned, failures with reasons).
A slot missed while the collector was down runs once when it starts.

Options for add:
  --cron EXPR        five fields (minute hour day-of-month month day-of-week) or
                     @hourly, @daily, @weekly, @monthly, @yearly, @weekdays, @weekends
  --tz ZONE          IANA time zone the expression is read in (default UTC)
  --jitter DURATION  each node starts up to this long after the slot (e.g. 10m; max 6h)
  --mode MODE        agent: ask connected agents to scan; ssh: scan SSH nodes agentless
  --labels k=v,...   only nodes with all these labels (default: all nodes)
  --nodes A,B        only these nodes (node ids or host names; SSH node names)
  --only DOMAINS     domains to scan (default: all)
  --disabled         add it switched off

Examples:
  posture collector schedule add nightly --cron "30 2 * * *" --tz Europe/Berlin --jitter 20m --mode agent
  posture collector schedule add legacy --cron @daily --mode ssh --labels rack=r12 --only patches,access`

export async function scheduleSubcommand(args: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = args
  const run = action === undefined ? undefined : scheduleActions[action]
  if (!run) {
    io.stdout.write(scheduleHelp + '\n')
    return action === undefined || action === '--help' || action === '-h' ? 0 : 2
  }
  return run(rest, io)
}

export type Action = (args: string[], io: CliIO) => Promise<number>

const scheduleActions: Record<string, Action> = {
  async add(args, io) {
    const { values, positionals } = parseCommandArgs(
      'collector schedule add',
      args,
      {
        data: { type: 'string' }, database: { type: 'string' },
        cron: { type: 'string' },
        tz: { type: 'string' },
        jitter: { type: 'string' },
        mode: { type: 'string' },
        labels: { type: 'string' },
        nodes: { type: 'string' },
        only: { type: 'string' },
        disabled: { type: 'boolean' },
      },
      true,
    )
    if (values.help) return help(io, scheduleHelp)
    const name = onlyName(positionals, 'schedule add NAME')
    if (values.labels !== undefined && values.nodes !== undefined) throw new PostureError('BAD_USAGE', 'give --labels or --nodes, not both')
    const target: ScheduleTarget =
      values.labels !== undefined
        ? { kind: 'labels', labels: parseLabels(values.labels) }
        : values.nodes !== undefined
          ? { kind: 'nodes', nodes: values.nodes.split(',').map((n) => n.trim()).filter(Boolean) }
          : { kind: 'all' }
    const input = {
      name,
      cron: values.cron,
      mode: values.mode,
      target,
      ...(values.tz !== undefined ? { timeZone: values.tz } : {}),
      ...(values.jitter !== undefined ? { jitterMs: parseDuration(values.jitter, '--jitter') } : {}),
      ...(values.only !== undefined ? { domains: parseDomains(values.only) } : {}),
      ...(values.disabled ? { enabled: false } : {}),
    }
    return withAdmin(values, io, async (deps, now) => {
      const schedule = await addSchedule(deps, input, actor(io), now)
      const view = await viewSchedule(deps, schedule, now)
      io.stdout.write(`added schedule ${schedule.name}: ${describe(view)}\n`)
      if (view.nextRuns.length > 0) io.stdout.write(`next runs: ${view.nextRuns.join(', ')}\n`)
      return 0
    })
  },

  async list(args, io) {
    const { values } = parseCommandArgs('collector schedule list', args, { data: { type: 'string' }, database: { type: 'string' }, json: { type: 'boolean' } })
    if (values.help) return help(io, scheduleHelp)
    return withAdmin(values, io, async (deps, now) => {
      const views = await Promise.all((await deps.schedules.list()).map((s) => viewSchedule(deps, s, now)))
      if (values.json) {
        io.stdout.write(JSON.stringify({ schedules: views }, null, 2) + '\n')
        return 0
      }
      if (views.length === 0) io.stdout.write('no schedules (posture collector schedule add --help)\n')
      for (const view of views) {
        io.stdout.write(`${view.name}  ${describe(view)}\n`)
        io.stdout.write(`  next: ${view.enabled ? (view.nextRuns[0] ?? '-') : 'disabled'}   last run: ${view.lastRun ? describeRun(view.lastRun) : 'none yet'}\n`)
      }
      return 0
    })
  },

  async runs(args, io) {
    const { values, positionals } = parseCommandArgs('collector schedule runs', args, { data: { type: 'string' }, database: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } }, true)
    if (values.help) return help(io, scheduleHelp)
    const name = onlyName(positionals, 'schedule runs NAME')
    const limit = values.limit === undefined ? 20 : Number(values.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new PostureError('BAD_USAGE', `--limit: "${values.limit}" is not a number from 1 to 500`)
    return withAdmin(values, io, async (deps) => {
      const schedule = await requireSchedule(deps, name)
      const runs = await deps.schedules.runs(schedule.id, limit)
      if (values.json) {
        io.stdout.write(JSON.stringify({ runs }, null, 2) + '\n')
        return 0
      }
      if (runs.length === 0) io.stdout.write(`schedule ${name} has not run yet\n`)
      for (const run of runs) {
        io.stdout.write(`#${run.id} ${describeRun(run)}\n`)
        for (const failure of run.failures) io.stdout.write(`    ${failure.target}: ${failure.reason}\n`)
      }
      return 0
    })
  },

  async remove(args, io) {
    return changeSchedule('remove', args, io, (deps, name, now) => removeSchedule(deps, name, actor(io), now).then(() => `removed schedule ${name} (its run history is kept)`))
  },
  async enable(args, io) {
    return changeSchedule('enable', args, io, (deps, name, now) => setScheduleEnabled(deps, name, true, actor(io), now).then(() => `enabled schedule ${name}`))
  },
  async disable(args, io) {
    return changeSchedule('disable', args, io, (deps, name, now) => setScheduleEnabled(deps, name, false, actor(io), now).then(() => `disabled schedule ${name}`))
  },
}

async function changeSchedule(verb: string, args: string[], io: CliIO, change: (deps: AdminDeps, name: string, now: Date) => Promise<string>): Promise<number> {
  const { values, positionals } = parseCommandArgs(`collector schedule ${verb}`, args, { data: { type: 'string' }, database: { type: 'string' } }, true)
  if (values.help) return help(io, scheduleHelp)
  const name = onlyName(positionals, `schedule ${verb} NAME`)
  return withAdmin(values, io, async (deps, now) => {
    io.stdout.write(`${await change(deps, name, now)}\n`)
    return 0
  })
}

export async function withAdmin(values: { data?: string | undefined; database?: string | undefined }, io: CliIO, work: (deps: AdminDeps, now: Date) => Promise<number>): Promise<number> {
  const now = new Date()
  const backend = await openCliBackend(values, io, () => now)
  try {
    return await work({ schedules: backend.schedules, nodes: backend.sshNodes, audit: backend.audit }, now)
  } finally {
    await backend.close()
  }
}

export function actor(io: CliIO): Actor {
  return { actor: `cli:${io.env.USER || userInfo().username}`, ip: null }
}

export function onlyName(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new PostureError('BAD_USAGE', `usage: posture collector ${usage}`)
  return positionals[0]!
}

function describe(view: Awaited<ReturnType<typeof viewSchedule>>): string {
  const target = view.target.kind === 'all' ? 'all nodes' : view.target.kind === 'labels' ? Object.entries(view.target.labels).map(([k, v]) => `${k}=${v}`).join(',') : view.target.nodes.join(',')
  const jitter = view.jitterMs > 0 ? `, jitter ${view.jitterMs} ms` : ''
  return `"${view.cron}" ${view.timeZone}${jitter}, ${view.mode}, ${target}, domains ${view.domains.join(',')}${view.enabled ? '' : ' (disabled)'}`
}

function describeRun(run: ScheduleRun): string {
  const failures = run.failures.length > 0 ? `, ${run.failures.length} failed` : ''
  return `${run.status} ${run.trigger}${run.slot ? ` for ${run.slot}` : ''}${run.missedSlots > 0 ? ` (${run.missedSlots} missed slots skipped)` : ''}, started ${run.startedAt}, ${run.scanned}/${run.targeted} scanned${failures}`
}

export function help(io: CliIO, text: string): number {
  io.stdout.write(text + '\n')
  return 0
}
