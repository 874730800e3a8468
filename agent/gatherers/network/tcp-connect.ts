import { connect } from 'node:net'
import { PostureError } from '../../../rules/posture-error.js'

/** What one TCP connection attempt showed. */
export type ConnectOutcome = 'connected' | 'refused' | 'timeout' | 'unreachable'

/** errno codes that prove the port cannot be reached from here (connect(2), ip(7)). */
const outcomes: Record<string, ConnectOutcome> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  ENETUNREACH: 'unreachable',
  EHOSTUNREACH: 'unreachable',
}

/**
 * One bounded TCP connect to an address literal (never a name: no DNS), closed as soon as
 * it is established; nothing is sent. This is the `perform` of an isolation probe
 * (`host.probe('isolation ADDR:PORT', …)`): the only code in the network domain that opens
 * a socket, reached only through the Host seam so that snapshots replay its result.
 * Rejects with PostureError CONNECT_FAILED (naming the errno) for failures that prove
 * nothing either way (EPERM from a local firewall, EMFILE, …).
 */
export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<{ outcome: ConnectOutcome }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, family: address.includes(':') ? 6 : 4 })
    let settled = false
    const finish = (outcome: ConnectOutcome | Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (outcome instanceof Error) reject(outcome)
      else resolve({ outcome })
    }
    const timer = setTimeout(() => finish('timeout'), timeoutMs)
    socket.once('connect', () => finish('connected'))
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const outcome = err.code === undefined ? undefined : outcomes[err.code]
      if (outcome) finish(outcome)
      else finish(new PostureError('CONNECT_FAILED', `connect ${address} port ${port}: ${err.message}`, { cause: err }))
    })
  })
}
