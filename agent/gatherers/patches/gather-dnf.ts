import type { KernelFacts, PendingUpdate, RebootFacts, SecurityUpdate } from '../../../rules/facts/patches.js'
import type { CommandResult, Host } from '../../host/host.js'
import { commandStdout, fileText, missing, ok, type Evidence } from '../evidence.js'
import { assessDnfAutomatic, dnfAutomaticTimers, parseAutomaticApplyUpdates, parseSystemctlShow } from './dnf-automatic.js'
import { parseDnfCheckUpdate, parseDnfUpdateinfoSecurity, parseNeedsRestarting } from './dnf-check-update.js'
import { indexAge } from './index-age.js'
import { parseRpmLastKernels } from './installed-kernels.js'
import { detectContainer, readRunningKernel } from './node-kernel.js'
import { emptyGathered, put, type PatchesGathered } from './patch-facts.js'

/**
 * RHEL, Rocky, Alma (dnf4 and dnf5). Every dnf command runs with `-C` (cache only): dnf
 * would otherwise refresh expired metadata, and the agent never refreshes anything.
 * dnf commands run one after another: dnf serialises on its own lock.
 */
export const dnfCheckUpdateArgv = ['dnf', '-C', '-q', 'check-update']
export const dnfSecurityArgv = ['dnf', '-C', '-q', 'updateinfo', 'list', '--security']
/** dnf5's own name for updateinfo, should a build lack the alias. */
const dnf5AdvisoryArgv = ['dnf', '-C', '-q', 'advisory', 'list', '--security']
const needsRestartingArgvs = [['needs-restarting', '-r'], ['dnf', '-C', '-q', 'needs-restarting', '-r']]
const rpmKernelArgv = ['rpm', '-q', '--last', 'kernel']
const timersArgv = ['systemctl', 'show', '-p', 'Id', '-p', 'LoadState', '-p', 'UnitFileState', ...dnfAutomaticTimers]
const cacheDirs = ['/var/cache/dnf', '/var/cache/libdnf5']
const dnfTimeoutMs = 90_000

export async function gatherDnf(host: Host): Promise<PatchesGathered> {
  const out = emptyGathered()
  out.facts.manager = 'dnf'
  const [rpmKernels, timers, automaticConf, running, container, index] = await Promise.all([
    host.run(rpmKernelArgv, { timeoutMs: 10_000 }),
    host.run(timersArgv, { timeoutMs: 10_000 }),
    host.readFile('/etc/dnf/automatic.conf'),
    readRunningKernel(host),
    detectContainer(host),
    gatherIndex(host),
  ])
  put(out, 'index', index)

  // dnf(8): check-update exits 100 when updates are available, 0 when none, 1 on error.
  const checkUpdate = commandStdout(dnfCheckUpdateArgv, await host.run(dnfCheckUpdateArgv, { timeoutMs: dnfTimeoutMs }), [0, 100])
  put(out, 'pendingUpdates', checkUpdate.ok ? ok(pendingUpdates(checkUpdate.value)) : checkUpdate)

  const security = await runSecurityList(host)
  put(out, 'securityUpdates', security.ok ? ok(securityUpdates(security.value)) : security)

  const needsRestarting = await runNeedsRestarting(host)
  const kernel = assessKernel(running, container, rpmKernels)
  put(out, 'kernel', kernel)
  put(out, 'reboot', assessReboot(needsRestarting, kernel))

  const units = commandStdout(timersArgv, timers)
  const conf = fileText(automaticConf)
  put(out, 'autoUpdates', units.ok ? ok(assessDnfAutomatic(parseSystemctlShow(units.value), conf.ok ? parseAutomaticApplyUpdates(conf.value) : null)) : units)
  return out
}

function pendingUpdates(text: string): PendingUpdate[] {
  return parseDnfCheckUpdate(text).map((u) => ({
    target: `${u.name}.${u.arch}`, name: u.name, arch: u.arch, installed: null, candidate: u.evr, sources: [u.repository], security: null, keptBack: false,
  }))
}

/** One entry per advisory and package; a package fixed by several advisories appears once per advisory. */
function securityUpdates(text: string): SecurityUpdate[] {
  return parseDnfUpdateinfoSecurity(text).map((a) => ({
    target: `${a.advisory} ${a.nevra}`, name: a.name, candidate: a.nevra, advisory: a.advisory, severity: a.severity,
  }))
}

async function runSecurityList(host: Host): Promise<Evidence<string>> {
  const first = commandStdout(dnfSecurityArgv, await host.run(dnfSecurityArgv, { timeoutMs: dnfTimeoutMs }))
  if (first.ok) return first
  const second = commandStdout(dnf5AdvisoryArgv, await host.run(dnf5AdvisoryArgv, { timeoutMs: dnfTimeoutMs }))
  return second.ok ? second : missing(`${first.reason}; ${second.reason}`)
}

/** `needs-restarting -r` (dnf-utils) or the dnf plugin; exit 1 = reboot required, 0 = not. */
async function runNeedsRestarting(host: Host): Promise<Evidence<{ required: boolean; packages: string[] }>> {
  const reasons: string[] = []
  for (const argv of needsRestartingArgvs) {
    const result: CommandResult = await host.run(argv, { timeoutMs: dnfTimeoutMs })
    if ('error' in result) {
      reasons.push(result.message)
      continue
    }
    const parsed = parseNeedsRestarting(result.stdout)
    if (parsed && (result.exitCode === 0 || result.exitCode === 1)) return ok(parsed)
    reasons.push(`${argv.join(' ')} exited ${result.exitCode}: ${result.stderr.trim().split('\n')[0] || result.stdout.trim().split('\n')[0] || 'no output'}`)
  }
  return missing(reasons.join('; '))
}

/** Vuls' rule: the most recently installed kernel (`rpm -q --last kernel`, first line) must be the running one. */
function assessKernel(running: Evidence<string>, container: string, rpm: CommandResult): Evidence<KernelFacts> {
  if (!running.ok) return running
  if (container) return ok({ running: running.value, container, newestInstalled: null, current: null, source: 'container' })
  const text = commandStdout(rpmKernelArgv, rpm, [0, 1])
  if (!text.ok) return text
  const newest = parseRpmLastKernels(text.value)[0]
  if (newest === undefined) {
    return missing(`no kernel package is installed (${text.value.trim() || 'rpm -q --last kernel printed nothing'}): the running kernel ${running.value} is supplied from outside the package manager`)
  }
  return ok({ running: running.value, container, newestInstalled: newest, current: newest === running.value, source: 'rpm' })
}

function assessReboot(needsRestarting: Evidence<{ required: boolean; packages: string[] }>, kernel: Evidence<KernelFacts>): Evidence<RebootFacts> {
  const facts: RebootFacts = { required: false, signals: [], reasons: [], packages: [] }
  const unknown: string[] = []
  if (needsRestarting.ok) {
    facts.signals.push('needs-restarting -r')
    if (needsRestarting.value.required) {
      facts.required = true
      facts.packages = needsRestarting.value.packages
      facts.reasons.push(`needs-restarting: core libraries or services updated since boot (${needsRestarting.value.packages.join(', ') || 'packages not listed'})`)
    }
  } else unknown.push(needsRestarting.reason)
  if (kernel.ok && kernel.value.current !== null) {
    facts.signals.push(`kernel (${kernel.value.source})`)
    if (!kernel.value.current) {
      facts.required = true
      facts.reasons.push(`running kernel ${kernel.value.running}, newest installed ${kernel.value.newestInstalled ?? '?'}`)
    }
  } else unknown.push(kernel.ok ? `kernel: ${kernel.value.container} container` : kernel.reason)
  if (facts.signals.length === 0) return missing(`cannot tell whether a reboot is owed: ${unknown.join('; ')}`)
  return ok(facts)
}

/** dnf4 keeps `<repo>-<hash>/repodata/repomd.xml` under /var/cache/dnf, dnf5 under /var/cache/libdnf5. */
async function gatherIndex(host: Host) {
  const files: string[] = []
  const reasons: string[] = []
  for (const dir of cacheDirs) {
    const listing = await host.listDir(dir)
    if ('error' in listing) reasons.push(listing.message)
    else for (const entry of listing.entries) if (!entry.endsWith('.solv') && !entry.includes('.')) files.push(`${dir}/${entry}/repodata/repomd.xml`)
  }
  if (reasons.length === cacheDirs.length) return missing(`no dnf metadata cache: ${reasons.join('; ')}`)
  return indexAge(host, files, cacheDirs.join(' and '))
}
