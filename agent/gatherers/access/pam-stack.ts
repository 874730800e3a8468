/**
 * PAM configuration (pam.conf(5), /etc/pam.d/SERVICE): lines `type control module args`,
 * `#` comments, `\` line continuations, `[value=action …]` controls, `-type` (skip when the
 * module is missing), Debian's `@include FILE`, and `include` / `substack` controls that
 * pull in another service's lines of the same type.
 */

export type PamType = 'auth' | 'account' | 'password' | 'session'

export interface PamLine {
  type: PamType
  /** `required`, `requisite`, `sufficient`, `optional`, `include`, `substack`, or `[…]`. */
  control: string
  /** The module's file name without directory and `.so`, e.g. `pam_unix`; for include/substack the service name. */
  module: string
  args: string[]
  /** The service file it was written in. */
  file: string
}

export type PamEntry = PamLine | { include: string; file: string }

const pamTypes = new Set(['auth', 'account', 'password', 'session'])

/** Parses one service file. Unknown lines are skipped, as libpam does. */
export function parsePamFile(text: string, file: string): PamEntry[] {
  const entries: PamEntry[] = []
  for (const line of logicalLines(text)) {
    const include = /^@include\s+(\S+)/.exec(line)
    if (include) {
      entries.push({ include: include[1]!, file })
      continue
    }
    const tokens = tokenize(line)
    if (tokens.length < 3) continue
    const type = tokens[0]!.replace(/^-/, '').toLowerCase()
    if (!pamTypes.has(type)) continue
    entries.push({
      type: type as PamType,
      control: tokens[1]!,
      module: moduleName(tokens[2]!),
      args: tokens.slice(3),
      file,
    })
  }
  return entries
}

/** Services (files) a parsed file refers to through `@include`, `include` or `substack`. */
export function referencedServices(entries: readonly PamEntry[]): string[] {
  const names = new Set<string>()
  for (const entry of entries) {
    if ('include' in entry) names.add(serviceName(entry.include))
    else if (entry.control === 'include' || entry.control === 'substack') names.add(serviceName(entry.module))
  }
  return [...names]
}

/**
 * The lines of `type` that `service` runs, with includes expanded in place. `files` maps
 * service name → parsed file; a missing included file contributes nothing (libpam logs
 * and skips it). Include loops stop at a depth of 10.
 */
export function resolvePamStack(files: ReadonlyMap<string, readonly PamEntry[]>, service: string, type: PamType, depth = 0): PamLine[] {
  const entries = files.get(service)
  if (!entries || depth > 10) return []
  const lines: PamLine[] = []
  for (const entry of entries) {
    if ('include' in entry) {
      lines.push(...resolvePamStack(files, serviceName(entry.include), type, depth + 1))
    } else if (entry.type !== type) {
      continue
    } else if (entry.control === 'include' || entry.control === 'substack') {
      lines.push(...resolvePamStack(files, serviceName(entry.module), type, depth + 1))
    } else {
      lines.push(entry)
    }
  }
  return lines
}

/** A control that ends the stack with success when the module succeeds. */
export function endsStackOnSuccess(control: string): boolean {
  if (control === 'sufficient') return true
  return /\bsuccess=done\b/.test(control)
}

function* logicalLines(text: string): Generator<string> {
  let pending = ''
  for (const raw of text.split('\n')) {
    const withoutComment = raw.replace(/#.*$/, '')
    if (withoutComment.endsWith('\\')) {
      pending += withoutComment.slice(0, -1) + ' '
      continue
    }
    const line = (pending + withoutComment).trim()
    pending = ''
    if (line !== '') yield line
  }
  if (pending.trim() !== '') yield pending.trim()
}

/** Splits on whitespace, keeping `[ … ]` controls and arguments together. */
function tokenize(line: string): string[] {
  const tokens: string[] = []
  let i = 0
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++
    if (i >= line.length) break
    if (line[i] === '[') {
      const end = line.indexOf(']', i)
      const stop = end === -1 ? line.length : end + 1
      tokens.push(line.slice(i, stop))
      i = stop
      continue
    }
    let j = i
    while (j < line.length && !/\s/.test(line[j]!)) j++
    tokens.push(line.slice(i, j))
    i = j
  }
  return tokens
}

function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1)
  return base.endsWith('.so') ? base.slice(0, -3) : base
}

/** An included file: a name in /etc/pam.d, or an absolute path (its base name is used). */
function serviceName(reference: string): string {
  return reference.slice(reference.lastIndexOf('/') + 1)
}
