import type { FactErrors } from '../../../rules/facts/facts.js'
import type { PatchesFacts } from '../../../rules/facts/patches.js'
import type { Evidence } from '../evidence.js'

/** What a package-manager gatherer learned: facts, and why the others are missing. */
export interface PatchesGathered {
  facts: PatchesFacts
  /** Dotted fact path (`patches.reboot`) → reason. */
  errors: FactErrors
}

export function emptyGathered(): PatchesGathered {
  return { facts: {}, errors: {} }
}

/** Records a fact, or the reason it could not be gathered under `patches.<key>`. */
export function put<K extends keyof PatchesFacts>(out: PatchesGathered, key: K, evidence: Evidence<NonNullable<PatchesFacts[K]>>): void {
  if (evidence.ok) out.facts[key] = evidence.value
  else out.errors[`patches.${key}`] = evidence.reason
}

/** The fact paths every package-manager gatherer fills (all but osSupport, which comes from the table). */
export const packageFactKeys = ['pendingUpdates', 'securityUpdates', 'reboot', 'kernel', 'autoUpdates', 'index'] as const
