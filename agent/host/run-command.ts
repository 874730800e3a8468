import { spawn } from 'node:child_process'
import type { CommandResult, RunOptions } from './host.js'
import { defaultMaxOutputBytes, defaultTimeoutMs } from './host.js'

/**
 * Runs argv on this machine without a shell, with a timeout and an output cap. Never
 * throws: a missing binary is `ENOENT`, a timeout `ETIMEDOUT`, too much output `EMAXBUFFER`.
 * LC_ALL=C keeps tool output in the language our parsers read.
 */
export function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv
  if (file === undefined) throw new TypeError('runCommand: argv must not be empty')
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes

  return new Promise((resolve) => {
    let settled = false
    const finish = (result: CommandResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    const child = spawn(file, args, {
      env: { ...process.env, ...options.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let size = 0
    const collect = (sink: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length
      if (size > maxOutputBytes) {
        child.kill('SIGKILL')
        finish({ error: 'EMAXBUFFER', message: `${argv.join(' ')}: output exceeded ${maxOutputBytes} bytes` })
        return
      }
      sink.push(chunk)
    }
    child.stdout.on('data', collect(stdout))
    child.stderr.on('data', collect(stderr))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      finish({ error: 'ETIMEDOUT', message: `${argv.join(' ')}: timed out after ${timeoutMs} ms` })
    }, timeoutMs)
    child.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ESPAWN'
      const reason = code === 'ENOENT' ? 'command not found' : err.message
      finish({ error: code, message: `${file}: ${reason}` })
    })
    child.on('close', (exitCode, signal) => {
      if (exitCode === null) {
        finish({ error: 'EKILLED', message: `${argv.join(' ')}: killed by ${signal ?? 'a signal'}` })
        return
      }
      finish({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode,
      })
    })
  })
}
