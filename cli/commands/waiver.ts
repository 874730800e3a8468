import { userInfo } from 'node:os'
import { resolve } from 'node:path'
import { parseLabels } from '../../collector/collector-admin.js'
import { openCliBackend } from '../admin-backend.js'
import { createWaiver, removeWaiver, scopeText, viewWaiver, type WaiverDeps } from '../../collector/waivers/waiver-admin.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { PostureError } from '../../rules/posture-error.js'
import type { CliIO, Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'

const help = `Usage: posture waiver add --rule RULE [--node ID | --labels k=v,...] [--target T]
                          --justification TEXT --approver NAME --expires DATE [--data DIR | --database URL]
       posture waiver list [--json] [--data DIR | --database URL]
       posture waiver remove ID [--data DIR | --database URL]

Waivers accept a failing check as an exception, for a while: the findings they cover show
as "waived" and scores are shown with and without them. Every waiver has a justification,
an approver and an expiry (at most a year); when it expires the finding is a failure
again, flagged. Changes are recorded in the audit log; a running collector re-scores
within seconds.

Options:
  --rule RULE            the rule id (posture rules list)
  --node ID              one node (default: every node, or those with --labels)
  --labels k=v,...       nodes with all of these labels
  --target T             one target of the rule (e.g. 10.0.0.5:443); default every target
  --justification TEXT   why the exception is accepted
  --approver NAME        who accepted it
  --expires DATE         when it ends (ISO 8601)
  --data DIR             the collector's data directory (default ./posture-data)
  --rules DIR            user rule directories, so their rule ids are accepted
  --json                 print JSON (list)

Example:
  posture waiver add --rule ssh.password-auth-disabled --labels role=legacy \\
    --justification "vendor appliance, replaced in Q3 (CHG-1042)" --approver "J. Smith, CISO" --expires 2026-09-30`

export const waiverCommand: Command = {
  name: 'waiver',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('waiver', args, {
      rule: { type: 'string' }, node: { type: 'string' }, labels: { type: 'string' }, target: { type: 'string' },
      justification: { type: 'string' }, approver: { type: 'string' }, expires: { type: 'string' },
      data: { type: 'string' }, database: { type: 'string' }, rules: { type: 'string', multiple: true }, json: { type: 'boolean' },
    }, true)
    const [sub, ...rest] = positionals
    if (values.help || sub === undefined) {
      io.stdout.write(`${help}\n`)
      return values.help ? 0 : 2
    }
    const backend = await openCliBackend(values, io)
    try {
      const deps: WaiverDeps = {
        waivers: backend.waivers,
        audit: backend.audit,
        ruleIds: () => new Set(loadRuleSet({ userDirs: (values.rules ?? []).map((d) => resolve(io.cwd, d)) }).rules.map((r) => r.spec.id)),
      }
      const who = { actor: `cli:${userInfo().username}`, ip: null }
      if (sub === 'add') {
        if (rest.length > 0) throw new PostureError('BAD_USAGE', `posture waiver add: unexpected ${rest.join(' ')}`)
        const labels = values.labels !== undefined ? parseLabels(values.labels) : undefined
        const waiver = await createWaiver(deps, {
          rule: values.rule, justification: values.justification, approver: values.approver, expires: values.expires,
          ...(values.node !== undefined ? { node: values.node } : {}), ...(labels ? { labels } : {}), ...(values.target !== undefined ? { target: values.target } : {}),
        }, who, new Date()).catch(asUsage)
        io.stdout.write(`${waiver.id}\n`)
        io.stderr.write(`waiver ${waiver.id}: ${waiver.rule} on ${scopeText(waiver)}, approved by ${waiver.approver}, until ${waiver.expires}\n`)
        return 0
      }
      if (sub === 'list') return await list(deps, values.json ?? false, io)
      if (sub === 'remove') {
        if (rest.length !== 1) throw new PostureError('BAD_USAGE', 'usage: posture waiver remove ID')
        const waiver = await removeWaiver(deps, rest[0]!, who).catch(asUsage)
        io.stdout.write(`waiver ${waiver.id} removed\n`)
        return 0
      }
      throw new PostureError('BAD_USAGE', `posture waiver: unknown subcommand "${sub}" (add, list, remove)`)
    } finally {
      await backend.close()
    }
  },
}

async function list(deps: WaiverDeps, json: boolean, io: CliIO): Promise<number> {
  const now = new Date()
  const waivers = (await deps.waivers.list()).map((w) => viewWaiver(w, now))
  if (json) {
    io.stdout.write(`${JSON.stringify(waivers, null, 2)}\n`)
    return 0
  }
  for (const w of waivers) {
    io.stdout.write(`${w.id}  ${w.state === 'expired' ? 'EXPIRED' : 'live   '}  ${w.expires}  ${w.rule}  ${scopeText(w)}  approver: ${w.approver}  "${w.justification}"\n`)
  }
  if (waivers.length === 0) io.stderr.write('no waivers\n')
  return 0
}

function asUsage(err: unknown): never {
  if (err instanceof PostureError && err.code === 'BAD_INPUT') throw new PostureError('BAD_USAGE', `posture waiver: ${err.message}`)
  throw err
}
