/**
 * A real Posture agent inside a network namespace, for network-isolation-collector.test.ts
 * (`ip netns exec NS vite-node network-netns-agent.ts`, spawned with an IPC channel). The
 * collector listens on 127.0.0.1 in the test's own namespace; this process reaches it
 * through a Unix socket the test serves (a path on the shared filesystem): a TCP
 * forwarder on 127.0.0.1:0 inside this namespace pipes each connection to that socket, so
 * the agent's traffic to the collector never leaves loopback. The network domain is
 * gathered from this namespace for real (LocalHost: `ip`, `ss`, sysctls, firewall, and the
 * isolation probes the collector plans); the system domain's identity files come from a
 * snapshot so that the two namespaces are two nodes. Not a test file.
 */
import { createConnection, createServer, type AddressInfo } from 'node:net'
import { pino } from 'pino'
import { Agent } from '../../agent/agent-runtime.js'
import type { AgentState } from '../../agent/agent-state.js'
import type { Host } from '../../agent/host/host.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { SnapshotHost } from '../../agent/host/snapshot-host.js'
import { commandKey } from '../../agent/host/host.js'
import { defaultScanConfig } from '../../agent/scan-config.js'
import { systemSnapshot } from './collector-fixtures.js'

interface Start {
  state: AgentState
  stateDir: string
  hostname: string
  socketPath: string
}

/** The system domain from a snapshot (identity), everything else from this namespace. */
function identityHost(hostname: string): Host {
  const snapshot = systemSnapshot({ hostname })
  const recorded = new SnapshotHost(snapshot, hostname)
  const local = new LocalHost()
  return {
    description: `netns:${hostname}`,
    readFile: (path, options) => (path in snapshot.files ? recorded.readFile(path, options) : local.readFile(path, options)),
    listDir: (path) => local.listDir(path),
    run: (argv, options) => (commandKey(argv) in snapshot.commands ? recorded.run(argv, options) : local.run(argv, options)),
    probe: (key, perform) => local.probe(key, perform),
  }
}

async function forwarder(socketPath: string): Promise<number> {
  const server = createServer((client) => {
    const upstream = createConnection(socketPath)
    client.pipe(upstream).pipe(client)
    const close = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', close)
    upstream.on('error', close)
    client.on('close', close)
    upstream.on('close', close)
  })
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  return (server.address() as AddressInfo).port
}

if (!process.send) throw new Error('network-netns-agent.ts must be spawned with an IPC channel')
const send = process.send.bind(process)
process.once('message', (start: Start) => {
  void (async () => {
    const port = await forwarder(start.socketPath)
    const state = { ...start.state, collectorUrl: `https://127.0.0.1:${port}` }
    const agent = new Agent({
      stateDir: start.stateDir,
      state,
      host: identityHost(start.hostname),
      domains: ['system', 'network'],
      scanConfig: { ...defaultScanConfig, network: { ...defaultScanConfig.network, isolation: { ...defaultScanConfig.network.isolation, timeoutMs: 1_000 } } },
      intervalMs: 3_600_000,
      log: pino({ level: 'warn' }, pino.destination(2)),
      backoff: { baseMs: 50, maxMs: 500 },
      scanOnStart: true,
    })
    agent.on('connected', () => send({ event: 'connected' }))
    agent.on('node-config', (config) => send({ event: 'node-config', ...config }))
    agent.on('acked', (ack) => send({ event: 'acked', ...ack }))
    agent.on('fatal', (fatal) => send({ event: 'fatal', ...fatal }))
    process.on('disconnect', () => void agent.stop().then(() => process.exit(0)))
    agent.start()
  })().catch((err: unknown) => {
    send({ event: 'error', error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
  })
})
send({ event: 'ready' })
