import type { SudoGrant } from '../../../rules/facts/access.js'

/**
 * sudoers(5), as far as passwordless grants go: user specifications carrying the
 * `NOPASSWD:` tag, and `Defaults !authenticate` (which waives the password for
 * everyone it covers). Also the include directives (`@include`, `@includedir`, and the
 * older `#include`, `#includedir` spellings) so the caller can read those files too.
 */
export interface SudoersFile {
  grants: SudoGrant[]
  includes: { kind: 'file' | 'dir'; path: string }[]
}

const aliasKeywords = /^(User_Alias|Runas_Alias|Host_Alias|Cmnd_Alias|Cmd_Alias)\b/

export function parseSudoers(text: string, file: string): SudoersFile {
  const grants: SudoGrant[] = []
  const includes: SudoersFile['includes'] = []
  for (const { line, number } of logicalLines(text)) {
    const include = /^[@#](include|includedir)\s+(.+)$/.exec(line)
    if (include) {
      includes.push({ kind: include[1] === 'includedir' ? 'dir' : 'file', path: unquote(include[2]!.trim()) })
      continue
    }
    const content = stripComment(line)
    if (content === '' || aliasKeywords.test(content)) continue
    const target = `${file}:${number}`
    const defaults = /^Defaults([:@!>]\S+)?\s+(.*)$/.exec(content)
    if (defaults) {
      if (/(^|[\s,])!\s*authenticate\b/.test(defaults[2]!)) {
        const scope = defaults[1]
        const principals = scope && scope.startsWith(':') ? splitList(scope.slice(1)) : ['ALL']
        grants.push({ target, principals, rule: `Defaults${scope ?? ''} !authenticate` })
      }
      continue
    }
    const tag = content.indexOf('NOPASSWD:')
    if (tag === -1) continue
    const eq = content.indexOf('=')
    if (eq === -1) continue
    // "alice, %ops  host1, host2 = (ALL) NOPASSWD: ALL": the first word is the user list.
    const left = content.slice(0, eq).replace(/\s*,\s*/g, ',').trim()
    const users = left.split(/\s+/)[0] ?? ''
    grants.push({ target, principals: splitList(users), rule: content.slice(tag + 'NOPASSWD:'.length).trim() })
  }
  return { grants, includes }
}

/** sudo skips files in an includedir whose names end in `~` or contain a `.` (sudoers(5)). */
export function isIncludedName(name: string): boolean {
  return !name.endsWith('~') && !name.includes('.')
}

function* logicalLines(text: string): Generator<{ line: string; number: number }> {
  let pending = ''
  let start = 0
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    if (pending === '') start = i + 1
    if (raw.endsWith('\\')) {
      pending += raw.slice(0, -1) + ' '
      continue
    }
    const line = (pending + raw).trim()
    pending = ''
    if (line !== '') yield { line, number: start }
  }
}

/** `#` starts a comment, except `#123` (a uid in a user list). */
function stripComment(line: string): string {
  return line.replace(/(^|\s)#(?![0-9]).*$/, '').trim()
}

function splitList(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}
