import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './sshd.js'

/**
 * A real PostgreSQL server for store and multi-collector tests: Debian's server binaries
 * (/usr/lib/postgresql/<major>/bin, package `postgresql`) run `initdb` + `pg_ctl` in a temp
 * directory, listening on a random 127.0.0.1 port with its unix socket in that directory.
 * Trust authentication for the superuser `posture`, on loopback only. Durability is off
 * (fsync, synchronous_commit): a test server is thrown away, and it must be fast on a
 * shared 2-core machine.
 *
 * PostgreSQL refuses to run as root: as root (CI), the temp directory is given to the
 * `postgres` OS user and the binaries run through `runuser -u postgres --`.
 *
 *   const pgServer = await startPostgres()       // beforeAll
 *   const url = await pgServer.createDatabase()  // a fresh, empty database per test (file)
 *   await pgServer.stop()                        // afterAll
 */
export interface TestPostgres {
  /** `postgres://posture@127.0.0.1:PORT/DB` (DB defaults to `postgres`). */
  url(dbName?: string): string
  /** Creates a fresh, empty database and returns its `postgres://` URL. */
  createDatabase(): Promise<string>
  /** 127.0.0.1 port the server listens on. */
  port: number
  /** The server's log so far, for failure messages. */
  log(): string
  /** Stops the server (immediate shutdown) and removes its directory. */
  stop(): Promise<void>
}

const superuser = 'posture'

/** The newest installed server's bin directory, or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'pg_ctl')) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return majors[0] === undefined ? null : join(root, majors[0], 'bin')
}

/**
 * Whether the tests can start PostgreSQL. Missing binaries: false with a loud warning
 * outside CI (the caller skips); in CI (`process.env.CI`) a missing server is a failure.
 * Use: `const hasPg = canRunPostgres(); describe.skipIf(!hasPg)(...)`.
 */
export function canRunPostgres(): boolean {
  if (postgresBinDir() !== null) return true
  const reason = 'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)'
  if (process.env.CI) throw new Error(`${reason}: CI must run the PostgreSQL tests`)
  console.warn(`SKIPPING PostgreSQL tests: ${reason}`)
  return false
}

/** `durable`: fsync and synchronous commit on, as in production (benchmarks compare against SQLite's synchronous=FULL). */
export async function startPostgres(settings: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = postgresBinDir()
  if (bin === null) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)')
  const asRoot = process.getuid?.() === 0
  // /tmp (not a possibly root-only TMPDIR) when the server must run as `postgres`.
  const dir = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'posture-pg-'))
  const dataDir = join(dir, 'data')
  const logPath = join(dir, 'server.log')
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
  }
  const run = (tool: string, args: string[]): { ok: boolean; output: string } => {
    const argv = asRoot ? ['runuser', '-u', 'postgres', '--', join(bin, tool), ...args] : [join(bin, tool), ...args]
    const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 60_000, cwd: dir })
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}`
    return { ok: result.status === 0, output }
  }
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '')

  const init = run('initdb', ['-D', dataDir, '-U', superuser, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'])
  if (!init.ok) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`initdb failed: ${init.output.trim().split('\n').slice(-5).join(' | ')}`)
  }

  let port = 0
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    const options = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${dir}'`,
      ...(settings.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
      // Several collectors, each with a pool, share one server in multi-collector tests.
      '-c max_connections=300',
      '-c shared_buffers=32MB',
    ].join(' ')
    const started = run('pg_ctl', ['start', '-D', dataDir, '-w', '-t', '60', '-l', logPath, '-o', options])
    if (started.ok) break
    // Someone took the port between probing and binding it: try another.
    if (attempt >= 5 || !/could not bind|Address already in use/i.test(log())) {
      const tail = log().trim().split('\n').slice(-5).join(' | ')
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${started.output.trim()} ${tail}`)
    }
  }

  const url = (dbName = 'postgres') => `postgres://${superuser}@127.0.0.1:${port}/${encodeURIComponent(dbName)}`
  let databases = 0
  let stopped = false
  return {
    url,
    port,
    log,
    async createDatabase() {
      databases += 1
      const name = `test_${process.pid}_${databases}_${Math.random().toString(36).slice(2, 8)}`
      const client = new pg.Client({ connectionString: url() })
      await client.connect()
      try {
        await client.query(`CREATE DATABASE "${name}"`)
      } finally {
        await client.end()
      }
      return url(name)
    },
    async stop() {
      if (stopped) return
      stopped = true
      run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30'])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
