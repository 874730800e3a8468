import { openConnection, type Endpoint } from './connection.js'
import { decodeServerFlight, type ServerFlight } from './server-flight.js'

/**
 * One raw handshake attempt: connect, send a hello, read the server's first flight, close.
 * Connection failures (refused, DNS, STARTTLS refused, connect timeout) throw; once the
 * hello is sent, every answer is a value — a server rejecting a version by closing or
 * resetting the connection is an answer too.
 */
export type HelloOutcome =
  | Exclude<ServerFlight, { kind: 'incomplete' }>
  | { kind: 'closed' }
  | { kind: 'reset' }
  | { kind: 'timeout' }

/** Enough for a flight with a long chain; a server sending more is cut off and decoded as is. */
const maxFlightBytes = 256 * 1024

export async function exchangeHello(endpoint: Endpoint, hello: Buffer): Promise<HelloOutcome> {
  const socket = await openConnection(endpoint)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let received = 0
    let settled = false
    const finish = (outcome: HelloOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.removeAllListeners('data')
      socket.destroy()
      resolve(outcome)
    }
    const decode = (ended: boolean): ServerFlight => decodeServerFlight(Buffer.concat(chunks, received), ended)
    const timer = setTimeout(() => {
      const partial = received > 0 ? decode(true) : null
      finish(partial && partial.kind !== 'incomplete' ? partial : { kind: 'timeout' })
    }, endpoint.timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      received += chunk.length
      const flight = decode(received >= maxFlightBytes)
      if (flight.kind !== 'incomplete') finish(flight)
    })
    socket.once('end', () => {
      if (received === 0) return finish({ kind: 'closed' })
      const flight = decode(true)
      finish(flight.kind === 'incomplete' ? { kind: 'closed' } : flight)
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (received > 0) {
        const flight = decode(true)
        if (flight.kind !== 'incomplete') return finish(flight)
      }
      finish(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? { kind: 'reset' } : { kind: 'closed' })
    })
    socket.once('close', () => finish({ kind: 'closed' }))
    socket.write(hello)
    socket.resume()
  })
}
