import type { Redactor } from '../../host/host.js'
import type { PasswordHash } from '../../../rules/facts/access.js'

/**
 * /etc/shadow (shadow(5)) and /etc/passwd (passwd(5)) without the secrets.
 *
 * `redactPasswordFields` is the Redactor handed to host.readFile: it runs on the node
 * before anything (facts, snapshot, log) sees the text, and keeps of each password field
 * only what says how the password is stored: the lock marks (`!`, `*`), the crypt
 * algorithm prefix (`$y$`, `$6$`, …) and markers for prefix-less forms. It is idempotent
 * (a snapshot replays redacted text through it again) and never lets anything through
 * it does not recognise.
 */
export const redactPasswordFields: Redactor = Object.assign((text: string): string => redactPasswordText(text), {
  remote: { awkProgram: passwordFieldsAwk(), fieldSeparator: ':' },
})

function redactPasswordText(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line === '') return line
      const fields = line.split(':')
      if (fields.length < 2) return malformed
      fields[1] = redactHashField(fields[1]!)
      return fields.join(':')
    })
    .join('\n')
}

const malformed = '<malformed>'
const markers = new Set(['<des>', '<bsdi>', '<unknown>'])

/**
 * redactPasswordFields as a POSIX awk program, for SshHost to run on the node: the hashes
 * never cross the SSH connection. It must print exactly what the function returns (the
 * SSH integration test compares them line by line over a file of every form).
 */
function passwordFieldsAwk(): string {
  return [
    '$0 == "" { print; next }',
    'NF < 2 { print "<malformed>"; next }',
    '{',
    '  f = $2; lock = ""',
    '  while (f != "" && (substr(f, 1, 1) == "!" || substr(f, 1, 1) == "*")) { lock = lock substr(f, 1, 1); f = substr(f, 2) }',
    '  if (f == "" || f == "x" || f == "<des>" || f == "<bsdi>" || f == "<unknown>") out = lock f',
    '  else if (match(f, /^[$][A-Za-z0-9]+[$]/)) out = lock substr(f, 1, RLENGTH)',
    '  else if (length(f) == 13 && f ~ "^[./0-9A-Za-z]+$") out = lock "<des>"',
    '  else if (length(f) == 20 && f ~ "^_[./0-9A-Za-z]+$") out = lock "<bsdi>"',
    '  else out = lock "<unknown>"',
    '  $2 = out; print',
    '}',
  ].join('\n')
}

/** One password field reduced to its lock marks and algorithm (see redactPasswordFields). */
export function redactHashField(field: string): string {
  const lock = /^[!*]*/.exec(field)![0]
  const rest = field.slice(lock.length)
  if (rest === '' || rest === 'x' || markers.has(rest)) return lock + rest
  // crypt(5): `$id$…`, where id is letters/digits (`y`, `gy`, `6`, `2b`, `md5`, `sha1`).
  const prefixed = /^\$([A-Za-z0-9]+)\$/.exec(rest)
  if (prefixed) return `${lock}$${prefixed[1]}$`
  // Traditional DES crypt: 13 characters of [./0-9A-Za-z]; BSDi extended DES: `_` + 19.
  if (/^[./0-9A-Za-z]{13}$/.test(rest)) return `${lock}<des>`
  if (/^_[./0-9A-Za-z]{19}$/.test(rest)) return `${lock}<bsdi>`
  return `${lock}<unknown>`
}

/** crypt(5) prefix → hashing method name used in facts and rule params. */
const algorithms: Record<string, string> = {
  y: 'yescrypt',
  gy: 'gost-yescrypt',
  '7': 'scrypt',
  '2a': 'bcrypt',
  '2b': 'bcrypt',
  '2x': 'bcrypt',
  '2y': 'bcrypt',
  '6': 'sha512crypt',
  '5': 'sha256crypt',
  '1': 'md5crypt',
  md5: 'sunmd5',
  sha1: 'sha1crypt',
  '3': 'nthash',
}

/**
 * The algorithm of a (redacted or raw) password field, whether it is locked, and whether
 * there is a password at all. `stored: false` for fields that hold no password (`*`,
 * `!`, `!!`, `x`): nothing to judge.
 */
export function classifyPasswordField(field: string): { stored: boolean; algorithm: string; locked: boolean } {
  const redacted = redactHashField(field)
  const lock = /^[!*]*/.exec(redacted)![0]
  const rest = redacted.slice(lock.length)
  const locked = lock !== ''
  if (rest === '') return locked ? { stored: false, algorithm: 'none', locked } : { stored: true, algorithm: 'empty', locked }
  if (rest === 'x') return { stored: false, algorithm: 'none', locked }
  if (rest === '<des>') return { stored: true, algorithm: 'descrypt', locked }
  if (rest === '<bsdi>') return { stored: true, algorithm: 'bsdicrypt', locked }
  const id = /^\$([A-Za-z0-9]+)\$$/.exec(rest)?.[1]
  return { stored: true, algorithm: (id && algorithms[id]) || 'unknown', locked }
}

export interface PasswdEntry {
  name: string
  uid: number
  /** The passwd password field, redacted: `x` when the password lives in /etc/shadow. */
  password: string
  shell: string
}

/** passwd(5) lines; NIS compat lines (`+`/`-`) and malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = []
  for (const line of text.split('\n')) {
    const fields = line.split(':')
    if (fields.length < 7) continue
    const name = fields[0]!
    if (name === '' || name.startsWith('+') || name.startsWith('-')) continue
    const uid = Number.parseInt(fields[2]!, 10)
    if (!Number.isFinite(uid)) continue
    entries.push({ name, uid, password: redactHashField(fields[1]!), shell: fields[6]!.trim() })
  }
  return entries
}

/** shadow(5) lines as name → password field (redacted). */
export function parseShadow(text: string): Map<string, string> {
  const entries = new Map<string, string>()
  for (const line of text.split('\n')) {
    const fields = line.split(':')
    if (fields.length < 2) continue
    const name = fields[0]!
    if (name === '' || name.startsWith('+') || name.startsWith('-')) continue
    entries.set(name, redactHashField(fields[1]!))
  }
  return entries
}

/**
 * Stored passwords of every account: the shadow field, or the passwd field when it holds
 * the hash itself (no `x`), as pam_unix reads them.
 */
export function passwordHashes(passwd: readonly PasswdEntry[], shadow: ReadonlyMap<string, string>): PasswordHash[] {
  const hashes: PasswordHash[] = []
  const names = new Set([...passwd.map((p) => p.name), ...shadow.keys()])
  const byName = new Map(passwd.map((p) => [p.name, p]))
  for (const name of names) {
    const entry = byName.get(name)
    const field = entry && entry.password !== 'x' ? entry.password : shadow.get(name)
    if (field === undefined) continue
    const { stored, algorithm, locked } = classifyPasswordField(field)
    if (stored) hashes.push({ target: name, algorithm, locked })
  }
  return hashes
}
