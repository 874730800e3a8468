/**
 * Would the firewall drop a new inbound connection to PORT arriving on INTERFACE? A
 * deliberately small, conservative reading of filter rules: only matches on the input
 * interface, layer-4 protocol, destination port, conntrack state and address family are
 * understood; any other condition (source addresses, named sets, rate limits, xt matches)
 * may or may not match, and a jump may accept. Only a drop that is certain counts, so an
 * unusual ruleset reads as "not filtered", never the other way round (a missing fact is
 * never a pass). A packet must pass every base chain on the input hook, so one certain
 * drop is enough.
 */

export interface InboundPacket {
  family: 'ipv4' | 'ipv6'
  /** The interface it arrives on; null when unknown. */
  iface: string | null
  protocol: 'tcp' | 'udp'
  port: number
}

type Match = 'yes' | 'no' | 'maybe'

/** One condition of a rule, as far as Posture understands it. */
export type Condition =
  | { kind: 'iface'; negate: boolean; names: string[] }
  | { kind: 'protocol'; negate: boolean; protocols: string[] }
  | { kind: 'dport'; negate: boolean; protocol: string; ports: [number, number][] }
  | { kind: 'ctstate'; negate: boolean; states: string[] }
  | { kind: 'family'; family: 'ipv4' | 'ipv6' }
  | { kind: 'opaque'; what: string }

export interface FilterRule {
  conditions: Condition[]
  /** continue: no verdict (counter, log); unknown: jump/goto/return/queue, may accept. */
  verdict: 'accept' | 'drop' | 'continue' | 'unknown'
}

export interface AnalysableChain {
  family: string
  hook: string
  type: string
  /** What an unmatched packet gets (the chain's policy). */
  policy: 'accept' | 'drop'
  rules: FilterRule[]
}

export function isDroppedOnInput(chains: readonly AnalysableChain[], packet: InboundPacket): boolean {
  const families = packet.family === 'ipv4' ? ['ip', 'inet'] : ['ip6', 'inet']
  return chains.some((c) => c.type === 'filter' && c.hook === 'input' && families.includes(c.family) && walk(c, packet) === 'drop')
}

function walk(chain: AnalysableChain, packet: InboundPacket): 'accept' | 'drop' {
  for (const rule of chain.rules) {
    const match = matchRule(rule, packet)
    if (match === 'no' || rule.verdict === 'continue') continue
    if (rule.verdict === 'drop') {
      if (match === 'yes') return 'drop'
      continue
    }
    // accept (certain or possible) or a jump that might accept: not a certain drop.
    return 'accept'
  }
  return chain.policy
}

function matchRule(rule: FilterRule, packet: InboundPacket): Match {
  let result: Match = 'yes'
  for (const condition of rule.conditions) {
    const match = matchCondition(condition, packet)
    if (match === 'no') return 'no'
    if (match === 'maybe') result = 'maybe'
  }
  return result
}

function matchCondition(condition: Condition, packet: InboundPacket): Match {
  const signed = (hit: boolean, negate: boolean): Match => (hit !== negate ? 'yes' : 'no')
  switch (condition.kind) {
    case 'iface':
      if (packet.iface === null) return 'maybe'
      return signed(condition.names.some((n) => (n.endsWith('*') ? packet.iface!.startsWith(n.slice(0, -1)) : n === packet.iface)), condition.negate)
    case 'protocol':
      return signed(condition.protocols.includes(packet.protocol), condition.negate)
    case 'dport': {
      // `tcp dport` implies TCP; `th dport` (transport header) any protocol with ports.
      if (condition.protocol !== 'th' && condition.protocol !== packet.protocol) return 'no'
      return signed(condition.ports.some(([low, high]) => packet.port >= low && packet.port <= high), condition.negate)
    }
    case 'ctstate':
      // A new connection's first packet is in state `new`.
      return signed(condition.states.includes('new'), condition.negate)
    case 'family':
      return condition.family === packet.family ? 'yes' : 'no'
    case 'opaque':
      return 'maybe'
  }
}

/** nft JSON `expr` list → a rule (libnftables-json(5) "MATCH", "VERDICT"). */
export function nftRule(expr: readonly Record<string, unknown>[]): FilterRule {
  const conditions: Condition[] = []
  let verdict: FilterRule['verdict'] = 'continue'
  for (const statement of expr) {
    const [key, value] = Object.entries(statement)[0] ?? ['', null]
    if (key === 'accept') verdict = 'accept'
    else if (key === 'drop' || key === 'reject') verdict = 'drop'
    else if (['jump', 'goto', 'return', 'queue'].includes(key)) verdict = 'unknown'
    else if (key === 'counter' || key === 'log' || key === 'comment') continue
    else if (key === 'match') conditions.push(nftMatch(value))
    else conditions.push({ kind: 'opaque', what: key })
    if (verdict !== 'continue') break
  }
  return { conditions, verdict }
}

function nftMatch(value: unknown): Condition {
  if (!isRecord(value)) return { kind: 'opaque', what: 'match' }
  const op = value.op
  if (op !== '==' && op !== '!=' && op !== 'in') return { kind: 'opaque', what: `match ${String(op)}` }
  const negate = op === '!='
  const left = isRecord(value.left) ? value.left : {}
  const right = value.right
  const meta = isRecord(left.meta) ? left.meta.key : undefined
  const ct = isRecord(left.ct) ? left.ct.key : undefined
  const payload = isRecord(left.payload) ? left.payload : undefined
  if (meta === 'iif' || meta === 'iifname') {
    const names = strings(right)
    return names ? { kind: 'iface', negate, names } : { kind: 'opaque', what: `meta ${meta}` }
  }
  if (meta === 'l4proto') {
    const protocols = strings(right)
    return protocols ? { kind: 'protocol', negate, protocols } : { kind: 'opaque', what: 'meta l4proto' }
  }
  if (meta === 'nfproto' && !negate && (right === 'ipv4' || right === 'ipv6')) return { kind: 'family', family: right }
  if (ct === 'state') {
    const states = strings(right)
    return states ? { kind: 'ctstate', negate, states } : { kind: 'opaque', what: 'ct state' }
  }
  if (payload && payload.field === 'dport' && typeof payload.protocol === 'string') {
    const ports = portRanges(right)
    return ports ? { kind: 'dport', negate, protocol: payload.protocol, ports } : { kind: 'opaque', what: `${payload.protocol} dport` }
  }
  // `ip saddr …` only matches IPv4 packets, `ip6 …` only IPv6: otherwise unknown.
  if (payload && payload.protocol === 'ip' && !negate) return { kind: 'family', family: 'ipv4' }
  if (payload && payload.protocol === 'ip6' && !negate) return { kind: 'family', family: 'ipv6' }
  return { kind: 'opaque', what: 'match' }
}

/** `"lo"`, `["a","b"]`, `{"set": ["a","b"]}` → names; null for anything else (named sets `@x`). */
function strings(right: unknown): string[] | null {
  const items = isRecord(right) && Array.isArray(right.set) ? right.set : Array.isArray(right) ? right : [right]
  return items.every((i) => typeof i === 'string' && !i.startsWith('@')) ? (items as string[]) : null
}

/** `22`, `{"set": [22, {"range": [8000, 8080]}]}`, `{"range": [1, 1024]}` → ranges. */
function portRanges(right: unknown): [number, number][] | null {
  const items = isRecord(right) && Array.isArray(right.set) ? right.set : [right]
  const ranges: [number, number][] = []
  for (const item of items) {
    if (typeof item === 'number') ranges.push([item, item])
    else if (isRecord(item) && Array.isArray(item.range) && typeof item.range[0] === 'number' && typeof item.range[1] === 'number') ranges.push([item.range[0], item.range[1]])
    else return null
  }
  return ranges
}

/**
 * An `iptables -S` rule's arguments (after `-A CHAIN`) → a rule. Understood: `-i`, `-p`,
 * `--dport`, `--dports` (multiport), `--ctstate`/`--state`, `-m tcp|udp|comment|conntrack|state|multiport`;
 * `!` negates the next option.
 */
export function iptablesRule(args: readonly string[]): FilterRule {
  const conditions: Condition[] = []
  let verdict: FilterRule['verdict'] = 'continue'
  let protocol = 'th'
  for (let i = 0; i < args.length; i++) {
    let negate = false
    if (args[i] === '!') {
      negate = true
      i++
    }
    const option = args[i]
    const value = args[i + 1] ?? ''
    switch (option) {
      case '-j':
      case '-g':
        verdict = value === 'ACCEPT' ? 'accept' : value === 'DROP' || value === 'REJECT' ? 'drop' : option === '-j' && ['LOG', 'NFLOG'].includes(value) ? 'continue' : 'unknown'
        i = args.length // target options follow
        break
      case '-m':
        if (!['tcp', 'udp', 'comment', 'conntrack', 'state', 'multiport'].includes(value)) conditions.push({ kind: 'opaque', what: `-m ${value}` })
        i++
        break
      case '--comment':
        i++
        break
      case '-i':
        conditions.push({ kind: 'iface', negate, names: [value.endsWith('+') ? `${value.slice(0, -1)}*` : value] })
        i++
        break
      case '-p':
        protocol = value
        conditions.push({ kind: 'protocol', negate, protocols: [value] })
        i++
        break
      case '--dport':
      case '--dports': {
        const ports = value.split(',').map((p) => p.split(':').map(Number) as [number, number?])
        const ranges = ports.map(([low, high]): [number, number] => [low, high ?? low])
        conditions.push(ranges.every(([l, h]) => Number.isInteger(l) && Number.isInteger(h)) ? { kind: 'dport', negate, protocol, ports: ranges } : { kind: 'opaque', what: option })
        i++
        break
      }
      case '--ctstate':
      case '--state':
        conditions.push({ kind: 'ctstate', negate, states: value.toLowerCase().split(',') })
        i++
        break
      default:
        conditions.push({ kind: 'opaque', what: option ?? '' })
        if (value !== '' && !value.startsWith('-')) i++
    }
  }
  return { conditions, verdict }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
