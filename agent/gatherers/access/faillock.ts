import type { LockoutService } from '../../../rules/facts/access.js'
import type { PamLine } from './pam-stack.js'

/**
 * faillock.conf(5): `key = value` lines and bare flags, `#` comments. Module arguments
 * (`deny=4`) override the file. Defaults from the man page: deny 3, unlock_time 600.
 */
export function parseFaillockConf(text: string): Map<string, string> {
  const values = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim()
    if (line === '') continue
    const match = /^([A-Za-z_]+)\s*(?:=\s*(.*))?$/.exec(line)
    if (match) values.set(match[1]!, (match[2] ?? '').trim())
  }
  return values
}

/**
 * Per-account lockout in one service's auth stack: pam_faillock recording failures
 * (`authfail`), or the older pam_tally2. `conf` is faillock.conf, or null when absent.
 */
export function lockoutOf(service: string, auth: readonly PamLine[], conf: ReadonlyMap<string, string> | null): LockoutService {
  const faillock = auth.filter((l) => l.module === 'pam_faillock')
  if (faillock.some((l) => l.args.includes('authfail'))) {
    const args = argMap(faillock.flatMap((l) => l.args))
    return {
      target: service,
      module: 'pam_faillock',
      deny: numberOr(args.get('deny') ?? conf?.get('deny'), 3),
      unlockTimeSeconds: unlockTime(args.get('unlock_time') ?? conf?.get('unlock_time'), 600),
    }
  }
  const tally = auth.find((l) => l.module === 'pam_tally2' || l.module === 'pam_tally')
  if (tally) {
    const args = argMap(tally.args)
    // pam_tally2(8): no deny= means it only counts, never locks.
    return { target: service, module: tally.module, deny: numberOr(args.get('deny'), 0), unlockTimeSeconds: unlockTime(args.get('unlock_time'), 0) }
  }
  return { target: service, module: null, deny: null, unlockTimeSeconds: null }
}

function argMap(args: readonly string[]): Map<string, string> {
  const map = new Map<string, string>()
  for (const arg of args) {
    const eq = arg.indexOf('=')
    if (eq > 0) map.set(arg.slice(0, eq), arg.slice(eq + 1))
  }
  return map
}

function numberOr(value: string | undefined, fallback: number): number {
  const n = Number.parseInt(value ?? '', 10)
  return Number.isFinite(n) ? n : fallback
}

/** `never` (faillock.conf(5)) means only an administrator unlocks: reported as 0. */
function unlockTime(value: string | undefined, fallback: number): number {
  if (value === 'never') return 0
  return numberOr(value, fallback)
}
