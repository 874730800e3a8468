import { Environment } from '@marcbachmann/cel-js'

/**
 * The CEL environment every rule expression runs in. Variables:
 * - `facts`: the node's facts (see rules/facts/);
 * - `item`: the current element of `for_each`;
 * - `params`: the rule's parameters, after user overrides;
 * - `now`: the scan's clock, a timestamp.
 * Numbers from facts are CEL doubles (JSON has no integers): compare them freely with
 * integer literals, and write `1.0` in arithmetic.
 *
 * Functions beyond standard CEL, kept few and pure:
 * - `daysBetween(from, to)`: (to − from) in days, as a double (timestamps).
 */
export function createCelEnvironment(): Environment {
  return new Environment({ homogeneousAggregateLiterals: false })
    .registerVariable('facts', 'dyn')
    .registerVariable('item', 'dyn')
    .registerVariable('params', 'dyn')
    .registerVariable('now', 'google.protobuf.Timestamp')
    .registerFunction(
      'daysBetween(google.protobuf.Timestamp, google.protobuf.Timestamp): double',
      (from: Date, to: Date) => (to.getTime() - from.getTime()) / 86_400_000,
    )
}

export const celVariables = ['facts', 'item', 'params', 'now'] as const
