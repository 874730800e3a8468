/**
 * Runs inside a network namespace (`ip netns exec NS vite-node network-netns-scan.ts`,
 * spawned with an IPC channel) for test/integration/network.test.ts. Each message is one
 * scan request (the scan config's `network` section): it gathers the network domain with
 * the real LocalHost, evaluates the built-in rules and answers `{ facts, factErrors,
 * findings, snapshot }`. It stays up between scans so the namespace pays the TypeScript
 * start-up once, and exits when the channel closes. Not a test file (vitest runs *.test.ts).
 */
import { networkGatherer } from '../../agent/gatherers/network/gather-network.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { scanConfigSchema } from '../../agent/scan-config.js'
import { snapshotSchemaId } from '../../agent/snapshot.js'
import { evaluateRules } from '../../rules/evaluate.js'
import { loadRuleSet } from '../../rules/load-rules.js'

// The network gatherer alone (not the registry): the namespace scan needs nothing else.
const rules = loadRuleSet().rules.filter((r) => r.spec.domain === 'network')

async function scan(network: unknown): Promise<object> {
  const config = scanConfigSchema.parse({ network })
  const recorder = new RecordingHost(new LocalHost())
  const now = new Date()
  const { facts, errors } = await networkGatherer.gather({ host: recorder, now, config })
  const findings = evaluateRules(rules, { facts, factErrors: errors, now })
  const snapshot = {
    schema: snapshotSchemaId,
    postureVersion: 'test',
    host: { description: 'local' },
    gatheredAt: now.toISOString(),
    domains: ['network'],
    ...recorder.recorded(),
  }
  return { facts, factErrors: errors, findings, snapshot }
}

if (!process.send) throw new Error('network-netns-scan.ts must be spawned with an IPC channel')
const send = process.send.bind(process)
process.on('message', (network: unknown) => {
  scan(network).then(
    (result) => send(result),
    (err: unknown) => send({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  )
})
send('ready')
