import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { PostureError } from '../../rules/posture-error.js'

/**
 * One collector per data directory: `collector.lock` holds the owner's pid. A lock whose
 * process is gone (a crash, a kill -9) is taken over; a live one is refused with an error
 * that names the pid. Admin commands (`collector token`, …) do not take it: SQLite's WAL
 * lets them write beside a running collector.
 */
export interface DataDirLock {
  readonly path: string
  release(): void
}

export function lockDataDir(dir: string, pid: number = process.pid): DataDirLock {
  const path = join(dir, 'collector.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number
    try {
      fd = openSync(path, 'wx', 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new PostureError('UNREADABLE', `${path}: cannot create the data directory lock (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
      }
      const owner = readOwner(path)
      if (owner !== null && isAlive(owner)) {
        throw new PostureError('DATA_DIR_LOCKED', `${dir} is in use by another collector (pid ${owner}); stop it first, or use another --data directory`)
      }
      // Stale: its process is gone. Remove and retry once.
      rmSync(path, { force: true })
      continue
    }
    writeSync(fd, `${pid}\n`)
    closeSync(fd)
    let released = false
    return {
      path,
      release() {
        if (released) return
        released = true
        if (readOwner(path) === pid) rmSync(path, { force: true })
      },
    }
  }
  throw new PostureError('DATA_DIR_LOCKED', `${dir}: could not take the data directory lock (another collector is starting?)`)
}

function readOwner(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null
  } catch {
    // Unreadable or vanished between open and read: treat as stale, the retry decides.
    return null
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists but belongs to another user — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
