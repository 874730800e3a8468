import type { IndexFacts, KernelFacts, PendingUpdate, RebootFacts, SecurityUpdate } from '../../../rules/facts/patches.js'
import type { CommandResult, Host } from '../../host/host.js'
import { commandStdout, fileText, missing, ok, type Evidence } from '../evidence.js'
import { assessUnattendedUpgrades, parseAptConfigDump } from './apt-config.js'
import { parseAptListUpgradable } from './apt-list-upgradable.js'
import { parseAptSimulation, type AptSimulation } from './apt-simulation.js'
import { newestDebianKernel, parseDpkgKernels } from './installed-kernels.js'
import { detectContainer, readRunningKernel } from './node-kernel.js'
import { parseNeedrestartBatch, type NeedrestartReport } from './needrestart.js'
import { emptyGathered, put, type PatchesGathered } from './patch-facts.js'
import { indexAge } from './index-age.js'

/**
 * Debian and Ubuntu. Read-only: `apt list`, or a simulation (`apt-get -s`, which never
 * installs, and with `Debug::NoLocking` never takes dpkg's lock — apt-get(8) turns
 * locking off by itself only for non-root simulations), configuration dumps and file
 * reads. Nothing is refreshed: the index is as old as the node's last `apt-get update`,
 * and its age is a fact.
 */
export const aptSimulationArgv = ['apt-get', '-s', '-V', '-o', 'Debug::NoLocking=true', 'dist-upgrade']
export const aptListArgv = ['apt', 'list', '--upgradable']
const aptConfigArgv = ['apt-config', 'dump']
const unattendedStatusArgv = ['dpkg-query', '-W', '--showformat=${db:Status-Abbrev}', 'unattended-upgrades']
const kernelPackagesArgv = ['dpkg-query', '-W', '--showformat=${Package} ${Version} ${db:Status-Abbrev}\\n', 'linux-image-[0-9]*']
const needrestartArgv = ['needrestart', '-b', '-r', 'l']
const listsDir = '/var/lib/apt/lists'

export async function gatherApt(host: Host): Promise<PatchesGathered> {
  const out = emptyGathered()
  out.facts.manager = 'apt'
  const [list, lists, config, unattended, rebootFile, rebootPkgs, hooks, needrestart, kernelPackages, running, container] = await Promise.all([
    host.run(aptListArgv, { timeoutMs: 60_000 }),
    host.listDir(listsDir),
    host.run(aptConfigArgv, { timeoutMs: 10_000 }),
    host.run(unattendedStatusArgv, { timeoutMs: 10_000 }),
    host.readFile('/var/run/reboot-required'),
    host.readFile('/var/run/reboot-required.pkgs'),
    host.listDir('/etc/kernel/postinst.d'),
    host.run(needrestartArgv, { timeoutMs: 30_000 }),
    host.run(kernelPackagesArgv, { timeoutMs: 10_000 }),
    readRunningKernel(host),
    detectContainer(host),
  ])

  const listNames = 'error' in lists ? null : lists.entries
  const index = await gatherIndex(host, lists)
  put(out, 'index', index)

  const updates = await pendingUpdates(host, list)
  if (!updates.ok) {
    put(out, 'pendingUpdates', updates)
    put(out, 'securityUpdates', updates)
  } else if (index.ok && index.value.updatedAt === null) {
    const reason = `apt has no package index (${listsDir} holds no Release files): pending updates are unknown until \`apt-get update\` runs`
    put(out, 'pendingUpdates', missing(reason))
    put(out, 'securityUpdates', missing(reason))
  } else {
    put(out, 'pendingUpdates', ok(updates.value))
    put(out, 'securityUpdates', securityUpdates(updates.value, listNames))
  }

  const nr = needrestartReport(needrestart)
  const kernel = assessKernel(running, container, nr, kernelPackages)
  put(out, 'kernel', kernel)
  put(out, 'reboot', assessReboot(rebootFile, rebootPkgs, hooks, nr, kernel))

  const dump = commandStdout(aptConfigArgv, config)
  const status = unattendedInstalled(unattended)
  if (!dump.ok) put(out, 'autoUpdates', dump)
  else if (!status.ok) put(out, 'autoUpdates', status)
  else put(out, 'autoUpdates', ok(assessUnattendedUpgrades(parseAptConfigDump(dump.value), status.value)))
  return out
}

/**
 * `apt list --upgradable` first: it lists every installed package with a newer candidate,
 * held ones included, with the suites the candidate is in, and it is several times faster
 * than a simulation, which also orders the whole upgrade. The simulation is the fallback.
 */
async function pendingUpdates(host: Host, listResult: CommandResult): Promise<Evidence<PendingUpdate[]>> {
  const list = commandStdout(aptListArgv, listResult)
  if (list.ok) {
    return ok(
      withTargets(
        parseAptListUpgradable(list.value).map((p) => ({
          name: p.name, arch: p.arch, installed: p.installed, candidate: p.candidate, sources: p.suites, security: p.security, keptBack: false,
        })),
      ),
    )
  }
  const simulation = commandStdout(aptSimulationArgv, await host.run(aptSimulationArgv, { timeoutMs: 60_000 }))
  if (!simulation.ok) return missing(`${list.reason}; ${simulation.reason}`)
  const parsed = parseAptSimulation(simulation.value)
  if (parsed.summary && parsed.summary.upgraded !== parsed.upgrades.length) {
    return missing(`${aptSimulationArgv.join(' ')}: reports ${parsed.summary.upgraded} upgraded but ${parsed.upgrades.length} Inst lines were read`)
  }
  return ok(fromSimulation(parsed))
}

/**
 * Upgrades from the Inst lines; kept-back packages (held, or blocked by dependencies) are
 * pending too, but the simulation does not say where their candidates come from.
 */
function fromSimulation(simulation: AptSimulation): PendingUpdate[] {
  const updates: Omit<PendingUpdate, 'target'>[] = simulation.upgrades.map((u) => ({
    name: u.name, arch: u.arch, installed: u.installed, candidate: u.candidate, sources: u.origins, security: u.security, keptBack: false,
  }))
  for (const kept of simulation.keptBack) {
    updates.push({ name: kept.name, arch: null, installed: kept.installed, candidate: kept.candidate ?? '', sources: [], security: null, keptBack: true })
  }
  return withTargets(updates)
}

/** Target = package name, or `name:arch` when several architectures of it are pending. */
function withTargets(updates: Omit<PendingUpdate, 'target'>[]): PendingUpdate[] {
  const counts = new Map<string, number>()
  for (const u of updates) counts.set(u.name, (counts.get(u.name) ?? 0) + 1)
  return updates.map((u) => ({ target: (counts.get(u.name) ?? 0) > 1 && u.arch ? `${u.name}:${u.arch}` : u.name, ...u }))
}

/**
 * The security subset. "No security updates" only means something when a security
 * archive is in the index: its list files are named after it (`…debian-security_dists_…`,
 * `…_dists_jammy-security_…`), so a node whose sources lack one gets an error, not a pass.
 */
function securityUpdates(updates: PendingUpdate[], listNames: string[] | null): Evidence<SecurityUpdate[]> {
  const security = updates.filter((u) => u.security === true)
  const unknown = updates.filter((u) => u.security === null)
  if (unknown.length > 0) {
    return missing(`cannot tell whether kept-back packages come from a security archive: ${unknown.map((u) => u.name).join(', ')}`)
  }
  if (security.length === 0 && listNames !== null && !listNames.some((n) => n.includes('security'))) {
    return missing(`no security archive in apt's package index (${listsDir} has no *security* lists): add the distribution's security suite to the sources and run apt-get update`)
  }
  return ok(security.map((u) => ({ target: u.target, name: u.name, candidate: u.candidate, advisory: null, severity: null })))
}

/**
 * Index age: the newest Release file — apt sets its mtime to the archive's Last-Modified,
 * so this is a lower bound of freshness — or apt's update-success stamp when present.
 */
async function gatherIndex(host: Host, lists: Awaited<ReturnType<Host['listDir']>>): Promise<Evidence<IndexFacts>> {
  if ('error' in lists) return missing(lists.message)
  const files = lists.entries.filter((n) => /_(In)?Release$/.test(n)).map((n) => `${listsDir}/${n}`)
  const periodic = await host.listDir('/var/lib/apt/periodic')
  if (!('error' in periodic) && periodic.entries.includes('update-success-stamp')) files.push('/var/lib/apt/periodic/update-success-stamp')
  return indexAge(host, files, listsDir)
}

function needrestartReport(result: Awaited<ReturnType<Host['run']>>): Evidence<NeedrestartReport> | null {
  if ('error' in result && result.error === 'ENOENT') return null
  const text = commandStdout(needrestartArgv, result)
  if (!text.ok) return text
  const report = parseNeedrestartBatch(text.value)
  return report ? ok(report) : missing(`${needrestartArgv.join(' ')}: no NEEDRESTART- lines in its output`)
}

function unattendedInstalled(result: Awaited<ReturnType<Host['run']>>): Evidence<boolean> {
  if ('error' in result) return missing(result.message)
  // dpkg-query exits 1 with "no packages found matching" for a package it never saw.
  if (result.exitCode === 1 && /no packages found/i.test(result.stderr)) return ok(false)
  const status = commandStdout(unattendedStatusArgv, result)
  return status.ok ? ok(status.value.startsWith('ii')) : status
}

/** needrestart's verdict when it has one (KSTA 1–3); else the newest linux-image package of the running flavour. */
function assessKernel(
  running: Evidence<string>,
  container: string,
  needrestart: Evidence<NeedrestartReport> | null,
  packages: Awaited<ReturnType<Host['run']>>,
): Evidence<KernelFacts> {
  if (!running.ok) return running
  if (container) return ok({ running: running.value, container, newestInstalled: null, current: null, source: 'container' })
  const status = needrestart?.ok ? needrestart.value.kernel.status : null
  if (needrestart?.ok && status !== null && status > 0) {
    const expected = needrestart.value.kernel.expected ?? running.value
    return ok({ running: running.value, container, newestInstalled: expected, current: status === 1, source: 'needrestart' })
  }
  let text: Evidence<string>
  if (!('error' in packages) && packages.exitCode === 1 && /no packages found/i.test(packages.stderr)) text = ok('')
  else text = commandStdout(kernelPackagesArgv, packages)
  if (!text.ok) return text
  const newest = newestDebianKernel(parseDpkgKernels(text.value), running.value)
  if (!newest) {
    return missing(
      `no installed linux-image package matches the running kernel ${running.value}` +
        (status === 0 ? ' and needrestart cannot tell either (KSTA 0: no kernel image in /boot)' : '') +
        ': the kernel is supplied from outside the package manager (direct kernel boot, a custom build)',
    )
  }
  return ok({ running: running.value, container, newestInstalled: newest.release, current: newest.release === running.value, source: 'dpkg' })
}

/**
 * A reboot is owed when /var/run/reboot-required exists, needrestart reports a pending
 * kernel (KSTA 2, 3) or microcode (UCSTA 2), or a newer kernel is installed. The file's
 * absence only counts when something on the node writes it: Ubuntu's update-notifier,
 * Debian's reboot-notifier or unattended-upgrades' kernel hook (host-facts.md 1.2).
 */
function assessReboot(
  file: Awaited<ReturnType<Host['readFile']>>,
  pkgs: Awaited<ReturnType<Host['readFile']>>,
  hooks: Awaited<ReturnType<Host['listDir']>>,
  needrestart: Evidence<NeedrestartReport> | null,
  kernel: Evidence<KernelFacts>,
): Evidence<RebootFacts> {
  const facts: RebootFacts = { required: false, signals: [], reasons: [], packages: [] }
  const unknown: string[] = []
  const writers = 'error' in hooks ? [] : hooks.entries.filter((h) => /^(update-notifier|reboot-notifier|unattended-upgrades)$/.test(h))
  if (!('error' in file)) {
    facts.signals.push('/var/run/reboot-required')
    facts.required = true
    const listed = fileText(pkgs)
    facts.packages = listed.ok ? [...new Set(listed.value.split('\n').map((l) => l.trim()).filter(Boolean))] : []
    facts.reasons.push(`/var/run/reboot-required exists${facts.packages.length ? ` (requested by ${facts.packages.join(', ')})` : ''}`)
  } else if (file.error !== 'ENOENT') unknown.push(file.message)
  else if (writers.length > 0) facts.signals.push(`/var/run/reboot-required (written by ${writers.join(', ')})`)
  else unknown.push('/var/run/reboot-required is absent, but nothing on this node writes it (no update-notifier, reboot-notifier or unattended-upgrades kernel hook)')

  if (needrestart?.ok) {
    const { kernel: k, microcodeStatus, microcode } = needrestart.value
    // KSTA 0 means needrestart found no kernel image to compare with: no signal.
    if (k.status !== null && k.status > 0) facts.signals.push('needrestart')
    if (k.status === 2 || k.status === 3) {
      facts.required = true
      facts.reasons.push(`needrestart: running kernel ${k.running ?? '?'}, expected ${k.expected ?? '?'} (KSTA ${k.status})`)
    }
    if (microcodeStatus === 2) {
      if (!facts.signals.includes('needrestart')) facts.signals.push('needrestart')
      facts.required = true
      facts.reasons.push(`needrestart: microcode ${microcode.current ?? '?'} loaded, ${microcode.expected ?? '?'} installed`)
    }
  } else if (needrestart) unknown.push(needrestart.reason)
  else unknown.push('needrestart is not installed')

  // A kernel verdict that came from needrestart was counted with needrestart above.
  if (!kernel.ok) unknown.push(kernel.reason)
  else if (kernel.value.current === null) unknown.push(`kernel: ${kernel.value.container} container`)
  else if (kernel.value.source !== 'needrestart') {
    facts.signals.push(`kernel (${kernel.value.source})`)
    if (!kernel.value.current) {
      facts.required = true
      facts.reasons.push(`running kernel ${kernel.value.running}, newest installed ${kernel.value.newestInstalled ?? '?'}`)
    }
  }

  if (facts.signals.length === 0 && !facts.required) return missing(`cannot tell whether a reboot is owed: ${unknown.join('; ')}`)
  return ok(facts)
}
