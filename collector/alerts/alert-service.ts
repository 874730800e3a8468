import { randomUUID } from 'node:crypto'
import type { AlertLog } from './alert-log.js'
import { errorMessage } from '../../rules/posture-error.js'
import type { Waiver } from '../../rules/waivers.js'
import type { ScheduleRun } from '../schedule/schedule-spec.js'
import type { AlertsConfig } from './alert-config.js'
import type { AlertEvent } from './alert-events.js'
import { messagesFor } from './alert-dispatch.js'
import { deriveScanEvents, groupByNode } from './derive-events.js'
import type { AlertStore } from './alert-store.js'
import { sweepEvents } from './sweep-events.js'
import { describeCause, type RescoreCause } from '../rescore-cause.js'

export interface AlertServiceDeps {
  alerts: AlertStore
  config: Readonly<AlertsConfig>
  clock: () => Date
  log: AlertLog
  listWaivers: () => Promise<Waiver[]>
  /** Called after messages were queued (the delivery worker's wake). */
  queued: () => void
}

/**
 * Where events become outbox messages: after a report is stored, on each sweep, when a
 * scheduled run ends, and on a test send. Everything here is a few statements on the
 * alert store; sending happens in the delivery worker.
 */
export class AlertService {
  readonly #deps: AlertServiceDeps

  constructor(deps: AlertServiceDeps) {
    this.#deps = deps
  }

  /** A stored report: one message per destination for this node's scan (dedupe key: the scan). */
  async onReport(scanId: string): Promise<number> {
    const { alerts, config } = this.#deps
    const pair = await alerts.scanPair(scanId)
    if (!pair) return 0
    await alerts.recordCertificates(pair.node.id, pair.scanPk)
    const events = deriveScanEvents(pair.node, pair.previous, pair.current, { scoreDropPoints: config.scoreDropPoints })
    if (events.length === 0) return 0
    return this.#enqueue({ kind: 'scan', node: pair.node, scanId, dedupeKey: `scan|${scanId}`, events })
  }

  /**
   * Stored facts scored again (a rules or waiver change): the events a scan would raise,
   * each marked with the cause; one message per node per re-scoring.
   */
  async onRescore(scanId: string, cause: RescoreCause): Promise<number> {
    const { alerts, config } = this.#deps
    // Compared with the entry just before it even if a scan (or another re-scoring) came since: each change is told once.
    const pair = await alerts.scanPair(scanId, { currentOnly: false })
    if (!pair) return 0
    const because = describeCause(cause)
    const events = deriveScanEvents(pair.node, pair.previous, pair.current, { scoreDropPoints: config.scoreDropPoints }).map((e) => ({ ...e, summary: `${e.summary} (${because})`, cause }))
    if (events.length === 0) return 0
    return this.#enqueue({ kind: 'rescore', node: pair.node, scanId, dedupeKey: `rescore|${scanId}`, events })
  }

  /** Time-based conditions, each fired once; one message per node per sweep. */
  async sweep(now: Date = this.#deps.clock()): Promise<number> {
    const { alerts, config } = this.#deps
    const state = await alerts.sweepState(await this.#deps.listWaivers())
    const fired: AlertEvent[] = []
    const keyOf = new Map<AlertEvent, string>()
    for (const condition of sweepEvents(state, now, config)) {
      if (!(await alerts.fireCondition(condition.key, now))) continue
      fired.push(condition.event)
      keyOf.set(condition.event, condition.key)
    }
    let queued = 0
    for (const events of groupByNode(fired).values()) {
      // Each condition fires once, so the group's first condition names the message uniquely.
      queued += await this.#enqueue({ kind: 'sweep', node: events[0]?.node ?? null, scanId: null, dedupeKey: `sweep|${keyOf.get(events[0]!)}`, events })
    }
    return queued
  }

  /** A scheduled run that failed (wholly or for some nodes). */
  async onRunFinished(run: ScheduleRun): Promise<number> {
    if (run.status !== 'failed' && run.status !== 'partial') return 0
    const event: AlertEvent = {
      type: 'schedule.failed',
      severity: 'high',
      node: null,
      subject: `schedule:${run.scheduleId}`,
      summary: `scheduled run ${run.id} ${run.status === 'failed' ? 'failed' : 'partly failed'}: ${run.failures.length} of ${run.targeted} node(s) not scanned${run.failures[0] ? ` (${run.failures[0].target}: ${run.failures[0].reason})` : ''}`,
      details: { scheduleId: run.scheduleId, runId: run.id, status: run.status, trigger: run.trigger, slot: run.slot, targeted: run.targeted, scanned: run.scanned, failures: run.failures },
    }
    return this.#enqueue({ kind: 'schedule', node: null, scanId: null, dedupeKey: `run|${run.id}`, events: [event] })
  }

  /** A test message to one destination, whatever its filters. Returns the message id (null: no such destination). */
  async testSend(webhookId: number): Promise<string | null> {
    const { alerts, clock } = this.#deps
    const webhook = await alerts.webhook(webhookId)
    if (!webhook) return null
    const event: AlertEvent = { type: webhook.events[0] ?? 'finding.new', severity: 'info', node: null, subject: 'test', summary: `test message from Posture to ${webhook.name}`, details: { test: true } }
    const [message] = messagesFor([webhook], { kind: 'test', node: null, scanId: null, dedupeKey: `test|${randomUUID()}`, events: [event] }, clock())
    await alerts.enqueue([message!], clock())
    this.#deps.queued()
    return message!.messageId
  }

  async #enqueue(group: Parameters<typeof messagesFor>[1]): Promise<number> {
    const { alerts, clock, log } = this.#deps
    try {
      const added = await alerts.enqueue(messagesFor(await alerts.webhooks(), group, clock()), clock())
      if (added > 0) this.#deps.queued()
      return added
    } catch (err) {
      log.error({ err: errorMessage(err), kind: group.kind }, 'alerts could not be queued')
      return 0
    }
  }
}
