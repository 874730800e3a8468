/**
 * Per-source-address limits on failed logins: fail2ban jails, and firewall rules that
 * rate-limit new connections to the SSH port in the same rule (nftables `limit`,
 * `meter`, dynamic sets with a limit, `ct count`; iptables `recent`, `hashlimit`,
 * `connlimit`, `limit` — as `ufw limit ssh` writes them). A limit reached through a jump
 * to another chain is not followed: only what can be read reliably counts.
 */

/** `fail2ban-client status`: the `Jail list:` line (comma separated). Null when absent. */
export function parseFail2banJails(text: string): string[] | null {
  const match = /Jail list:\s*(.*)$/m.exec(text)
  if (!match) return null
  return match[1]!
    .split(',')
    .map((j) => j.trim())
    .filter(Boolean)
}

/** Jails that watch SSH: the stock jail is `sshd`; `ssh`, `sshd-ddos`, `sshd-aggressive` are common too. */
export function sshJails(jails: readonly string[]): string[] {
  return jails.filter((j) => /ssh/i.test(j))
}

type Json = unknown

/**
 * `nft -j list ruleset`: rules that match one of `ports` as TCP destination port and
 * carry a rate-limiting statement. Returns a description per rule (`inet filter input
 * handle 7: limit`). Throws SyntaxError on text that is not JSON.
 */
export function nftSshRateLimits(json: string, ports: readonly number[]): string[] {
  const parsed: Json = JSON.parse(json)
  const items = isRecord(parsed) && Array.isArray(parsed.nftables) ? parsed.nftables : []
  const found: string[] = []
  for (const item of items) {
    if (!isRecord(item) || !isRecord(item.rule)) continue
    const rule = item.rule
    const exprs = Array.isArray(rule.expr) ? rule.expr : []
    if (!exprs.some((e) => matchesPort(e, ports))) continue
    const limits = exprs.map(limitKind).filter((k): k is string => k !== null)
    if (limits.length === 0) continue
    found.push(`${String(rule.family)} ${String(rule.table)} ${String(rule.chain)} handle ${String(rule.handle)}: ${[...new Set(limits)].join(', ')}`)
  }
  return found
}

function matchesPort(expr: Json, ports: readonly number[]): boolean {
  if (!isRecord(expr) || !isRecord(expr.match)) return false
  const { left, right, op } = expr.match
  if (op === '!=') return false
  if (!isRecord(left) || !isRecord(left.payload)) return false
  const payload = left.payload
  if (payload.field !== 'dport' || (payload.protocol !== 'tcp' && payload.protocol !== 'th')) return false
  return portValues(right).some((p) => ports.includes(p))
}

/** A port, a set of ports and ranges, or an anonymous set: the ports it names. */
function portValues(value: Json): number[] {
  if (typeof value === 'number') return [value]
  if (Array.isArray(value)) return value.flatMap(portValues)
  if (isRecord(value)) {
    if ('set' in value) return portValues(value.set)
    if (Array.isArray(value.range) && value.range.length === 2) {
      const [lo, hi] = value.range as [Json, Json]
      if (typeof lo === 'number' && typeof hi === 'number' && hi - lo < 65536) {
        return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)
      }
    }
  }
  return []
}

const xtLimits = new Set(['recent', 'hashlimit', 'connlimit', 'limit'])

function limitKind(expr: Json): string | null {
  if (!isRecord(expr)) return null
  if ('limit' in expr) return 'limit'
  if ('meter' in expr) return 'meter'
  if (isRecord(expr.set) && Array.isArray(expr.set.stmt) && expr.set.stmt.some((s) => isRecord(s) && 'limit' in s)) return 'set limit'
  if (isRecord(expr.match) && isRecord(expr.match.left) && isRecord(expr.match.left.ct) && expr.match.left.ct.key === 'count') return 'ct count'
  if ('ct count' in expr) return 'ct count'
  if (isRecord(expr.xt) && expr.xt.type === 'match' && typeof expr.xt.name === 'string' && xtLimits.has(expr.xt.name)) return `xt ${expr.xt.name}`
  return null
}

/**
 * `iptables -S` (iptables-legacy; iptables-nft rules already show in `nft -j` as `xt`
 * matches): `-A` rules matching one of `ports` by `--dport`/`--dports` with a
 * rate-limiting match module.
 */
export function iptablesSshRateLimits(text: string, ports: readonly number[]): string[] {
  const found: string[] = []
  for (const line of text.split('\n')) {
    if (!line.startsWith('-A ')) continue
    const dport = /--dports?\s+(\S+)/.exec(line)
    if (!dport || !/(^|\s)-p\s+tcp\b/.test(line)) continue
    const listed = dport[1]!.split(',').flatMap((part) => {
      const [lo, hi] = part.split(':').map((p) => Number.parseInt(p, 10))
      if (lo === undefined || !Number.isFinite(lo)) return []
      return hi !== undefined && Number.isFinite(hi) ? ports.filter((p) => p >= lo && p <= hi) : [lo]
    })
    if (!listed.some((p) => ports.includes(p))) continue
    const modules = [...line.matchAll(/-m\s+(\S+)/g)].map((m) => m[1]!).filter((m) => xtLimits.has(m))
    if (modules.length === 0) continue
    found.push(`${line.split(/\s+/)[1]}: ${[...new Set(modules)].join(', ')}`)
  }
  return found
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
