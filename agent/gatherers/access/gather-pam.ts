import type { NodeFiles } from './node-files.js'
import { parsePamFile, referencedServices, resolvePamStack, type PamEntry, type PamLine, type PamType } from './pam-stack.js'

/** The PAM service files read for a scan, with the ones that could not be read. */
export interface PamConfig {
  files: Map<string, PamEntry[]>
  /** Service name → why its file could not be read (absent files are simply missing). */
  failures: Map<string, string>
}

/** Reads /etc/pam.d/SERVICE for each service and every file they include. */
export async function loadPam(files: NodeFiles, services: readonly string[]): Promise<PamConfig> {
  const pam: PamConfig = { files: new Map(), failures: new Map() }
  const queue = [...services]
  const seen = new Set<string>()
  while (queue.length > 0) {
    const batch = queue.splice(0).filter((s) => !seen.has(s))
    for (const s of batch) seen.add(s)
    const read = await Promise.all(batch.map((s) => files.read(`/etc/pam.d/${s}`)))
    batch.forEach((service, i) => {
      const file = read[i]!
      if ('failed' in file) pam.failures.set(service, file.failed)
      if (!('text' in file)) return
      const entries = parsePamFile(file.text, `/etc/pam.d/${service}`)
      pam.files.set(service, entries)
      queue.push(...referencedServices(entries).filter((s) => !seen.has(s)))
    })
  }
  return pam
}

/**
 * A service's stack of one type, or why it cannot be known. A service without its own
 * file falls back to `other`, as libpam does.
 */
export function pamStack(pam: PamConfig, service: string, type: PamType): { lines: PamLine[] } | { failed: string } {
  const name = pam.files.has(service) || pam.failures.has(service) ? service : 'other'
  const failures = [...pam.failures.entries()].filter(([s]) => s === name || dependsOn(pam, name, s))
  if (failures.length > 0) return { failed: failures.map(([, reason]) => reason).join('; ') }
  return { lines: resolvePamStack(pam.files, name, type) }
}

function dependsOn(pam: PamConfig, service: string, target: string, depth = 0): boolean {
  const entries = pam.files.get(service)
  if (!entries || depth > 10) return false
  return referencedServices(entries).some((s) => s === target || dependsOn(pam, s, target, depth + 1))
}

export function hasService(pam: PamConfig, service: string): boolean {
  return pam.files.has(service) || pam.failures.has(service)
}
