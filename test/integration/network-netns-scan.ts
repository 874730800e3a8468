/**
 * Runs inside a network namespace (`ip netns exec NS vite-node network-netns-scan.ts`) for
 * test/integration/network.test.ts: gathers the network domain with the real LocalHost,
 * evaluates the built-in rules and prints `{ facts, factErrors, findings, snapshot }` as
 * JSON on stdout. The scan config's `network` section comes from POSTURE_NETWORK_CONFIG.
 * Not a test file itself (vitest only runs *.test.ts).
 */
import { LocalHost } from '../../agent/host/local-host.js'
import { RecordingHost } from '../../agent/host/recording-host.js'
import { buildReport, gatherFacts } from '../../agent/scan.js'
import { scanConfigSchema } from '../../agent/scan-config.js'
import { snapshotSchemaId } from '../../agent/snapshot.js'
import { loadRuleSet } from '../../rules/load-rules.js'

const config = scanConfigSchema.parse({ network: JSON.parse(process.env.POSTURE_NETWORK_CONFIG ?? '{}') as unknown })
const recorder = new RecordingHost(new LocalHost())
const now = new Date()
const gathered = await gatherFacts(recorder, ['network'], config, now)
const report = buildReport(gathered, {
  ruleSet: loadRuleSet(),
  domains: ['network'],
  now,
  scanId: 'netns',
  source: 'local',
  startedAt: now,
  finishedAt: new Date(),
})
const snapshot = {
  schema: snapshotSchemaId,
  postureVersion: report.postureVersion,
  host: { description: 'local' },
  gatheredAt: now.toISOString(),
  domains: ['network'],
  ...recorder.recorded(),
}
process.stdout.write(JSON.stringify({ facts: report.facts, factErrors: report.factErrors, findings: report.findings, snapshot }))
