import pLimit from 'p-limit'
import type { PinnedHostKey } from '../../agent/host/known-hosts.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { scanHost } from '../../agent/scan.js'
import { scanOverSsh, type HostKeyPins } from '../../collector/ssh/scan-over-ssh.js'
import { domains as allDomains, type Domain } from '../../rules/domains.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { hasSshd, startSshd } from '../helpers/sshd.js'

/**
 * Agentless scanning against a real sshd on 127.0.0.1 (the test helper's: its own host key
 * and authorized key, HOME pointed at an empty directory so a developer's .bashrc does not
 * cost every command), measured in this run:
 * - one scan over SSH beside one local scan of the same machine, for the domains gathered
 *   on the node, then for every domain;
 * - SSH scans per minute through the collector's host concurrency limit, beside the same
 *   scans one at a time. Throughput uses the system and access domains (command- and
 *   file-heavy, no network probes, no package manager simulation) so the figure is about
 *   SSH, not apt.
 * Both sides are the same machine, so the SSH figures include the remote side's work.
 */
const throughputDomains: Domain[] = ['system', 'access']
const probedDomains = new Set<Domain>(['tls', 'http', 'dns'])
const scansPerMeasure = 8
const concurrency = 4

export async function run(): Promise<void> {
  if (!hasSshd()) {
    console.log('bench: ssh skipped (no /usr/sbin/sshd; apt-get install openssh-server)')
    return
  }
  const ruleSet = loadRuleSet()
  const sshd = await startSshd({ maxStartups: '64:30:100' })
  try {
    const pins = memoryPins()
    const sshScan = (domains: readonly Domain[]) =>
      scanOverSsh({
        target: { host: sshd.host, port: sshd.port, username: sshd.username },
        privateKey: sshd.clientKey,
        pins,
        scan: { ruleSet, domains, config: defaultScanConfig },
      })
    await sshScan(['system']) // pins the host key, warms caches on both sides

    // Like for like: the domains gathered on the node. tls, http and dns rest on network
    // probes, which an SSH scan of loopback services refuses (ssh-probe-policy.ts) while a
    // local scan performs them, so with every domain the SSH scan does less work.
    const gathered = allDomains.filter((d) => !probedDomains.has(d))
    const localMs = await timed(() => scanHost(new LocalHost(), { ruleSet, domains: gathered, config: defaultScanConfig }))
    const sshMs = await timed(() => sshScan(gathered))
    console.log(`bench: local-scan ${localMs.toFixed(0)} ms (${gathered.join(',')})`)
    console.log(`bench: ssh-scan ${sshMs.toFixed(0)} ms (ratio ${(sshMs / localMs).toFixed(2)} vs local-scan; same domains, loopback sshd)`)
    const localAllMs = await timed(() => scanHost(new LocalHost(), { ruleSet, domains: allDomains, config: defaultScanConfig }))
    const sshAllMs = await timed(() => sshScan(allDomains))
    console.log(`bench: ssh-scan-all-domains ${sshAllMs.toFixed(0)} ms (ratio ${(sshAllMs / localAllMs).toFixed(2)} vs local-scan-all-domains ${localAllMs.toFixed(0)} ms; loopback TLS/HTTP probes refused over SSH)`)

    const rate = async (limit: number) => {
      const pool = pLimit(limit)
      const ms = await timed(() => Promise.all(Array.from({ length: scansPerMeasure }, () => pool(() => sshScan(throughputDomains)))))
      return (scansPerMeasure * 60_000) / ms
    }
    const sequential = await rate(1)
    const pooled = await rate(concurrency)
    const name = `ssh-scans-per-minute[${throughputDomains.join(',')}]`
    console.log(`bench: ${name}-sequential ${sequential.toFixed(1)} scans/min`)
    console.log(`bench: ${name} ${pooled.toFixed(1)} scans/min (ratio ${(pooled / sequential).toFixed(2)} vs sequential; ${concurrency} hosts at once, ${scansPerMeasure} scans)`)
  } finally {
    await sshd.stop()
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await work()
  return performance.now() - started
}

function memoryPins(): HostKeyPins {
  const pins = new Map<string, PinnedHostKey>()
  return {
    get: async (id) => pins.get(id),
    pin: async (id, key) => {
      if (!pins.has(id)) pins.set(id, key)
    },
  }
}
