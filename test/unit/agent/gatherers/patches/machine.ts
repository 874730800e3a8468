import type { CommandResult, DirResult, FileResult, Host, RunOptions } from '../../../../../agent/host/host.js'
import { commandKey } from '../../../../../agent/host/host.js'
import { SnapshotHost } from '../../../../../agent/host/snapshot-host.js'
import { snapshotSchemaId, type Snapshot } from '../../../../../agent/snapshot.js'

export interface MachineSpec {
  files?: Record<string, FileResult>
  dirs?: Record<string, DirResult>
  commands?: Record<string, CommandResult>
}

/** A fake machine: a snapshot built in the test, replayed through SnapshotHost. */
export function machine(spec: MachineSpec): SnapshotHost {
  const snapshot: Snapshot = {
    schema: snapshotSchemaId,
    postureVersion: 'test',
    host: { description: 'test' },
    gatheredAt: '2026-11-23T12:00:00.000Z',
    domains: ['patches'],
    files: spec.files ?? {},
    dirs: spec.dirs ?? {},
    commands: spec.commands ?? {},
    probes: {},
  }
  return new SnapshotHost(snapshot, 'test')
}

export const file = (content: string): FileResult => ({ content })
export const noFile = (path: string): FileResult & DirResult => ({ error: 'ENOENT', message: `${path}: no such file or directory` })
export const denied = (path: string): FileResult & DirResult => ({ error: 'EACCES', message: `${path}: permission denied` })
export const dir = (...entries: string[]): DirResult => ({ entries })
export const out = (stdout: string, exitCode = 0, stderr = ''): CommandResult => ({ stdout, stderr, exitCode })
export const notFound = (tool: string): CommandResult => ({ error: 'ENOENT', message: `${tool}: command not found` })

/** Wraps a host and keeps every argv it was asked to run, to check the gatherer stays read-only. */
export class ArgvRecorder implements Host {
  readonly description: string
  readonly commands: string[] = []
  constructor(readonly inner: Host) {
    this.description = inner.description
  }
  readFile(path: string) {
    return this.inner.readFile(path)
  }
  listDir(path: string) {
    return this.inner.listDir(path)
  }
  run(argv: readonly string[], options?: RunOptions) {
    this.commands.push(commandKey(argv))
    return this.inner.run(argv, options)
  }
  probe(key: string, perform: () => Promise<unknown>) {
    return this.inner.probe(key, perform)
  }
}
