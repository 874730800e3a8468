import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { signingKeyPath } from '../../collector/evidence/signing-key.js'
import { postureBin } from './cli.js'

/** A real `posture collector` process and everything it has printed so far. */
export interface CollectorProcess {
  child: ChildProcessWithoutNullStreams
  url: string
  output(): string
}

/**
 * Starts `posture collector` on a PostgreSQL database with its own data directory and the
 * TLS identity and signing key of `sharedDir` (several collectors must share both, or the
 * later ones refuse to start). `spawned` sees the process before it is listening, so the
 * caller can stop it even when start-up fails; resolves once it prints its URL.
 */
export async function startPgCollectorProcess(options: {
  database: string
  dataDir: string
  sharedDir: string
  configPath: string
  spawned: (collector: CollectorProcess) => void
}): Promise<CollectorProcess> {
  const { database, dataDir, sharedDir, configPath } = options
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  copyFileSync(signingKeyPath(sharedDir), signingKeyPath(dataDir))
  const child = spawn(process.execPath, [
    postureBin, 'collector', '--database', database, '--data', dataDir, '--listen', '127.0.0.1:0',
    '--tls-cert', join(sharedDir, 'tls', 'cert.pem'), '--tls-key', join(sharedDir, 'tls', 'key.pem'), '--config', configPath,
  ])
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const started: CollectorProcess = { child, url: '', output: () => out }
  options.spawned(started)
  for (;;) {
    const match = /listening on (https:\/\/\S+)/.exec(out)
    if (match) {
      started.url = match[1]!
      return started
    }
    if (child.exitCode !== null) throw new Error(`collector in ${dataDir} exited ${child.exitCode}: ${out}`)
    await Promise.race([once(child.stdout, 'data'), once(child.stderr, 'data'), once(child, 'exit')])
  }
}
