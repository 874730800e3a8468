import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { readSmtpGreeting } from '../../../../agent/dns/smtp-ehlo.js'

/** readSmtpGreeting against scripted servers on 127.0.0.1:0: each answers with fixed text. */
let server: Server | null = null
const sockets = new Set<Socket>()

afterEach(async () => {
  for (const s of sockets) s.destroy()
  sockets.clear()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = null
})

async function serve(onConnect: (socket: Socket, lines: string[]) => void): Promise<{ port: number; lines: string[] }> {
  const lines: string[] = []
  server = createServer((socket) => {
    sockets.add(socket)
    socket.on('data', (d: Buffer) => lines.push(...d.toString().split('\r\n').filter(Boolean)))
    socket.on('error', () => undefined)
    onConnect(socket, lines)
  })
  const port = await new Promise<number>((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)))
  return { port, lines }
}
const read = (port: number, timeoutMs = 2000) => readSmtpGreeting({ address: '127.0.0.1', port, label: 'mx.example.test:25', timeoutMs })

describe('readSmtpGreeting', () => {
  it('a multi-line greeting and EHLO reply listing STARTTLS, then QUIT', async () => {
    const { port, lines } = await serve((socket) => {
      socket.write('220-mx.example.test ESMTP\r\n220 no UCE\r\n')
      socket.once('data', () => socket.write('250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-starttls\r\n250 SMTPUTF8\r\n'))
    })
    expect(await read(port)).toEqual({ greetingCode: 220, banner: 'mx.example.test ESMTP | no UCE', ehloCode: 250, capabilities: ['PIPELINING', 'SIZE 52428800', 'starttls', 'SMTPUTF8'], starttls: true })
    await expect.poll(() => lines).toEqual(['EHLO posture.invalid', 'QUIT'])
  })

  it('EHLO without STARTTLS', async () => {
    const { port } = await serve((socket) => {
      socket.write('220 mx ESMTP\r\n')
      socket.once('data', () => socket.write('250-mx\r\n250 8BITMIME\r\n'))
    })
    expect(await read(port)).toMatchObject({ ehloCode: 250, capabilities: ['8BITMIME'], starttls: false })
  })

  it('EHLO refused: no ESMTP, so no STARTTLS', async () => {
    const { port } = await serve((socket) => {
      socket.write('220 old-mta\r\n')
      socket.once('data', () => socket.write('502 command not recognised\r\n'))
    })
    expect(await read(port)).toMatchObject({ greetingCode: 220, ehloCode: 502, capabilities: [], starttls: false })
  })

  it('a 554 greeting refuses service (no EHLO is sent)', async () => {
    const { port, lines } = await serve((socket) => socket.write('554 5.7.1 your address is listed\r\n'))
    expect(await read(port)).toEqual({ greetingCode: 554, banner: '5.7.1 your address is listed', ehloCode: null, capabilities: [], starttls: false })
    expect(lines).not.toContain('EHLO posture.invalid')
  })

  it.each([
    ['closes before the greeting', (s: Socket) => s.end(), 'CONNECT_FAILED', 'mx.example.test:25: the server closed the connection before its greeting'],
    ['speaks something else', (s: Socket) => s.write('SSH-2.0-OpenSSH_9.2\r\n'), 'CONNECT_FAILED', 'mx.example.test:25: not an SMTP reply: "SSH-2.0-OpenSSH_9.2"'],
    ['never says anything', () => undefined, 'TIMEOUT', 'mx.example.test:25: no answer within 300 ms (waiting for the greeting)'],
  ])('a server that %s', async (_what, behave, code, message) => {
    const { port } = await serve((socket) => behave(socket))
    await expect(read(port, 300)).rejects.toMatchObject({ code, message })
  })

  it('nothing listening', async () => {
    const { port } = await serve(() => undefined)
    await new Promise<void>((resolve) => server!.close(() => resolve()))
    server = null
    await expect(read(port)).rejects.toMatchObject({ code: 'CONNECT_FAILED', message: 'mx.example.test:25: connection refused (ECONNREFUSED)' })
  })
})
