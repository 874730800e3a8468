/**
 * `tag=value; tag=value` lists: DKIM keys (RFC 6376 §3.2), DMARC (RFC 7489 §6.4),
 * MTA-STS records (RFC 8461 §3.1) and TLS-RPT records (RFC 8460 §3). Tag names are
 * case-sensitive; whitespace around tags, `=` and values is folding whitespace and
 * ignored; a trailing `;` is allowed; a tag given twice makes the list invalid.
 */
export interface TagList {
  /** Tags in order, with their values (whitespace-trimmed). */
  tags: [string, string][]
  errors: string[]
}

const tagName = /^[A-Za-z][A-Za-z0-9_]*$/

export function parseTagList(text: string): TagList {
  const tags: [string, string][] = []
  const errors: string[] = []
  const seen = new Set<string>()
  const parts = text.split(';')
  parts.forEach((part, index) => {
    const spec = part.trim()
    if (spec === '') {
      // Only the part after a trailing ";" may be empty.
      if (index !== parts.length - 1 && text.trim() !== '') errors.push(`empty tag between ";"`)
      return
    }
    const eq = spec.indexOf('=')
    if (eq < 0) {
      errors.push(`"${spec}" is not tag=value`)
      return
    }
    const name = spec.slice(0, eq).trim()
    const value = spec.slice(eq + 1).trim()
    if (!tagName.test(name)) {
      errors.push(`"${name}" is not a tag name`)
      return
    }
    if (seen.has(name)) errors.push(`tag ${name}= appears more than once`)
    seen.add(name)
    tags.push([name, value])
  })
  return { tags, errors }
}

/** The first value of a tag, or undefined. */
export function tagValue(list: TagList, name: string): string | undefined {
  return list.tags.find(([n]) => n === name)?.[1]
}

/** Whitespace folded out of a value (base64 keys may be split with spaces). */
export function unfold(value: string): string {
  return value.replace(/\s+/g, '')
}
