import { parseArgs, type ParseArgsConfig } from 'node:util'
import { PostureError } from '../rules/posture-error.js'

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * node:util parseArgs, strict, with its errors turned into one-line BAD_USAGE errors
 * that name the command and point at --help.
 */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals, strict: true })
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '')
    throw new PostureError('BAD_USAGE', `posture ${command}: ${message} (see posture ${command} --help)`)
  }
}
