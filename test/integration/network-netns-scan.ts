/**
 * Runs inside a network namespace (`ip netns exec NS vite-node network-netns-scan.ts`,
 * spawned with an IPC channel) for test/integration/network.test.ts. Each message is one
 * scan request (the scan config's `network` section): it gathers the network domain with
 * the real LocalHost, evaluates the built-in rules and answers `{ facts, factErrors,
 * findings, snapshot }`. It stays up between scans so the namespace pays the TypeScript
 * start-up once, and exits when the channel closes. Not a test file (vitest runs *.test.ts).
 */
import { join } from 'node:path'
import { networkGatherer } from '../../agent/gatherers/network/gather-network.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { scanConfigSchema } from '../../agent/scan-config.js'
import { snapshotSchemaId } from '../../agent/snapshot.js'
import { createCelEnvironment } from '../../rules/cel-environment.js'
import { compileRule } from '../../rules/compile-rule.js'
import { evaluateRules } from '../../rules/evaluate.js'
import { factsSchema } from '../../rules/facts/facts.js'
import { builtinCatalogueDir, readRuleFile } from '../../rules/load-rules.js'

// The network gatherer and rule file alone (not the registry, not other domains' rules).
const rulePath = join(builtinCatalogueDir(), 'network.yaml')
const env = createCelEnvironment()
const rules = readRuleFile(rulePath).rules.map(({ spec }) => compileRule(spec, rulePath, env, factsSchema))

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
