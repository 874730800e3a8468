import { z } from 'zod'
import type { Finding } from './finding.js'

/**
 * A waiver: an accepted exception with a justification, an approver and an expiry
 * (InSpec's waivers are the model). Scope: a rule, on all nodes or one node or nodes with
 * given labels, optionally one target.
 */
export const waiverSchema = z
  .object({
    id: z.string(),
    rule: z.string(),
    /** Node id; absent = any node (subject to `labels`). */
    node: z.string().optional(),
    /** Every label here must match the node's. */
    labels: z.record(z.string(), z.string()).optional(),
    target: z.string().optional(),
    justification: z.string().min(1),
    approver: z.string().min(1),
    created: z.iso.datetime(),
    expires: z.iso.datetime(),
  })
  .strict()
export type Waiver = z.infer<typeof waiverSchema>

export interface WaiverScope {
  nodeId: string
  labels: Record<string, string>
}

/**
 * Marks findings covered by a live waiver as `waived`, keeping the status they had.
 * An expired waiver leaves the finding as it is and says so in its message, so that an
 * exception nobody renewed shows up as the failure it is.
 */
export function applyWaivers(findings: readonly Finding[], waivers: readonly Waiver[], scope: WaiverScope, now: Date): Finding[] {
  return findings.map((finding) => {
    if (finding.status !== 'fail' && finding.status !== 'error' && finding.status !== 'pass') return finding
    const matching = waivers.filter((w) => covers(w, finding, scope))
    const live = matching.find((w) => Date.parse(w.expires) > now.getTime())
    if (live) {
      return {
        ...finding,
        status: 'waived',
        waiver: {
          id: live.id,
          justification: live.justification,
          approver: live.approver,
          expires: live.expires,
          waivedStatus: finding.status,
        },
      }
    }
    const expired = matching[0]
    if (expired && finding.status === 'fail') {
      return { ...finding, message: `${finding.message} (waiver ${expired.id} expired ${expired.expires})` }
    }
    return finding
  })
}

function covers(waiver: Waiver, finding: Finding, scope: WaiverScope): boolean {
  if (waiver.rule !== finding.rule) return false
  if (waiver.node !== undefined && waiver.node !== scope.nodeId) return false
  if (waiver.target !== undefined && waiver.target !== finding.target) return false
  for (const [key, value] of Object.entries(waiver.labels ?? {})) if (scope.labels[key] !== value) return false
  return true
}
