import { createHash } from 'node:crypto'
import type { FactErrors } from '../../../rules/facts/facts.js'
import type { SystemFacts } from '../../../rules/facts/system.js'
import type { Host } from '../../host/host.js'
import { commandStdout, fileText } from '../evidence.js'
import type { Gatherer, GatherContext, GatherResult } from '../gatherer.js'
import { readOsRelease } from './read-os-release.js'
import { parseChronycTracking, parseTimedatectlShow } from './time-sync.js'

/** Identity, kernel, uptime, virtualization and clock synchronisation of the node. */
export const systemGatherer: Gatherer = {
  name: 'system',
  feeds: ['system'],
  gather: gatherSystem,
}

async function gatherSystem({ host }: GatherContext): Promise<GatherResult> {
  const facts: SystemFacts = {}
  const errors: FactErrors = {}
  const [hostname, machineId, os, kernel, arch, uptime, virt, timeSync] = await Promise.all([
    host.readFile('/proc/sys/kernel/hostname'),
    host.readFile('/etc/machine-id'),
    readOsRelease(host),
    host.readFile('/proc/sys/kernel/osrelease'),
    host.run(['uname', '-m'], { timeoutMs: 5_000 }),
    host.readFile('/proc/uptime'),
    host.run(['systemd-detect-virt'], { timeoutMs: 5_000 }),
    gatherTimeSync(host),
  ])

  const name = fileText(hostname)
  if (name.ok) facts.hostname = name.value.trim()
  else errors['system.hostname'] = name.reason

  const id = fileText(machineId)
  if (id.ok && id.value.trim()) facts.machineIdDigest = createHash('sha256').update(id.value.trim()).digest('hex')
  else errors['system.machineIdDigest'] = id.ok ? '/etc/machine-id is empty' : id.reason

  if (os.ok) facts.os = os.value
  else errors['system.os'] = os.reason

  const release = fileText(kernel)
  const machine = commandStdout(['uname', '-m'], arch)
  if (release.ok && machine.ok) facts.kernel = { release: release.value.trim(), arch: machine.value.trim() }
  else errors['system.kernel'] = !release.ok ? release.reason : !machine.ok ? machine.reason : ''

  const up = fileText(uptime)
  const seconds = up.ok ? Number.parseFloat(up.value) : Number.NaN
  if (Number.isFinite(seconds)) facts.uptimeSeconds = seconds
  else errors['system.uptimeSeconds'] = up.ok ? `/proc/uptime: unexpected content ${JSON.stringify(up.value.slice(0, 40))}` : up.reason

  // systemd-detect-virt exits 1 and prints "none" on bare metal (systemd-detect-virt(1)).
  const detected = commandStdout(['systemd-detect-virt'], virt, [0, 1])
  if (detected.ok && detected.value.trim()) facts.virtualization = detected.value.trim()
  else errors['system.virtualization'] = detected.ok ? 'systemd-detect-virt printed nothing' : detected.reason

  if (timeSync.ok) facts.timeSync = timeSync.value
  else errors['system.timeSync'] = timeSync.reason

  return { facts: { system: facts }, errors }
}


/** systemd's view first, chrony's second; both failing is an error naming both. */
async function gatherTimeSync(host: Host) {
  const timedatectlArgv = ['timedatectl', 'show']
  const timedatectl = commandStdout(timedatectlArgv, await host.run(timedatectlArgv, { timeoutMs: 5_000 }))
  const fromSystemd = timedatectl.ok ? parseTimedatectlShow(timedatectl.value) : null
  if (fromSystemd) return { ok: true as const, value: fromSystemd }

  const chronycArgv = ['chronyc', '-n', 'tracking']
  const chronyc = commandStdout(chronycArgv, await host.run(chronycArgv, { timeoutMs: 5_000 }))
  const fromChrony = chronyc.ok ? parseChronycTracking(chronyc.value) : null
  if (fromChrony) return { ok: true as const, value: fromChrony }

  const why = (e: { ok: boolean; reason?: string }, tool: string) => (e.ok ? `${tool}: unexpected output` : e.reason)
  return {
    ok: false as const,
    reason: `no time synchronisation service answered (${why(timedatectl, 'timedatectl show')}; ${why(chronyc, 'chronyc tracking')})`,
  }
}
