/**
 * Where authentication events go: journald's storage mode, the files rsyslog writes the
 * auth/authpriv facilities to, and destinations that forward logs off the node.
 */

/**
 * journald.conf(5) `Storage=` from the main file and its drop-ins, in the order given
 * (later wins, as systemd applies them). `auto` when never set.
 */
export function journaldStorage(texts: readonly string[]): string {
  let storage = 'auto'
  for (const text of texts) {
    let inJournal = false
    for (const raw of text.split('\n')) {
      const line = raw.trim()
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
      if (line.startsWith('[')) {
        inJournal = line === '[Journal]'
        continue
      }
      const match = /^Storage\s*=\s*(\S*)/.exec(line)
      if (inJournal && match) storage = match[1] || 'auto'
    }
  }
  return storage
}

export interface RsyslogFindings {
  /** Files that receive auth or authpriv messages. */
  authFiles: string[]
  /** Remote destinations: `@host`, `@@host`, omfwd/omrelp targets. */
  forwarding: string[]
}

/**
 * rsyslog.conf(5) in both syntaxes, as far as needed here: legacy `selector action`
 * lines (`auth,authpriv.*  /var/log/auth.log`, `*.*  @@logs:514`) and RainerScript
 * `action(type="omfwd" target="…")`. A selector covers auth when a facility list names
 * auth/authpriv/security or `*` with a priority other than `none`.
 */
export function parseRsyslog(texts: readonly string[]): RsyslogFindings {
  const authFiles = new Set<string>()
  const forwarding = new Set<string>()
  for (const text of texts) {
    const joined = text.replace(/\\\n/g, ' ')
    for (const match of joined.matchAll(/action\s*\(([^)]*)\)/g)) {
      const body = match[1]!
      const type = /type\s*=\s*"(om(?:fwd|relp))"/.exec(body)?.[1]
      const target = /target\s*=\s*"([^"]+)"/.exec(body)?.[1]
      if (type && target) forwarding.add(`rsyslog ${type} ${target}${portOf(body)}`)
    }
    for (const raw of joined.split('\n')) {
      const line = raw.trim()
      if (line === '' || line.startsWith('#') || line.startsWith('$') || line.startsWith('module(') || /^[a-z]+\s*\(/.test(line)) continue
      const match = /^(\S+)\s+(\S.*)$/.exec(line)
      if (!match) continue
      const [, selector, action] = match as unknown as [string, string, string]
      if (!/^[a-z*,]+\.[!=]?[a-z*]+(;[a-z*,]+\.[!=]?[a-z*]+)*$/i.test(selector)) continue
      const target = action.trim().replace(/;.*$/, '')
      if (/^@{1,2}/.test(target)) {
        if (coversAuth(selector)) forwarding.add(`rsyslog ${target}`)
        continue
      }
      const file = target.replace(/^-/, '')
      if (file.startsWith('/') && coversAuth(selector)) authFiles.add(file)
    }
  }
  return { authFiles: [...authFiles], forwarding: [...forwarding] }
}

function portOf(body: string): string {
  const port = /port\s*=\s*"(\d+)"/.exec(body)?.[1]
  return port ? `:${port}` : ''
}

/** `auth,authpriv.*`, `*.*`, `*.info;mail.none` cover auth; `auth.none` does not. */
function coversAuth(selector: string): boolean {
  let covered = false
  for (const part of selector.split(';')) {
    const dot = part.lastIndexOf('.')
    const facilities = part.slice(0, dot).split(',')
    const priority = part.slice(dot + 1)
    const names = facilities.filter((f) => f === '*' || f === 'auth' || f === 'authpriv' || f === 'security')
    if (names.length === 0) continue
    // An explicit `auth.none` after `*.*` removes auth again; `*.none` removes everything.
    covered = priority !== 'none'
  }
  return covered
}

/** journal-upload.conf(5) `URL=` in `[Upload]`; null when unset. */
export function journalUploadUrl(text: string): string | null {
  const match = /^\s*URL\s*=\s*(\S+)/m.exec(text)
  return match ? match[1]! : null
}

/** audisp-remote.conf(5) `remote_server`; null when unset or empty. */
export function audispRemoteServer(text: string): string | null {
  const match = /^\s*remote_server\s*=\s*(\S+)/m.exec(text)
  return match ? match[1]! : null
}

/** An audisp plugin file (`active = yes`). */
export function pluginActive(text: string): boolean {
  return /^\s*active\s*=\s*yes\b/m.test(text)
}
