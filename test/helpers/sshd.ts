import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

/**
 * A real OpenSSH server for agentless-scan tests and benchmarks: Debian's sshd started on
 * a random loopback port with a host key and an authorized client key generated in a temp
 * directory, its own config (no PAM, keys only) and `-D -e` (foreground, log to stderr).
 * Ready when sshd logs "Server listening"; never a sleep.
 */
export const sshdPath = '/usr/sbin/sshd'

/** Whether this machine can run the tests' sshd (openssh-server and ssh-keygen installed). */
export function hasSshd(): boolean {
  try {
    accessSync(sshdPath, constants.X_OK)
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' })
    return true
  } catch (err) {
    // ssh-keygen -? exits 1 after printing its usage: installed.
    return (err as { status?: unknown }).status === 1
  }
}

export interface TestSshd {
  host: '127.0.0.1'
  port: number
  /** The account the tests log in as: whoever runs the tests (root on CI). */
  username: string
  /** An authorized, unencrypted ed25519 private key. */
  clientKeyPath: string
  clientKey: string
  /** A key sshd does not accept. */
  wrongKeyPath: string
  /** `SHA256:…` of the current host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string
  dir: string
  /** sshd's log so far (stderr), for failure messages. */
  log(): string
  /** Generates a new host key and restarts sshd on the same port with it. */
  rotateHostKey(): Promise<void>
  stop(): Promise<void>
}

export interface SshdOptions {
  /** sshd_config(5) MaxSessions: sessions per connection. */
  maxSessions?: number
  /** sshd_config(5) MaxStartups, for concurrency tests (default 10:30:100). */
  maxStartups?: string
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'posture-sshd-'))
  const hostKeyPath = join(dir, 'ssh_host_ed25519_key')
  const clientKeyPath = join(dir, 'client_ed25519')
  const wrongKeyPath = join(dir, 'wrong_ed25519')
  const keygen = (path: string, comment: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' })
  keygen(hostKeyPath, 'posture-test-host')
  keygen(clientKeyPath, 'posture-test-client')
  keygen(wrongKeyPath, 'posture-test-wrong')
  // HOME points at an empty directory for the test key (authorized_keys(5) `environment=`,
  // allowed by PermitUserEnvironment): sshd runs every command through the login shell,
  // and bash sources ~/.bashrc for SSH commands; a developer's .bashrc (pyenv init, nvm…)
  // can cost seconds per command and would make timings and per-command timeouts
  // depend on whoever runs the tests. Nothing Posture gathers reads HOME.
  const home = join(dir, 'home')
  mkdirSync(home)
  writeFileSync(join(dir, 'authorized_keys'), `environment="HOME=${home}" ${readFileSync(`${clientKeyPath}.pub`, 'utf8')}`)
  const configPath = join(dir, 'sshd_config')
  writeFileSync(
    configPath,
    [
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyPath}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PidFile none',
      // The temp directory is not root-owned 0755 all the way up when not running as root.
      'StrictModes no',
      // Tests may run as root (CI): keys only, never passwords.
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitUserEnvironment HOME',
      'AllowAgentForwarding no',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PrintMotd no',
      `MaxSessions ${options.maxSessions ?? 10}`,
      `MaxStartups ${options.maxStartups ?? '10:30:100'}`,
      'LogLevel INFO',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
    { mode: 0o600 },
  )
  // sshd's privilege separation directory (Debian creates it from the service unit).
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })

  let logText = ''
  let child: ChildProcess | null = null
  let port = 0

  const launch = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      port = port || (await freePort())
      const started = await spawnSshd(configPath, port, (chunk) => {
        logText = (logText + chunk).slice(-64 * 1024)
      })
      if (started.ok) {
        child = started.child
        return
      }
      // Someone took the port between probing and binding it: try another (first start only).
      if (attempt >= 5 || !/Address already in use/.test(started.log)) {
        throw new Error(`sshd did not start on 127.0.0.1:${port}: ${started.log.trim().split('\n').slice(-5).join(' | ')}`)
      }
      port = 0
    }
  }
  const stop = async (): Promise<void> => {
    const running = child
    child = null
    if (running && running.exitCode === null && running.signalCode === null) {
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve())
        running.kill('SIGTERM')
      })
    }
  }

  await launch()
  const fingerprint = () => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKeyPath}.pub`], { encoding: 'utf8' }).split(' ')[1]!
  const sshd: TestSshd = {
    host: '127.0.0.1',
    get port() {
      return port
    },
    username: userInfo().username,
    clientKeyPath,
    clientKey: readFileSync(clientKeyPath, 'utf8'),
    wrongKeyPath,
    hostKeyFingerprint: fingerprint(),
    dir,
    log: () => logText,
    async rotateHostKey() {
      await stop()
      rmSync(hostKeyPath, { force: true })
      rmSync(`${hostKeyPath}.pub`, { force: true })
      keygen(hostKeyPath, 'posture-test-host-rotated')
      sshd.hostKeyFingerprint = fingerprint()
      await launch()
    },
    async stop() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return sshd
}

/** A port that was free a moment ago on 127.0.0.1 (the kernel's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

type Spawned = { ok: true; child: ChildProcess } | { ok: false; log: string }

/** Starts `sshd -D -e`; resolves once it listens, or with its log when it exits first. */
function spawnSshd(configPath: string, port: number, onLog: (chunk: string) => void): Promise<Spawned> {
  return new Promise((resolve) => {
    const child = spawn(sshdPath, ['-D', '-e', '-f', configPath, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
    let log = ''
    let settled = false
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => {
      onLog(chunk)
      log += chunk
      if (!settled && log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        settled = true
        resolve({ ok: true, child })
      }
    })
    child.once('error', (err) => {
      if (settled) return
      settled = true
      resolve({ ok: false, log: `${log}\n${err.message}` })
    })
    child.once('exit', (code, signal) => {
      if (settled) return
      settled = true
      resolve({ ok: false, log: `${log}\nsshd exited ${code ?? signal}` })
    })
  })
}
