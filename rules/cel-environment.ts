import { Environment } from '@marcbachmann/cel-js'

/**
 * The CEL environment every rule expression runs in. Variables:
 * - `facts`: the node's facts (see rules/facts/);
 * - `item`: the current element of `for_each`;
 * - `params`: the rule's parameters, after user overrides;
 * - `now`: the scan's clock, a timestamp.
 * Numbers from facts are CEL doubles (JSON has no integers). Standard CEL refuses
 * `double * int`; rule authors would trip on `facts.x.seconds / 3600` constantly, so the
 * four arithmetic operators are also defined between double and int (giving a double).
 *
 * Functions beyond standard CEL, kept few and pure:
 * - `daysBetween(from, to)`: (to − from) in days, as a double (timestamps).
 */
const arithmetic: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
}

export function createCelEnvironment(): Environment {
  let env = new Environment({ homogeneousAggregateLiterals: false })
  for (const [op, apply] of Object.entries(arithmetic)) {
    env = env
      .registerOperator(`double ${op} int`, (a: number, b: bigint) => apply(a, Number(b)))
      .registerOperator(`int ${op} double`, (a: bigint, b: number) => apply(Number(a), b))
  }
  return env
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
