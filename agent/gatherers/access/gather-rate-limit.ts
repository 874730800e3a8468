import type { Host } from '../../host/host.js'
import { commandStdout } from '../evidence.js'
import { unitStates } from './gather-logging.js'
import { iptablesSshRateLimits, nftSshRateLimits, parseFail2banJails, sshJails } from './rate-limit.js'
import { perSourcePenalties, type SshdSettings } from './sshd-effective-config.js'

type Mechanism = { kind: string; detail: string }

/**
 * What limits failed SSH logins per source address: a fail2ban jail for sshd, sshguard
 * or CrowdSec running, OpenSSH's own PerSourcePenalties (≥ 9.8), or a firewall rule that
 * rate-limits the SSH port. When none is found but some source could not be asked
 * (permission denied), the answer is unknown, not "none".
 */
export async function gatherRateLimit(host: Host, sshd: SshdSettings | null): Promise<{ mechanisms: Mechanism[] } | { failed: string }> {
  const mechanisms: Mechanism[] = []
  const problems: string[] = []
  const ports = sshd ? sshd.values('port').map((p) => Number.parseInt(p, 10)).filter(Number.isFinite) : [22]

  const [fail2ban, units, nft, iptables] = await Promise.all([
    host.run(['fail2ban-client', 'status'], { timeoutMs: 10_000 }),
    unitStates(host, ['sshguard', 'crowdsec']),
    host.run(['nft', '-j', 'list', 'ruleset'], { timeoutMs: 10_000 }),
    host.run(['iptables', '-S'], { timeoutMs: 10_000 }),
  ])

  if (!('error' in fail2ban) && fail2ban.exitCode === 0) {
    const jails = sshJails(parseFail2banJails(fail2ban.stdout) ?? [])
    if (jails.length > 0) mechanisms.push({ kind: 'fail2ban', detail: `jails: ${jails.join(', ')}` })
  } else if ('error' in fail2ban) {
    // Not installed (ENOENT) means no jail; anything else (a timeout) leaves it unknown.
    if (fail2ban.error !== 'ENOENT') problems.push(fail2ban.message)
  } else if (/permission denied/i.test(fail2ban.stderr + fail2ban.stdout)) {
    problems.push('fail2ban-client status: permission denied')
  }
  // fail2ban-client exiting non-zero otherwise: its server is not running (no socket), no jail.

  for (const unit of ['sshguard', 'crowdsec']) {
    if (units?.get(unit) === 'active') mechanisms.push({ kind: unit, detail: `${unit}.service active` })
  }

  const penalties = sshd ? perSourcePenalties(sshd) : null
  if (penalties) mechanisms.push({ kind: 'sshd-persourcepenalties', detail: penalties })

  const nftArgv = ['nft', '-j', 'list', 'ruleset']
  const nftText = commandStdout(nftArgv, nft)
  if (nftText.ok) {
    try {
      for (const rule of nftSshRateLimits(nftText.value, ports)) mechanisms.push({ kind: 'nftables', detail: rule })
    } catch (err) {
      problems.push(`nft -j list ruleset: not JSON (${(err as Error).message})`)
    }
  } else if (!('error' in nft && nft.error === 'ENOENT')) {
    problems.push(nftText.reason)
  }

  const iptablesText = commandStdout(['iptables', '-S'], iptables)
  if (iptablesText.ok) {
    for (const rule of iptablesSshRateLimits(iptablesText.value, ports)) mechanisms.push({ kind: 'iptables', detail: rule })
  } else if (!('error' in iptables && iptables.error === 'ENOENT')) {
    problems.push(iptablesText.reason)
  }

  if (mechanisms.length === 0 && problems.length > 0) {
    return { failed: `no per-IP limit found, and some sources could not be checked: ${problems.join('; ')}` }
  }
  return { mechanisms }
}
