import { connect } from 'node:net'
import { PostureError } from '../../rules/posture-error.js'
import { describeSocketError } from '../tls/connection.js'

/**
 * The first SMTP exchange with an MX host (RFC 5321 §4.3): the greeting and the EHLO
 * reply, whose keywords say whether STARTTLS is offered (RFC 3207 §4). Ends with QUIT.
 * This tells "STARTTLS not offered" (a finding) apart from "could not connect" (an
 * error) before the TLS probe runs its own STARTTLS dialogs.
 */
export interface SmtpGreeting {
  /** The reply code of the greeting: 220 when the server offers service. */
  greetingCode: number
  /** The greeting's text lines, without codes. */
  banner: string
  /** The reply code to EHLO (250), or null when the greeting refused service. */
  ehloCode: number | null
  /** EHLO keywords with their parameters, after the first line (the server's name). */
  capabilities: string[]
  starttls: boolean
}

export interface SmtpGreetingOptions {
  address: string
  port: number
  /** For messages: `mx.example.com:25`. */
  label: string
  timeoutMs: number
}

const maxReplyBytes = 64 * 1024

export function readSmtpGreeting(options: SmtpGreetingOptions): Promise<SmtpGreeting> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.address, port: options.port })
    let buffer = ''
    let stage: 'greeting' | 'ehlo' | 'done' = 'greeting'
    let greeting: { code: number; lines: string[] } | null = null
    const timer = setTimeout(() => {
      const where = socket.connecting ? 'connecting' : `waiting for the ${stage === 'greeting' ? 'greeting' : 'EHLO reply'}`
      fail(new PostureError('TIMEOUT', `${options.label}: no answer within ${options.timeoutMs} ms (${where})`))
    }, options.timeoutMs)
    const fail = (err: unknown) => {
      clearTimeout(timer)
      socket.destroy()
      reject(describeSocketError(options.label, err))
    }
    const done = (result: SmtpGreeting) => {
      clearTimeout(timer)
      stage = 'done'
      // Say goodbye (RFC 5321 §4.1.1.10) rather than drop the line; do not wait long for 221.
      socket.end('QUIT\r\n')
      setTimeout(() => socket.destroy(), 1_000).unref()
      resolve(result)
    }
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      if (buffer.length > maxReplyBytes) return fail(new PostureError('CONNECT_FAILED', `${options.label}: SMTP reply longer than ${maxReplyBytes} bytes`))
      const reply = takeReply()
      if (!reply) return
      if (stage === 'greeting') {
        greeting = reply
        if (reply.code !== 220) return done({ greetingCode: reply.code, banner: reply.lines.join(' | '), ehloCode: null, capabilities: [], starttls: false })
        stage = 'ehlo'
        socket.write('EHLO posture.invalid\r\n')
      } else if (stage === 'ehlo' && greeting) {
        const capabilities = reply.code === 250 ? reply.lines.slice(1) : []
        done({
          greetingCode: greeting.code,
          banner: greeting.lines.join(' | '),
          ehloCode: reply.code,
          capabilities,
          starttls: capabilities.some((c) => /^STARTTLS\b/i.test(c)),
        })
      }
    })
    socket.once('error', fail)
    socket.once('close', () => {
      if (stage !== 'done') fail(new PostureError('CONNECT_FAILED', `${options.label}: the server closed the connection before ${stage === 'greeting' ? 'its greeting' : 'answering EHLO'}${buffer ? ` (sent ${JSON.stringify(buffer.slice(0, 120))})` : ''}`))
    })

    /** One complete reply (`250-…` lines ending with `250 …`, RFC 5321 §4.2.1), removed from the buffer. */
    function takeReply(): { code: number; lines: string[] } | null {
      const lines: string[] = []
      let offset = 0
      for (;;) {
        const end = buffer.indexOf('\n', offset)
        if (end < 0) return null
        const line = buffer.slice(offset, end).replace(/\r$/, '')
        offset = end + 1
        const match = /^(\d{3})([ -]?)(.*)$/.exec(line)
        if (!match) {
          fail(new PostureError('CONNECT_FAILED', `${options.label}: not an SMTP reply: ${JSON.stringify(line.slice(0, 120))}`))
          return null
        }
        lines.push(match[3]!.trim())
        if (match[2] !== '-') {
          buffer = buffer.slice(offset)
          return { code: Number(match[1]), lines }
        }
      }
    }
  })
}
