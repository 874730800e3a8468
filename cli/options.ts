import { readFileSync } from 'node:fs'
import { rename, rm, writeFile } from 'node:fs/promises'
import { readConfigFile } from '../agent/config-file.js'
import { defaultScanConfig, scanConfigSchema, type ScanConfig } from '../agent/scan-config.js'
import { parseSnapshot, type Snapshot } from '../agent/snapshot.js'
import { PostureError } from '../rules/posture-error.js'
import { severities, type Severity } from '../rules/severity.js'

export { parseDomains } from './parse-domains.js'

export function parseSeverity(value: string | undefined, flag: string): Severity | undefined {
  if (value === undefined) return undefined
  if (!(severities as readonly string[]).includes(value)) {
    throw new PostureError('BAD_USAGE', `${flag}: unknown severity "${value}" (one of ${severities.join(', ')})`)
  }
  return value as Severity
}

export function parseInstant(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined
  const time = Date.parse(value)
  if (Number.isNaN(time)) throw new PostureError('BAD_USAGE', `${flag}: "${value}" is not a date (use ISO 8601, e.g. 2026-11-23T12:00:00Z)`)
  return new Date(time)
}

export function loadScanConfig(path: string | undefined): ScanConfig {
  return path === undefined ? defaultScanConfig : readConfigFile(path, scanConfigSchema, 'scan config')
}

export function readSnapshotFile(path: string): Snapshot {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new PostureError('UNREADABLE', `${path}: cannot read snapshot (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`)
  }
  return parseSnapshot(text, path)
}

/** Writes beside the target and renames, so a reader never sees half a snapshot. 0600: it is evidence. */
export async function writeSnapshotFile(path: string, snapshot: Snapshot): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    await writeFile(temporary, JSON.stringify(snapshot, null, 1) + '\n', { mode: 0o600 })
    await rename(temporary, path)
  } catch (err) {
    await rm(temporary, { force: true })
    throw new PostureError('CANNOT_WRITE', `${path}: cannot write snapshot (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
  }
}

/** A PEM CA bundle named by `--ca`: read, and checked to hold a certificate. */
export function readCaFile(path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new PostureError('BAD_INPUT', `--ca ${path}: cannot read (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`)
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new PostureError('BAD_INPUT', `--ca ${path}: no PEM certificate in it`)
  return text
}
