/**
 * Where an SSH scan performs a network probe. SshHost runs `perform` in the collector's
 * process, so a probe is answered from the collector's vantage point: right for a TLS
 * handshake with the node's public address, wrong for anything that is about the node's
 * own view. Those are refused with a reason (an `error` fact, never a pass):
 * - `systeminformation …`: reads the local machine's hardware;
 * - `isolation …`: whether the node can reach other networks, which only the node can try;
 * - any probe of a loopback or unspecified address, or of `localhost`: from the collector
 *   it would reach the collector itself.
 */
export type ProbeSide = { side: 'collector' } | { side: 'node-only'; reason: string }

const nodeOnlyKinds: Record<string, string> = {
  systeminformation: 'it reads the hardware of the machine it runs on',
  isolation: "it tests the node's own reachability of other networks",
}

export function probeSide(key: string): ProbeSide {
  const [kind = '', ...rest] = key.split(' ')
  const why = nodeOnlyKinds[kind]
  if (why !== undefined) return { side: 'node-only', reason: why }
  for (const word of rest) {
    if (isLocalTarget(word)) return { side: 'node-only', reason: `${word} from the collector would reach the collector, not the node` }
  }
  return { side: 'collector' }
}

/** `127.0.0.1:443`, `[::1]:443`, `localhost:25`, `0.0.0.0:80`, with or without a port. */
function isLocalTarget(word: string): boolean {
  const bracketed = word.match(/^\[([^\]]+)\](?::\d+)?$/)?.[1]
  // An unbracketed word with several colons is a bare IPv6 address, not host:port.
  const host = (bracketed ?? ((word.match(/:/g)?.length ?? 0) > 1 ? word : word.replace(/:\d+$/, ''))).toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (/^127\.\d+\.\d+\.\d+$/.test(host) || host === '0.0.0.0') return true
  return host === '::1' || host === '::' || host === '0:0:0:0:0:0:0:1' || host.startsWith('::ffff:127.')
}
