/**
 * login.defs(5): `NAME value` lines, `#` comments. Values used here: ENCRYPT_METHOD
 * (the hash chpasswd, newusers and useradd use), PASS_MAX_DAYS, UID_MIN.
 */
export function parseLoginDefs(text: string): Map<string, string> {
  const values = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^(\S+)\s+(.*)$/.exec(line)
    if (match) values.set(match[1]!, match[2]!.trim().replace(/^"(.*)"$/, '$1'))
  }
  return values
}

/**
 * ENCRYPT_METHOD (or a pam_unix hash argument) as the algorithm names used for stored
 * hashes. login.defs(5): with no ENCRYPT_METHOD and MD5_CRYPT_ENAB not `yes`, DES is used.
 */
export function hashMethodName(method: string): string {
  const names: Record<string, string> = {
    YESCRYPT: 'yescrypt',
    GOST_YESCRYPT: 'gost-yescrypt',
    SHA512: 'sha512crypt',
    SHA256: 'sha256crypt',
    BCRYPT: 'bcrypt',
    BLOWFISH: 'bcrypt',
    MD5: 'md5crypt',
    DES: 'descrypt',
    BIGCRYPT: 'descrypt',
  }
  return names[method.toUpperCase()] ?? method.toLowerCase()
}

export function loginDefsHashMethod(values: ReadonlyMap<string, string>): string {
  const method = values.get('ENCRYPT_METHOD')
  if (method) return hashMethodName(method)
  return values.get('MD5_CRYPT_ENAB')?.toLowerCase() === 'yes' ? 'md5crypt' : 'descrypt'
}

/** PASS_MAX_DAYS; login.defs(5) says 99999 (never) when unset. */
export function passMaxDays(values: ReadonlyMap<string, string>): number {
  const days = Number.parseInt(values.get('PASS_MAX_DAYS') ?? '', 10)
  return Number.isFinite(days) ? days : 99999
}

/** UID_MIN, the first UID of normal users (default 1000). */
export function uidMin(values: ReadonlyMap<string, string>): number {
  const uid = Number.parseInt(values.get('UID_MIN') ?? '', 10)
  return Number.isFinite(uid) ? uid : 1000
}

/**
 * The hash argument of pam_unix in a password stack (pam_unix(8): `yescrypt`, `sha512`,
 * `sha256`, `blowfish`, `bigcrypt`, `md5`), or null when it passes none (then pam_unix
 * follows login.defs ENCRYPT_METHOD).
 */
export function pamUnixHashMethod(args: readonly string[]): string | null {
  const known = ['yescrypt', 'gost_yescrypt', 'sha512', 'sha256', 'blowfish', 'bigcrypt', 'md5']
  const arg = args.find((a) => known.includes(a.toLowerCase()))
  return arg ? hashMethodName(arg) : null
}
