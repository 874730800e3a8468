import type { Controls } from '../../../rules/finding.js'
import type { Params } from '../../../rules/rule-schema.js'

/** GET /api/rules: the catalogue the collector evaluates with. */
export interface RuleInfo {
  id: string
  title: string
  domain: string
  severity: string
  check: string
  forEach: string | null
  applies: string | null
  rationale: string
  remediation: string
  references: string[]
  controls: Controls
  params: Params
}

export interface RulesCatalogue {
  version: string
  rules: RuleInfo[]
}

/** GET /api/compliance?framework=F: per control of one framework, how many nodes pass and fail. */
export interface ComplianceView {
  frameworks: string[]
  framework: string
  controls: {
    control: string
    rules: string[]
    /** Nodes where every rule of the control that applies passes (or is waived). */
    nodesPassing: number
    /** Nodes with at least one open failure of the control's rules. */
    nodesFailing: number
  }[]
}
