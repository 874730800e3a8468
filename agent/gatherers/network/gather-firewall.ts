import type { FirewallFacts } from '../../../rules/facts/network.js'
import type { CommandResult, Host } from '../../host/host.js'
import { commandStdout, missing, ok, type Evidence } from '../evidence.js'
import type { AnalysableChain } from './firewall-reach.js'
import { hookVerdict, parseIptablesBackend, parseIptablesS, parseNftRuleset, type BaseChain, type ParsedRuleset } from './firewall-rulesets.js'

type Source = FirewallFacts['sources'][number]

const timeout = { timeoutMs: 10_000 }

/**
 * The firewall's base chains from every tool present: `nft -j list ruleset`, `iptables -S`
 * and `ip6tables -S` (root). With the iptables-nft backend (`iptables -V` says nf_tables)
 * nft's output already holds every iptables chain that exists, so only nft's chains are
 * used; with the legacy backend the two are separate rulesets and both count. A tool that
 * is not installed is a fact (`not-installed`); when no tool could answer for another
 * reason (not root), the firewall is not gathered.
 */
export interface GatheredFirewall {
  facts: FirewallFacts
  /** The input/forward base chains with their rules, for per-listener reachability. */
  chains: AnalysableChain[]
}

export async function gatherFirewall(host: Host): Promise<Evidence<GatheredFirewall>> {
  const nftArgv = ['nft', '-j', 'list', 'ruleset']
  const v4Argv = ['iptables', '-S']
  const v6Argv = ['ip6tables', '-S']
  const versionArgv = ['iptables', '-V']
  const [nft, v4, v6, version] = await Promise.all([nftArgv, v4Argv, v6Argv, versionArgv].map((argv) => host.run(argv, timeout)))

  const sources: Source[] = []
  const chains: BaseChain[] = []
  const ruleCounts = new Map<Source['tool'], number>()
  const take = (tool: Source['tool'], argv: string[], result: CommandResult, parse: (text: string) => ParsedRuleset | null): void => {
    if ('error' in result && result.error === 'ENOENT') {
      sources.push({ tool, status: 'not-installed', message: null })
      return
    }
    const text = commandStdout(argv, result)
    const parsed = text.ok ? parse(text.value) : null
    if (parsed === null) {
      sources.push({ tool, status: 'error', message: text.ok ? `${argv.join(' ')}: unexpected output` : text.reason })
      return
    }
    sources.push({ tool, status: 'ok', message: null })
    chains.push(...parsed.chains)
    ruleCounts.set(tool, parsed.ruleCount)
  }
  take('nft', nftArgv, nft!, parseNftRuleset)
  take('iptables', v4Argv, v4!, (t) => parseIptablesS(t, 'iptables'))
  take('ip6tables', v6Argv, v6!, (t) => parseIptablesS(t, 'ip6tables'))

  const errors = sources.filter((s) => s.status === 'error')
  if (!sources.some((s) => s.status === 'ok') && errors.length > 0) return missing(errors.map((s) => s.message).join('; '))
  const backendText = commandStdout(versionArgv, version!)
  const iptablesBackend = backendText.ok ? parseIptablesBackend(backendText.value) : null
  // With the nf_tables backend nft already shows every iptables chain that exists;
  // `iptables -S` also prints ACCEPT policies for built-in chains that were never created.
  const nftSeesAll = iptablesBackend === 'nf_tables' && sources.some((s) => s.tool === 'nft' && s.status === 'ok')
  const effective = nftSeesAll ? chains.filter((c) => c.source === 'nft') : chains
  const iptablesCount = (ruleCounts.get('iptables') ?? 0) + (ruleCounts.get('ip6tables') ?? 0)
  const ruleCount = (ruleCounts.get('nft') ?? 0) + (nftSeesAll ? 0 : iptablesCount)
  const facts: FirewallFacts = {
    chains: effective.map(({ filterRules: _rules, ...c }) => ({ target: `${c.source} ${c.source === 'nft' ? `${c.family} ` : ''}${c.table} ${c.name}`, ...c })),
    ipv4: { input: hookVerdict(effective, 'ipv4', 'input'), forward: hookVerdict(effective, 'ipv4', 'forward') },
    ipv6: { input: hookVerdict(effective, 'ipv6', 'input'), forward: hookVerdict(effective, 'ipv6', 'forward') },
    ruleCount,
    iptablesBackend,
    sources,
  }
  // For reading rules, iptables -S is the better view of iptables-nft tables: nft shows their
  // matches as opaque `xt` expressions. Phantom ACCEPT chains it adds cannot make a drop.
  const readable = (tool: Source['tool']) => sources.some((s) => s.tool === tool && s.status === 'ok')
  const viaIptables = (c: BaseChain) => c.source === 'nft' && c.table === 'filter' && ((c.family === 'ip' && readable('iptables')) || (c.family === 'ip6' && readable('ip6tables')))
  const forRules = nftSeesAll ? [...effective.filter((c) => !viaIptables(c)), ...chains.filter((c) => c.source !== 'nft')] : chains
  const analysable = forRules.map((c) => ({ family: c.family, hook: c.hook, type: c.type, policy: c.policy === 'drop' ? ('drop' as const) : ('accept' as const), rules: c.filterRules }))
  return ok({ facts, chains: analysable })
}
