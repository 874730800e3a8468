import type { AutoUpdatesFacts, KernelFacts, PendingUpdate, RebootFacts } from '../../../rules/facts/patches.js'
import type { Host } from '../../host/host.js'
import { commandStdout, missing, ok, type Evidence } from '../evidence.js'
import { findApkUpgradeJobs, parseApkListUpgradable, parseApkVersion } from './apk.js'
import { indexAge } from './index-age.js'
import { kernelFlavour } from './installed-kernels.js'
import { detectContainer, readRunningKernel } from './node-kernel.js'
import { emptyGathered, put, type PatchesGathered } from './patch-facts.js'

/**
 * Alpine. apk reads its cached APKINDEX; nothing is fetched. apk's metadata carries no
 * security flag (security fixes are matched against secdb.alpinelinux.org, which needs the
 * network), so the security subset is reported as unknown, never as "none".
 */
export const apkListArgv = ['apk', 'list', '--upgradable']
export const apkVersionArgv = ['apk', 'version', '-l', '<']
const cacheDir = '/var/cache/apk'
const periodicDir = '/etc/periodic'

export async function gatherApk(host: Host): Promise<PatchesGathered> {
  const out = emptyGathered()
  out.facts.manager = 'apk'
  const [updates, running, container, modules, cache, autoUpdates] = await Promise.all([
    pendingUpdates(host),
    readRunningKernel(host),
    detectContainer(host),
    host.listDir('/lib/modules'),
    host.listDir(cacheDir),
    gatherAutoUpdates(host),
  ])
  const index = 'error' in cache ? missing(cache.message) : await indexAge(host, cache.entries.filter((e) => /^APKINDEX\..*\.tar\.gz$/.test(e)).map((e) => `${cacheDir}/${e}`), cacheDir)
  put(out, 'index', index)
  // Without an APKINDEX apk knows no newer versions: an empty list would be a false pass.
  const pending = updates.ok && index.ok && index.value.updatedAt === null
    ? missing(`apk has no package index (${cacheDir} holds no APKINDEX): pending updates are unknown until \`apk update\` runs`)
    : updates
  put(out, 'pendingUpdates', pending)
  put(
    out,
    'securityUpdates',
    missing(
      pending.ok
        ? `apk metadata has no security flag: whether the ${pending.value.length} pending update(s) fix vulnerabilities needs Alpine's secdb, which this offline check does not fetch`
        : pending.reason,
    ),
  )
  const kernel = assessKernel(running, container, modules)
  put(out, 'kernel', kernel)
  put(out, 'reboot', assessReboot(kernel))
  put(out, 'autoUpdates', autoUpdates)
  return out
}

/** `apk list --upgradable` (apk-tools ≥ 2.12), else `apk version -l '<'`. */
async function pendingUpdates(host: Host): Promise<Evidence<PendingUpdate[]>> {
  const list = commandStdout(apkListArgv, await host.run(apkListArgv, { timeoutMs: 30_000 }))
  if (list.ok) {
    return ok(parseApkListUpgradable(list.value).map((u) => ({
      target: u.name, name: u.name, arch: u.arch, installed: u.installed, candidate: u.candidate, sources: u.origin ? [u.origin] : [], security: null, keptBack: false,
    })))
  }
  const version = commandStdout(apkVersionArgv, await host.run(apkVersionArgv, { timeoutMs: 30_000 }))
  if (!version.ok) return missing(`${list.reason}; ${version.reason}`)
  return ok(parseApkVersion(version.value).map((u) => ({
    target: u.name, name: u.name, arch: null, installed: u.installed, candidate: u.candidate, sources: [], security: null, keptBack: false,
  })))
}

/**
 * Alpine's kernel package replaces the module tree when it is upgraded, keeping one per
 * flavour: a running kernel whose /lib/modules/<release> is gone has been superseded by
 * the tree of the same flavour that is there (host-facts.md 1.4).
 */
function assessKernel(running: Evidence<string>, container: string, modules: Awaited<ReturnType<Host['listDir']>>): Evidence<KernelFacts> {
  if (!running.ok) return running
  if (container) return ok({ running: running.value, container, newestInstalled: null, current: null, source: 'container' })
  if ('error' in modules) return missing(`${modules.message}: no installed kernel to compare with ${running.value}`)
  if (modules.entries.includes(running.value)) {
    return ok({ running: running.value, container, newestInstalled: running.value, current: true, source: '/lib/modules' })
  }
  const sameFlavour = modules.entries.filter((m) => kernelFlavour(m) === kernelFlavour(running.value))
  if (sameFlavour.length === 0) return missing(`/lib/modules has no tree for the running kernel ${running.value} or its flavour: it is supplied from outside apk`)
  return ok({ running: running.value, container, newestInstalled: sameFlavour[sameFlavour.length - 1]!, current: false, source: '/lib/modules' })
}

function assessReboot(kernel: Evidence<KernelFacts>): Evidence<RebootFacts> {
  if (!kernel.ok) return missing(`cannot tell whether a reboot is owed: Alpine has no reboot-required marker, and ${kernel.reason}`)
  if (kernel.value.current === null) return missing(`cannot tell whether a reboot is owed: Alpine has no reboot-required marker, and the ${kernel.value.container} container's kernel is its host's`)
  const required = !kernel.value.current
  return ok({
    required,
    signals: ['kernel (/lib/modules)'],
    reasons: required ? [`running kernel ${kernel.value.running}, installed ${kernel.value.newestInstalled ?? '?'}`] : [],
    packages: [],
  })
}

/** A cron job running `apk upgrade`: root's crontab or a script in /etc/periodic/<interval>/. */
async function gatherAutoUpdates(host: Host): Promise<Evidence<AutoUpdatesFacts>> {
  const files = new Map<string, string>()
  const crontab = await host.readFile('/etc/crontabs/root')
  if (!('error' in crontab)) files.set('/etc/crontabs/root', crontab.content)
  else if (crontab.error !== 'ENOENT') return missing(crontab.message)
  const periodic = await host.listDir(periodicDir)
  if (!('error' in periodic)) {
    for (const interval of periodic.entries) {
      const scripts = await host.listDir(`${periodicDir}/${interval}`)
      if ('error' in scripts) continue
      for (const script of scripts.entries) {
        const path = `${periodicDir}/${interval}/${script}`
        const content = await host.readFile(path, { maxBytes: 256 * 1024 })
        if (!('error' in content)) files.set(path, content.content)
      }
    }
  }
  const jobs = findApkUpgradeJobs(files)
  return ok({
    enabled: jobs.length > 0,
    tool: 'cron',
    details: jobs.length > 0 ? jobs : [`no cron job runs apk upgrade (read ${[...files.keys()].join(', ') || 'no crontab or periodic script'})`],
  })
}
