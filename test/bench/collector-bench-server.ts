import { pino } from 'pino'
import { buildCollector } from '../../collector/build-collector.js'
import { resolveCollectorConfig } from '../../collector/collector-config.js'

/**
 * The collector core for benchmarks: buildCollector with no plugins (no dashboard, alerts
 * or schedules), so collector-ingest.bench can tell the core's cost from the plugins'.
 * Usage: node collector-bench-server.js DATA_DIR; prints "listening on URL" on stderr.
 */
const [dataDir] = process.argv.slice(2)
if (!dataDir) throw new TypeError('usage: collector-bench-server.js DATA_DIR')
const config = resolveCollectorConfig(
  {},
  { dataDir, listen: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' }, agents: { messageBurst: 1000, messagesPerSecond: 1000 }, backup: { intervalMs: 0 } },
  process.cwd(),
)
const collector = await buildCollector(config, { logger: pino({ level: 'warn' }, pino.destination(2)) })
const url = await collector.start()
process.stderr.write(`listening on ${url}\n`)
process.once('SIGTERM', () => {
  void collector.close().then(() => process.exit(0))
})
