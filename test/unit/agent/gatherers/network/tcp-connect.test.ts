import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { tcpConnect } from '../../../../../agent/gatherers/network/tcp-connect.js'

/** Real sockets on 127.0.0.1 only, port 0. */
let server: Server | undefined

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

function listen(): Promise<number> {
  server = createServer((socket) => socket.destroy())
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)))
}

describe('tcpConnect', () => {
  it('connects to a listening port', async () => {
    const port = await listen()
    expect(await tcpConnect('127.0.0.1', port, 2_000)).toEqual({ outcome: 'connected' })
  })

  it('reports a closed port as refused', async () => {
    const port = await listen()
    await new Promise<void>((resolve) => server!.close(() => resolve()))
    server = undefined
    expect(await tcpConnect('127.0.0.1', port, 2_000)).toEqual({ outcome: 'refused' })
  })
})
