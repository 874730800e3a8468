import type { OsFacts } from '../../../rules/facts/system.js'
import type { Host } from '../../host/host.js'
import { fileText, missing, ok, type Evidence } from '../evidence.js'
import { parseOsRelease } from './os-release.js'

/** os-release(5): /etc/os-release, falling back to /usr/lib/os-release. */
export async function readOsRelease(host: Host): Promise<Evidence<OsFacts>> {
  const reasons: string[] = []
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = fileText(await host.readFile(path))
    if (!text.ok) {
      reasons.push(text.reason)
      continue
    }
    const parsed = parseOsRelease(text.value)
    if (parsed) return ok(parsed)
    reasons.push(`${path}: no ID= line`)
  }
  return missing(reasons.join('; '))
}
