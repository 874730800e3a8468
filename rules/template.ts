/**
 * Message templates: literal text with `{{ cel-expression }}` placeholders, evaluated
 * against the same variables as the rule (`facts`, `item`, `params`, `now`).
 */
export type TemplatePart = { text: string } | { expression: string; offset: number }

const placeholder = /\{\{(.*?)\}\}/gs

export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let last = 0
  for (const match of template.matchAll(placeholder)) {
    if (match.index > last) parts.push({ text: template.slice(last, match.index) })
    parts.push({ expression: match[1]!.trim(), offset: match.index + 2 })
    last = match.index + match[0].length
  }
  if (last < template.length) parts.push({ text: template.slice(last) })
  return parts
}

/** How a CEL value reads inside a sentence: lists joined by commas, timestamps in ISO 8601. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return value
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100)
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(formatValue).join(', ')
  if (value instanceof Map) return formatValue(Object.fromEntries(value))
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
}
