import type { Socket } from 'node:net'
import { PostureError } from '../../rules/posture-error.js'

/**
 * STARTTLS dialogs (testssl.sh `starttls_*_dialog`; SMTP RFC 3207, IMAP RFC 3501 §6.2.1,
 * POP3 RFC 2595 §4, FTP RFC 4217 §4). Each step checks the server's reply code, so a
 * server that does not offer STARTTLS or refuses it is a clear error, not a TLS failure.
 */
export const startTlsProtocols = ['smtp', 'imap', 'pop3', 'ftp'] as const
export type StartTlsProtocol = (typeof startTlsProtocols)[number]

export function isStartTlsProtocol(value: string): value is StartTlsProtocol {
  return (startTlsProtocols as readonly string[]).includes(value)
}

/** The conventional plaintext port of each protocol (IANA service names). */
export const startTlsDefaultPorts: Record<StartTlsProtocol, number> = { smtp: 25, imap: 143, pop3: 110, ftp: 21 }

/** Reply predicates: when a reply is complete, and whether it is the expected one. */
type Step = { send?: string; complete: (text: string) => boolean; ok: (text: string) => boolean; what: string }

/** SMTP/FTP multi-line replies: `250-…` lines, ending with `250 …` (RFC 5321 §4.2.1). */
const multiline = (text: string) => /(^|\n)\d{3}(?: [^\n]*)?\r?\n$/.test(text)
const code = (expected: string) => (text: string) => new RegExp(`(^|\\n)${expected}(?: |\\r?\\n)[^\\n]*\\r?\\n$`).test(text)
const line = (text: string) => text.endsWith('\n')

const dialogs: Record<StartTlsProtocol, Step[]> = {
  smtp: [
    { complete: multiline, ok: code('220'), what: 'greeting (220)' },
    { send: 'EHLO posture.invalid', complete: multiline, ok: (t) => code('250')(t) && /(^|\n)250[ -]STARTTLS\b/i.test(t), what: 'EHLO reply listing STARTTLS' },
    { send: 'STARTTLS', complete: multiline, ok: code('220'), what: 'STARTTLS reply (220)' },
  ],
  ftp: [
    { complete: multiline, ok: code('220'), what: 'greeting (220)' },
    { send: 'AUTH TLS', complete: multiline, ok: code('234'), what: 'AUTH TLS reply (234)' },
  ],
  imap: [
    { complete: line, ok: (t) => /^\* (OK|PREAUTH)\b/i.test(t), what: 'greeting (* OK)' },
    { send: 'a001 CAPABILITY', complete: (t) => /(^|\n)a001 [^\n]*\n$/i.test(t), ok: (t) => /(^|\n)a001 OK\b/i.test(t) && /\bSTARTTLS\b/i.test(t), what: 'CAPABILITY listing STARTTLS' },
    { send: 'a002 STARTTLS', complete: (t) => /(^|\n)a002 [^\n]*\n$/i.test(t), ok: (t) => /(^|\n)a002 OK\b/i.test(t), what: 'STARTTLS reply (a002 OK)' },
  ],
  pop3: [
    { complete: line, ok: (t) => /^\+OK\b/.test(t), what: 'greeting (+OK)' },
    { send: 'STLS', complete: line, ok: (t) => /^\+OK\b/.test(t), what: 'STLS reply (+OK)' },
  ],
}

/**
 * Runs the dialog on a connected socket; when it resolves, the next bytes on the socket
 * are the TLS handshake. The socket is left paused for the caller's reader.
 */
export async function negotiateStartTls(socket: Socket, protocol: StartTlsProtocol, label: string): Promise<void> {
  for (const step of dialogs[protocol]) {
    if (step.send) socket.write(step.send + '\r\n')
    const reply = await readReply(socket, step.complete, label)
    if (!step.ok(reply)) {
      throw new PostureError('CONNECT_FAILED', `${label}: ${protocol.toUpperCase()} STARTTLS failed: expected ${step.what}, got ${JSON.stringify(firstLines(reply))}`)
    }
  }
}

const maxReplyBytes = 64 * 1024

function readReply(socket: Socket, complete: (text: string) => boolean, label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const cleanup = () => {
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('error', onError)
      socket.off('close', onEnd)
      socket.pause()
    }
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1')
      if (text.length > maxReplyBytes) {
        cleanup()
        reject(new PostureError('CONNECT_FAILED', `${label}: STARTTLS reply longer than ${maxReplyBytes} bytes`))
      } else if (complete(text)) {
        cleanup()
        resolve(text)
      }
    }
    const onEnd = () => {
      cleanup()
      reject(new PostureError('CONNECT_FAILED', `${label}: the server closed the connection during the STARTTLS dialog${text ? ` after ${JSON.stringify(firstLines(text))}` : ''}`))
    }
    const onError = (err: Error) => {
      cleanup()
      reject(err)
    }
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.once('close', onEnd)
    socket.once('error', onError)
    socket.resume()
  })
}

function firstLines(text: string): string {
  return text.split(/\r?\n/).filter(Boolean).slice(0, 3).join(' | ').slice(0, 200)
}
