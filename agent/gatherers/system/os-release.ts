import type { OsFacts } from '../../../rules/facts/system.js'

/**
 * Parses os-release(5): `KEY=value` lines, values optionally in single or double quotes
 * with shell-style backslash escapes inside double quotes; `#` comments and blank lines
 * ignored. Returns null when there is no ID (not an os-release file).
 */
export function parseOsRelease(text: string): OsFacts | null {
  const fields = parseKeyValues(text)
  const id = fields.get('ID')
  if (!id) return null
  return {
    id: id.toLowerCase(),
    idLike: (fields.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean),
    name: fields.get('NAME') ?? 'Linux',
    prettyName: fields.get('PRETTY_NAME') ?? fields.get('NAME') ?? 'Linux',
    versionId: fields.get('VERSION_ID') ?? null,
    versionCodename: fields.get('VERSION_CODENAME') ?? null,
    supportEnd: fields.get('SUPPORT_END') ?? null,
  }
}

export function parseKeyValues(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    fields.set(line.slice(0, eq), unquote(line.slice(eq + 1)))
  }
  return fields
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\$`])/g, '$1')
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1)
  return value
}
