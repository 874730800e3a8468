import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * `npm run bench`: runs every test/bench/*.bench.ts (compiled to dist/) in turn. Each
 * benchmark prints `bench: NAME VALUE UNIT` lines, with `(ratio R vs PEER)` where a peer
 * or ceiling was measured in the same run. `npm run bench -- NAME` runs the ones whose
 * file name contains NAME.
 */
interface Benchmark {
  run: () => Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))
const filter = process.argv[2]
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filter === undefined || f.includes(filter))
  .sort()

if (files.length === 0) {
  console.error(`no benchmark matches ${JSON.stringify(filter)}`)
  process.exitCode = 2
}
for (const file of files) {
  console.log(`\n# ${file.replace(/\.bench\.js$/, '')}`)
  const started = performance.now()
  const bench = (await import(join(here, file))) as Benchmark
  await bench.run()
  console.log(`# ${file.replace(/\.bench\.js$/, '')} took ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
