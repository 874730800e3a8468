/**
 * Peer check: Posture's protocol and weak-cipher verdicts against testssl.sh's on the same
 * real servers (the catalogue in test/integration/tls-servers.ts). Not part of CI: testssl
 * takes minutes per server. Run it after changing the enumeration:
 *
 *   apt-get install testssl.sh openssl gnutls-bin
 *   npx vite-node test/peer/tls-vs-testssl.ts [SERVER…]
 *
 * For every server it compares the accepted protocol versions (testssl `-p`: ids SSLv2 …
 * TLS1_3) and the weak cipher categories (testssl `-s`: cipherlist_NULL, _aNULL, _EXPORT,
 * _LOW, _3DES_IDEA), prints one line per check and exits 1 on any disagreement.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gatherTlsEndpoints } from '../../agent/gatherers/tls/gather-tls.js'
import { LocalHost } from '../../agent/host/local-host.js'
import type { CipherFacts } from '../../rules/facts/tls.js'
import { hasTool, serverCatalogue, TestPki, type CatalogueName } from '../integration/tls-servers.js'

const run = promisify(execFile)

/** testssl.sh protocol ids → Node's names. */
const protocolIds: Record<string, string> = { SSLv2: 'SSLv2', SSLv3: 'SSLv3', TLS1: 'TLSv1', TLS1_1: 'TLSv1.1', TLS1_2: 'TLSv1.2', TLS1_3: 'TLSv1.3' }

/**
 * testssl's weak categories (testssl.sh `run_cipherlists`, OpenSSL cipher strings in the
 * shared reference §2.1), as predicates on our cipher facts.
 */
const notAnon = (c: CipherFacts) => c.au !== 'anon'
const weakCategories: Record<string, (c: CipherFacts) => boolean> = {
  cipherlist_NULL: (c) => c.enc === 'NULL',
  cipherlist_aNULL: (c) => c.au === 'anon',
  cipherlist_EXPORT: (c) => c.export && notAnon(c) && c.enc !== 'NULL',
  cipherlist_LOW: (c) => !c.export && notAnon(c) && c.enc !== 'NULL' && (['DES', 'RC2', 'RC4'].includes(c.enc) || c.bits <= 64),
  cipherlist_3DES_IDEA: (c) => notAnon(c) && ['3DES', 'IDEA'].includes(c.enc),
}

interface Verdicts {
  protocols: string[]
  weak: Record<string, boolean>
  seconds: number
  /** testssl gave up on the server (e.g. "Your OpenSSL cannot connect"): nothing to compare. */
  interrupted?: string
}

async function posture(port: number, caFile: string): Promise<Verdicts> {
  const started = performance.now()
  const gathered = await gatherTlsEndpoints(
    new LocalHost(),
    [{ host: '127.0.0.1', port, servername: 'localhost', starttls: null, httpPort: null, discovered: false }],
    { caPems: [readFileSync(caFile, 'utf8')], timeoutMs: 5000, connectionsPerEndpoint: 8, endpointsAtOnce: 1, now: new Date() },
  )
  const endpoint = gathered.endpoints[0]!
  if (endpoint.error) throw new Error(`posture: ${endpoint.error}`)
  const ciphers = endpoint.ciphers ?? []
  return {
    protocols: endpoint.protocols ?? [],
    weak: Object.fromEntries(Object.entries(weakCategories).map(([id, test]) => [id, ciphers.some(test)])),
    seconds: (performance.now() - started) / 1000,
  }
}

async function testssl(port: number, dir: string): Promise<Verdicts> {
  const json = join(dir, `testssl-${port}.json`)
  const started = performance.now()
  // testssl exits non-zero when it finds problems; its JSON is what counts.
  await run('testssl', ['--quiet', '--color', '0', '--warnings', 'batch', '-p', '-s', '--jsonfile', json, `127.0.0.1:${port}`], { maxBuffer: 64 << 20 }).catch((err: { code?: unknown }) => {
    if (typeof err.code !== 'number') throw err
  })
  const findings = JSON.parse(readFileSync(json, 'utf8')) as { id: string; finding: string }[]
  const offered = (f: { finding: string }) => /^offered/.test(f.finding)
  const interrupted = findings.find((f) => f.id === 'scanTime' && /interrupted/i.test(f.finding))
  const reason = findings.find((f) => f.id === 'optimal_proto' || f.id === 'scanProblem')?.finding
  return {
    ...(interrupted ? { interrupted: reason ?? interrupted.finding } : {}),
    protocols: findings.filter((f) => f.id in protocolIds && offered(f)).map((f) => protocolIds[f.id]!),
    weak: Object.fromEntries(Object.keys(weakCategories).map((id) => [id, findings.some((f) => f.id === id && offered(f))])),
    seconds: (performance.now() - started) / 1000,
  }
}

async function main(names: string[]): Promise<number> {
  if (!hasTool('testssl')) {
    console.error('testssl.sh is not installed (apt-get install testssl.sh): nothing to compare against')
    return 2
  }
  const selected = (names.length ? names : Object.keys(serverCatalogue)) as CatalogueName[]
  const pki = await TestPki.create()
  const dir = mkdtempSync(join(tmpdir(), 'posture-peer-'))
  const caFile = join(dir, 'root.pem')
  writeFileSync(caFile, pki.root.cert)
  const leaf = await pki.issue({ name: 'localhost' })
  let disagreements = 0
  let notScanned = 0
  try {
    for (const name of selected) {
      const entry = serverCatalogue[name]
      if (!entry) throw new Error(`unknown server ${name} (known: ${Object.keys(serverCatalogue).join(', ')})`)
      if (entry.tool && !hasTool(entry.tool)) {
        console.log(`SKIP ${name}: ${entry.tool} not installed`)
        continue
      }
      const server = await entry.start(leaf)
      try {
        const ours = await posture(server.port, caFile)
        const theirs = await testssl(server.port, dir)
        console.log(`\n${name}: ${entry.description}\n  posture ${ours.seconds.toFixed(1)} s, testssl ${theirs.seconds.toFixed(1)} s`)
        if (theirs.interrupted) {
          // testssl needs its local OpenSSL to connect before it scans; Posture does not.
          console.log(`  TESTSSL COULD NOT SCAN: ${theirs.interrupted}`)
          console.log(`  posture found: protocols ${ours.protocols.join(' ')}; weak categories ${Object.entries(ours.weak).filter(([, v]) => v).map(([k]) => k).join(', ') || 'none'}`)
          notScanned++
          continue
        }
        const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
        const lines = [
          [`protocols`, ours.protocols.join(' '), theirs.protocols.join(' '), same(ours.protocols, theirs.protocols)] as const,
          ...Object.keys(weakCategories).map((id) => [id, String(ours.weak[id]), String(theirs.weak[id]), ours.weak[id] === theirs.weak[id]] as const),
          ['weak verdict', String(Object.values(ours.weak).some(Boolean)), String(Object.values(theirs.weak).some(Boolean)), Object.values(ours.weak).some(Boolean) === Object.values(theirs.weak).some(Boolean)] as const,
        ]
        for (const [check, a, b, ok] of lines) {
          console.log(`  ${ok ? 'agree   ' : 'DISAGREE'} ${check.padEnd(22)} posture: ${a.padEnd(36)} testssl: ${b}`)
          if (!ok) disagreements++
        }
      } finally {
        await server.close()
      }
    }
  } finally {
    pki.close()
    rmSync(dir, { recursive: true, force: true })
  }
  const scanned = notScanned ? ` (${notScanned} server(s) testssl.sh could not scan)` : ''
  console.log(`\n${disagreements === 0 ? `posture and testssl.sh agree on every server they both scanned${scanned}` : `${disagreements} disagreement(s)${scanned}`}`)
  return disagreements === 0 ? 0 : 1
}

process.exitCode = await main(process.argv.slice(2))
