import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { PostureError } from '../rules/posture-error.js'
import { yamlLib } from '../rules/yaml-lib.js'

/**
 * Reads a YAML (or JSON) config file and validates it against a strict schema, with one
 * error naming the file, the line and the key when anything is off.
 */
export function readConfigFile<S extends z.ZodType>(path: string, schema: S, what: string): z.infer<S> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new PostureError('UNREADABLE', `${path}: cannot read ${what} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'error'})`)
  }
  return parseConfigText(text, path, schema, what)
}

export function parseConfigText<S extends z.ZodType>(text: string, path: string, schema: S, what: string): z.infer<S> {
  const { LineCounter, parseDocument } = yamlLib()
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const yamlError = doc.errors[0]
  if (yamlError) {
    throw new PostureError('BAD_CONFIG', `${path}:${yamlError.linePos?.[0].line ?? 1}: invalid YAML in ${what}: ${yamlError.message.split('\n')[0]}`)
  }
  const parsed = schema.safeParse(doc.toJS() ?? {})
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const keyPath = issue.path.map(String)
  let line = 1
  for (let n = keyPath.length; n >= 0; n--) {
    const node = doc.getIn(keyPath.slice(0, n), true) as { range?: [number, number, number] } | undefined
    if (node && typeof node === 'object' && node.range) {
      line = lineCounter.linePos(node.range[0]).line
      break
    }
  }
  const reason = issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message
  throw new PostureError('BAD_CONFIG', `${path}:${line}: ${what}: ${keyPath.length ? `${keyPath.join('.')}: ` : ''}${reason}`)
}
