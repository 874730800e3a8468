import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gatherTlsEndpoints } from '../../agent/gatherers/tls/gather-tls.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { packageRoot } from '../../rules/package-root.js'
import { hasTool, serverCatalogue, TestPki, type CatalogueName, type Issued } from '../integration/tls-servers.js'

/**
 * `posture tls` beside testssl.sh on the same loopback server (DESIGN.md, "Performance
 * targets": full protocol + cipher-suite enumeration of one endpoint in under 1 s, against
 * testssl.sh's tens of seconds).
 *
 * - tls-posture-cli: wall time of the built CLI, `node dist/cli/posture.js tls … --json`,
 *   process start and rule loading included (best of 3);
 * - tls-posture-probe: the probe alone, in process (enumeration, certificate, HTTP; best of 3);
 * - tls-testssl: `testssl` with its default checks on the same server, once.
 * Server: `node-modern` (Node https, TLS 1.2 + 1.3, Mozilla intermediate suites), and
 * `openssl-legacy` when openssl is installed (more protocols and suites to enumerate).
 */
const execFileAsync = promisify(execFile)
const repeats = 3

export async function run(): Promise<void> {
  if (!hasTool('openssl')) {
    console.log('bench: tls skipped: the openssl CLI (needed to make the test certificates) is not installed')
    return
  }
  const pki = await TestPki.create()
  const dir = mkdtempSync(join(tmpdir(), 'posture-bench-tls-'))
  const caFile = join(dir, 'root.pem')
  writeFileSync(caFile, pki.root.cert)
  try {
    const leaf = await pki.issue({ name: 'localhost' })
    for (const name of ['node-modern', 'openssl-legacy'] as CatalogueName[]) {
      const entry = serverCatalogue[name]
      if (entry.tool && !hasTool(entry.tool)) continue
      await benchServer(name, leaf, caFile)
    }
  } finally {
    pki.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function benchServer(name: CatalogueName, leaf: Issued, caFile: string): Promise<void> {
  const server = await serverCatalogue[name].start(leaf)
  try {
    const target = `127.0.0.1:${server.port}`
    const probe = await best(async () => {
      const started = performance.now()
      const gathered = await gatherTlsEndpoints(
        new LocalHost(),
        [{ host: '127.0.0.1', port: server.port, servername: 'localhost', starttls: null, httpPort: null, discovered: false }],
        { caPems: [readFileSync(caFile, 'utf8')], timeoutMs: 5000, connectionsPerEndpoint: 8, endpointsAtOnce: 1, now: new Date() },
      )
      if (gathered.endpoints[0]?.error) throw new Error(gathered.endpoints[0].error)
      return performance.now() - started
    })
    const cli = join(packageRoot(), 'dist', 'cli', 'posture.js')
    const whole = existsSync(cli) ? await best(() => timeCli(cli, [target, '--servername', 'localhost', '--ca', caFile, '--http-port', 'none', '--json'])) : null

    let testssl: number | null = null
    let skipped = ''
    if (!hasTool('testssl')) skipped = 'testssl.sh is not installed (apt-get install testssl.sh)'
    else {
      const started = performance.now()
      // Its default run; it exits non-zero when it finds problems, which is not a failure here.
      await execFileAsync('testssl', ['--quiet', '--color', '0', '--warnings', 'batch', target], { maxBuffer: 64 << 20 }).catch((err: { code?: unknown }) => {
        if (typeof err.code !== 'number') throw err
      })
      testssl = performance.now() - started
    }
    const vs = (ms: number) => (testssl === null ? ` (testssl.sh skipped: ${skipped})` : ` (ratio ${(ms / testssl).toFixed(4)} vs testssl.sh)`)
    if (whole !== null) console.log(`bench: tls-posture-cli[${name}] ${(whole / 1000).toFixed(3)} s${vs(whole)}`)
    else console.log(`bench: tls-posture-cli[${name}] skipped: dist/cli/posture.js is not built (npm run build)`)
    console.log(`bench: tls-posture-probe[${name}] ${(probe / 1000).toFixed(3)} s${vs(probe)}`)
    if (testssl !== null) console.log(`bench: tls-testssl[${name}] ${(testssl / 1000).toFixed(1)} s`)
  } finally {
    await server.close()
  }
}

async function best(measure: () => Promise<number>): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY
  for (let i = 0; i < repeats; i++) fastest = Math.min(fastest, await measure())
  return fastest
}

function timeCli(cli: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [cli, 'tls', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`posture tls exited ${code}: ${stderr}`))))
  })
}
