import { z } from 'zod'
import type { Severity } from '../../rules/severity.js'
import type { RescoreCause } from '../rescore-cause.js'

/**
 * What alerts are about (README, "Alerts"). Each event carries a severity so that a
 * destination's minimum severity applies to every kind, not only to findings.
 */
export const alertEventTypes = [
  'finding.new',
  'finding.resolved',
  'score.dropped',
  'certificate.expiring',
  'node.silent',
  'sla.approaching',
  'sla.breached',
  'waiver.expiring',
  'ssh.host-key-changed',
  'schedule.failed',
] as const
export type AlertEventType = (typeof alertEventTypes)[number]
export const alertEventTypeSchema = z.enum(alertEventTypes)

export interface AlertNode {
  id: string
  hostname: string
}

export interface AlertEvent {
  type: AlertEventType
  severity: Severity
  /** Null for fleet-wide events (a waiver, a schedule). */
  node: AlertNode | null
  /** What the event is about: `rule@target`, a certificate's endpoint, a waiver id. */
  subject: string
  /** One line a person reads. */
  summary: string
  details: Record<string, unknown>
  /** Only on events raised by re-scoring stored facts: which rules version or waivers changed. */
  cause?: RescoreCause
}

/** The body of one webhook message (format `json`): every event of one node's scan (or re-scoring), or of one sweep. */
export interface AlertMessage {
  schema: 'posture.alert/v1'
  id: string
  kind: 'scan' | 'rescore' | 'sweep' | 'schedule' | 'test'
  createdAt: string
  node: AlertNode | null
  scanId: string | null
  events: AlertEvent[]
}

