import { celEnv, parse as bufParse, plan as bufPlan } from '@bufbuild/cel'
import type { CompiledRule } from '../../rules/compile-rule.js'
import { evaluateRule } from '../../rules/evaluate.js'
import type { Facts } from '../../rules/facts/facts.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { defaultTestNow } from '../../rules/rule-tests.js'

/**
 * Rule engine throughput. Fact set: every rule's own test-case facts, with each
 * `for_each` list grown to 200 items (a node with hundreds of listeners, endpoints or
 * disks). Measured side by side in this run:
 * - the whole built-in catalogue through the engine (findings/s);
 * - the rules that have a hand-written TypeScript predicate below, through the engine
 *   and as plain predicates (the ceiling), and the ratio;
 * - the CEL engines we considered (@marcbachmann/cel-js, chosen; @bufbuild/cel) on
 *   the catalogue's check expressions.
 */
const itemsPerList = 200
const minMillis = 1_000

type Predicate = (input: { facts: Facts; item: unknown; params: Record<string, unknown>; now: Date }) => boolean

/** The same checks as the catalogue's CEL, written by hand. Add one as rules land. */
const ceilings: Record<string, Predicate> = {
  'system.time-synced': ({ facts }) => facts.system!.timeSync!.synchronized === true,
  'system.time-sync-enabled': ({ facts }) => facts.system!.timeSync!.ntpEnabled === true,
}

interface Workload {
  rule: CompiledRule
  facts: Facts
  items: unknown[] | null
}

function workloads(rules: readonly CompiledRule[]): Workload[] {
  return rules.flatMap((rule) =>
    rule.spec.tests
      .filter((t) => !t.factErrors)
      .map((t) => {
        const facts = structuredClone(t.facts) as Facts
        let items: unknown[] | null = null
        const path = rule.spec.for_each?.match(/^facts\.(.+)$/)?.[1]?.split('.')
        if (path) {
          const parent = path.slice(0, -1).reduce<Record<string, unknown> | undefined>((o, k) => o?.[k] as Record<string, unknown> | undefined, facts as Record<string, unknown>)
          const list = parent?.[path.at(-1)!]
          if (parent && Array.isArray(list) && list.length > 0) {
            items = Array.from({ length: itemsPerList }, (_, i) => structuredClone(list[i % list.length]))
            parent[path.at(-1)!] = items
          }
        }
        return { rule, facts, items }
      }),
  )
}

function measure(work: () => number): number {
  let findings = 0
  const started = performance.now()
  let elapsed = 0
  while (elapsed < minMillis) {
    findings += work()
    elapsed = performance.now() - started
  }
  return (findings / elapsed) * 1000
}

export async function run(): Promise<void> {
  const ruleSet = loadRuleSet()
  const now = new Date(defaultTestNow)
  const all = workloads(ruleSet.rules)
  const engineRate = measure(() => {
    let n = 0
    for (const w of all) n += evaluateRule(w.rule, { facts: w.facts, factErrors: {}, now }).length
    return n
  })
  console.log(`bench: rules.catalogue ${Math.round(engineRate)} findings/s (${ruleSet.rules.length} rules, ${all.length} fact sets, for_each lists of ${itemsPerList})`)

  const comparable = all.filter((w) => ceilings[w.rule.spec.id] && !w.rule.spec.applies)
  const subsetEngine = measure(() => {
    let n = 0
    for (const w of comparable) n += evaluateRule(w.rule, { facts: w.facts, factErrors: {}, now }).length
    return n
  })
  const subsetCeiling = measure(() => {
    let n = 0
    for (const w of comparable) {
      const predicate = ceilings[w.rule.spec.id]!
      const params = w.rule.spec.params
      for (const item of w.items ?? [undefined]) {
        try {
          predicate({ facts: w.facts, item, params, now })
        } catch {
          // a missing fact: the engine reports error; the ceiling only pays for the check
        }
        n++
      }
    }
    return n
  })
  console.log(
    `bench: rules.engine-vs-typescript ${Math.round(subsetEngine)} findings/s (ratio ${(subsetEngine / subsetCeiling).toFixed(2)} vs plain TypeScript predicates at ${Math.round(subsetCeiling)}/s; ${Object.keys(ceilings).length} rules)`,
  )

  // The CEL engines on the catalogue's checks, each expression on the same contexts.
  // @bufbuild/cel has no `daysBetween`; expressions it cannot plan are left out of both sides.
  const env = celEnv()
  const pairs = all.flatMap((w) => {
    let bufFn: (context: never) => unknown
    try {
      bufFn = bufPlan(env, bufParse(w.rule.check.source)) as (context: never) => unknown
    } catch {
      return []
    }
    return (w.items ?? [undefined]).slice(0, 20).map((item) => ({
      marcFn: w.rule.check.evaluate,
      bufFn,
      context: { facts: w.facts, item, params: w.rule.spec.params, now },
    }))
  })
  const marcRate = measure(() => {
    for (const p of pairs) {
      try {
        p.marcFn(p.context)
      } catch {
        // an evaluation error is an evaluation too
      }
    }
    return pairs.length
  })
  const bufRate = measure(() => {
    for (const p of pairs) p.bufFn(p.context as never)
    return pairs.length
  })
  console.log(
    `bench: rules.cel-engine ${Math.round(marcRate)} evaluations/s with @marcbachmann/cel-js (ratio ${(marcRate / bufRate).toFixed(2)} vs @bufbuild/cel at ${Math.round(bufRate)}/s; ${pairs.length} evaluations of ${new Set(pairs.map((p) => p.marcFn)).size} checks)`,
  )
}
