import type { Host } from '../../host/host.js'
import { commandStdout, fileText, missing, ok, type Evidence } from '../evidence.js'

/** The running kernel release, as `uname -r` prints it (read from procfs, proc(5)). */
export async function readRunningKernel(host: Host): Promise<Evidence<string>> {
  const text = fileText(await host.readFile('/proc/sys/kernel/osrelease'))
  if (!text.ok) return text
  const release = text.value.trim()
  return release ? ok(release) : missing('/proc/sys/kernel/osrelease is empty')
}

/**
 * The container runtime when the node is a container, else ''. A container runs its
 * host's kernel, so kernel checks do not apply to it. systemd-detect-virt(1) `--container`
 * first (exit 0 and the type; exit 1 and `none`), then the marker files that Docker
 * (`/.dockerenv`), Podman (`/run/.containerenv`) and systemd-nspawn/LXC
 * (`/run/systemd/container`) leave, for containers without systemd (Alpine).
 */
export async function detectContainer(host: Host): Promise<string> {
  const argv = ['systemd-detect-virt', '--container']
  const detected = commandStdout(argv, await host.run(argv, { timeoutMs: 5_000 }), [0, 1])
  if (detected.ok) {
    const type = detected.value.trim()
    if (type && type !== 'none') return type
    if (type === 'none') return ''
  }
  const [dockerenv, containerenv, systemdContainer] = await Promise.all([
    host.readFile('/.dockerenv'),
    host.readFile('/run/.containerenv'),
    host.readFile('/run/systemd/container'),
  ])
  if (!('error' in dockerenv)) return 'docker'
  if (!('error' in containerenv)) return 'podman'
  if (!('error' in systemdContainer) && systemdContainer.content.trim()) return systemdContainer.content.trim()
  return ''
}
