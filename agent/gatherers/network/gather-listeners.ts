import type { Host } from '../../host/host.js'
import { commandStdout, fileText, missing, ok, type Evidence } from '../evidence.js'
import { parseProcNet, parseSs, type ListeningSocket } from './listening-sockets.js'

/**
 * Listening TCP and unconnected UDP sockets: `ss -H -tulnp` first (exact: device binds and
 * IPV6_V6ONLY are visible; process names need root), /proc/net/{tcp,tcp6,udp,udp6} when
 * ss cannot run (read as the worst case, see parseProcNet).
 */
export async function gatherSockets(host: Host): Promise<Evidence<ListeningSocket[]>> {
  const argv = ['ss', '-H', '-tulnp']
  const ss = commandStdout(argv, await host.run(argv, { timeoutMs: 10_000 }))
  if (ss.ok) return ok(parseSs(ss.value))

  const sockets: ListeningSocket[] = []
  const reasons: string[] = []
  let read = 0
  for (const [file, protocol] of [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']] as const) {
    const path = `/proc/net/${file}`
    const text = fileText(await host.readFile(path))
    // tcp6/udp6 are absent when IPv6 is disabled: nothing listens there.
    if (!text.ok) {
      if (!file.endsWith('6')) reasons.push(text.reason)
      continue
    }
    const parsed = parseProcNet(text.value, protocol)
    if (parsed === null) {
      reasons.push(`${path}: unexpected content`)
      continue
    }
    read++
    sockets.push(...parsed)
  }
  if (reasons.length > 0 || read === 0) return missing(`${ss.reason}; ${reasons.join('; ') || 'no /proc/net socket table'}`)
  return ok(sockets)
}
