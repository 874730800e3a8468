import { z } from 'zod'
import { iptablesRule, nftRule, type FilterRule } from './firewall-reach.js'

/**
 * Base chains and their default verdicts, from `nft -j list ruleset` (libnftables-json(5))
 * and `iptables -S` / `ip6tables -S` (iptables-save format). A packet that no rule
 * matches gets the chain's policy — or the verdict of an unconditional last rule, the way
 * firewalld (`reject with icmpx admin-prohibited`) and many hand-written rulesets end.
 */
export interface BaseChain {
  source: 'nft' | 'iptables' | 'ip6tables'
  family: string
  table: string
  name: string
  hook: string
  type: string
  policy: string
  defaultVerdict: 'accept' | 'drop'
  rules: number
  /** The rules as firewall-reach reads them (not a fact: facts keep the count). */
  filterRules: FilterRule[]
}

export interface ParsedRuleset {
  chains: BaseChain[]
  ruleCount: number
}

const nftSchema = z.object({
  nftables: z.array(z.record(z.string(), z.unknown())),
})
const nftChainSchema = z.object({
  family: z.string(),
  table: z.string(),
  name: z.string(),
  hook: z.string().optional(),
  type: z.string().optional(),
  policy: z.string().optional(),
})
const nftRuleSchema = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  expr: z.array(z.record(z.string(), z.unknown())).default([]),
})

/** Statements that neither match nor decide (libnftables-json(5) "STATEMENTS"). */
const passiveStatements = new Set(['counter', 'log', 'comment'])
const denyVerdicts = new Set(['drop', 'reject'])

/** Null when the text is not nft's JSON. */
export function parseNftRuleset(text: string): ParsedRuleset | null {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return null // the caller reports unexpected output
  }
  const parsed = nftSchema.safeParse(json)
  if (!parsed.success) return null
  const chains: (BaseChain & { key: string })[] = []
  const rulesByChain = new Map<string, z.output<typeof nftRuleSchema>[]>()
  let ruleCount = 0
  for (const entry of parsed.data.nftables) {
    if ('chain' in entry) {
      const chain = nftChainSchema.safeParse(entry.chain)
      if (!chain.success || chain.data.hook === undefined) continue // regular chains are only jumped to
      const c = chain.data
      chains.push({ key: `${c.family} ${c.table} ${c.name}`, source: 'nft', family: c.family, table: c.table, name: c.name, hook: c.hook!, type: c.type ?? 'filter', policy: c.policy ?? 'accept', defaultVerdict: 'accept', rules: 0, filterRules: [] })
    } else if ('rule' in entry) {
      const rule = nftRuleSchema.safeParse(entry.rule)
      if (!rule.success) continue
      ruleCount++
      const key = `${rule.data.family} ${rule.data.table} ${rule.data.chain}`
      rulesByChain.set(key, [...(rulesByChain.get(key) ?? []), rule.data])
    }
  }
  return {
    ruleCount,
    chains: chains.map(({ key, ...chain }) => {
      const rules = rulesByChain.get(key) ?? []
      const last = rules.at(-1)
      const endsInDeny = last !== undefined && isUnconditionalDeny(last.expr)
      return { ...chain, rules: rules.length, defaultVerdict: chain.policy === 'drop' || endsInDeny ? 'drop' : 'accept', filterRules: rules.map((r) => nftRule(r.expr)) }
    }),
  }
}

function isUnconditionalDeny(expr: readonly Record<string, unknown>[]): boolean {
  const statements = expr.flatMap((e) => Object.keys(e))
  const verdict = statements.at(-1)
  return verdict !== undefined && denyVerdicts.has(verdict) && statements.slice(0, -1).every((s) => passiveStatements.has(s))
}

/** Built-in chains of the filter table and the netfilter hook each sits on. */
const builtinHooks: Record<string, string> = { INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output' }

/**
 * `iptables -S` (filter table): `-P CHAIN POLICY` for built-in chains, `-A CHAIN …` for
 * rules. Null when there is no `-P` line (not iptables-save output).
 */
export function parseIptablesS(text: string, source: 'iptables' | 'ip6tables'): ParsedRuleset | null {
  const policies = new Map<string, string>()
  const rules = new Map<string, string[][]>()
  let ruleCount = 0
  for (const line of text.split('\n')) {
    const tokens = tokenize(line.trim())
    if (tokens[0] === '-P' && tokens[1] && tokens[2]) policies.set(tokens[1], tokens[2].toLowerCase())
    else if (tokens[0] === '-A' && tokens[1]) {
      ruleCount++
      rules.set(tokens[1], [...(rules.get(tokens[1]) ?? []), tokens.slice(2)])
    }
  }
  if (policies.size === 0) return null
  const chains: BaseChain[] = []
  for (const [name, policy] of policies) {
    const hook = builtinHooks[name]
    if (hook === undefined) continue
    const chainRules = rules.get(name) ?? []
    const last = chainRules.at(-1)
    const endsInDeny = last !== undefined && isUnconditionalIptablesDeny(last)
    chains.push({
      source,
      family: source === 'iptables' ? 'ip' : 'ip6',
      table: 'filter',
      name,
      hook,
      type: 'filter',
      policy,
      defaultVerdict: policy === 'drop' || endsInDeny ? 'drop' : 'accept',
      rules: chainRules.length,
      filterRules: chainRules.map(iptablesRule),
    })
  }
  return { chains, ruleCount }
}

/** `-j DROP`, `-j REJECT --reject-with …`, optionally with a comment: no match conditions. */
function isUnconditionalIptablesDeny(args: readonly string[]): boolean {
  const rest = [...args]
  const comment = rest.findIndex((t, i) => t === '-m' && rest[i + 1] === 'comment')
  if (comment >= 0 && rest[comment + 2] === '--comment') rest.splice(comment, 4)
  if (rest[0] !== '-j' || !['DROP', 'REJECT'].includes(rest[1] ?? '')) return false
  return rest.slice(2).every((t, i) => (i % 2 === 0 ? t === '--reject-with' : true))
}

/** Splits an iptables-save line, keeping "quoted words" together. */
function tokenize(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!)
}

/** `iptables v1.8.9 (nf_tables)` → nf_tables; `(legacy)` → legacy. */
export function parseIptablesBackend(text: string): 'nf_tables' | 'legacy' | null {
  const match = /\((nf_tables|legacy)\)/.exec(text)
  return match ? (match[1] as 'nf_tables' | 'legacy') : null
}

/**
 * The verdict for unmatched packets on a hook, for IPv4 or IPv6: `drop` when any filter
 * base chain covering the family drops them (a packet must pass every base chain on its
 * hook), `accept` when chains exist and none does, `none` when there is no chain at all.
 * nft family `inet` covers both; `ip` IPv4; `ip6` IPv6.
 */
export function hookVerdict(chains: readonly BaseChain[], family: 'ipv4' | 'ipv6', hook: 'input' | 'forward'): 'drop' | 'accept' | 'none' {
  const families = family === 'ipv4' ? ['ip', 'inet'] : ['ip6', 'inet']
  const covering = chains.filter((c) => c.type === 'filter' && c.hook === hook && families.includes(c.family))
  if (covering.length === 0) return 'none'
  return covering.some((c) => c.defaultVerdict === 'drop') ? 'drop' : 'accept'
}
