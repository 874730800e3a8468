import { createServer as createHttpServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { closedPort, startBadServer, type BadBehaviour, type Running } from './tls-servers.js'
import { postureTls } from './tls-run.js'
import { probeTlsEndpoint } from '../../agent/tls/probe-endpoint.js'
import { createTrustStore } from '../../agent/tls/trust-store.js'
import { PostureError } from '../../rules/posture-error.js'

/**
 * `posture tls` against things that are not (working) TLS servers: every case ends with
 * exit 3 and one clear line, quickly — never a hang, never a crash.
 */
const running: Running[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()))
})

async function bad(behaviour: BadBehaviour): Promise<number> {
  const server = await startBadServer(behaviour)
  running.push(server)
  return server.port
}

/** Bounds are generous: the CLI compiles the whole rule catalogue too, and CI machines are busy; a hang never ends. */
function expectCouldNotRun(run: { code: number; stdout: string; stderr: string; ms: number }, message: RegExp, withinMs: number) {
  expect(run.code).toBe(3)
  expect(run.stdout).toBe('')
  expect(run.stderr).toMatch(message)
  expect(run.stderr.trim().split('\n')).toHaveLength(1)
  expect(run.ms).toBeLessThan(withinMs)
}

describe('posture tls on bad input', { timeout: 30_000 }, () => {
  it('a closed port: connection refused', async () => {
    const port = await closedPort()
    expectCouldNotRun(await postureTls([`127.0.0.1:${port}`]), new RegExp(`^posture tls: 127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\)$`, 'm'), 20_000)
  })

  it('a plain HTTP server: not a TLS server, with what it said', async () => {
    const server = createHttpServer((req, res) => res.end('hi'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    running.push({ port: 0, close: () => new Promise((resolve) => server.close(() => resolve())) })
    const port = (server.address() as { port: number }).port
    expectCouldNotRun(await postureTls([`127.0.0.1:${port}`]), /not a TLS server \(not a TLS record; it sent "HTTP\/1\.1 400 Bad Request"\)/, 20_000)
  })

  it('an SSH server: not a TLS server', async () => {
    expectCouldNotRun(await postureTls([`127.0.0.1:${await bad('ssh-banner')}`]), /not a TLS server \(not a TLS record; it sent "SSH-2\.0-OpenSSH_9\.2p1 Debian-2\+deb12u3"\)/, 20_000)
  })

  it('a server that resets the connection mid-handshake', async () => {
    expectCouldNotRun(await postureTls([`127.0.0.1:${await bad('reset')}`]), /the server reset the connection instead of answering a TLS ClientHello/, 20_000)
  })

  it('a server that closes the connection after the ClientHello', async () => {
    expectCouldNotRun(await postureTls([`127.0.0.1:${await bad('close')}`]), /the server closed the connection instead of answering a TLS ClientHello/, 20_000)
  })

  it('a server that never answers: bounded by --timeout', async () => {
    expectCouldNotRun(await postureTls([`127.0.0.1:${await bad('silent')}`, '--timeout', '500ms']), /no answer to a TLS ClientHello within 500 ms \(not a TLS server\?\)/, 20_000)
  })

  it('the probe itself gives up on a silent server within its timeout', async () => {
    const port = await bad('silent')
    const started = performance.now()
    const error = await probeTlsEndpoint({ host: '127.0.0.1', port, timeoutMs: 500, concurrency: 8, trustStore: createTrustStore([], null) }).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(PostureError)
    expect((error as PostureError).code).toBe('TIMEOUT')
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it('a server that sends garbage', async () => {
    expectCouldNotRun(await postureTls([`127.0.0.1:${await bad('garbage')}`]), /not a TLS server \(not a TLS record; it sent 0x00ff13fe7a0102030405060708\)/, 20_000)
  })

  it('a name that does not resolve (.invalid never reaches a resolver, RFC 6761)', async () => {
    expectCouldNotRun(await postureTls(['no-such-host.invalid:443']), /^posture tls: no-such-host\.invalid: name does not resolve \(ENOTFOUND: \.invalid names never exist, RFC 6761\)$/m, 20_000)
  })

  it.each([
    [[], /expected one HOST\[:PORT\], got 0/],
    [['a.example', 'b.example'], /expected one HOST\[:PORT\], got 2/],
    [['a.example:70000'], /port must be 1–65535/],
    [['https://a.example/'], /not a URL/],
    [['a.example', '--starttls', 'xmpp'], /--starttls: unknown protocol "xmpp"/],
    [['a.example', '--timeout', 'soon'], /--timeout: "soon" is not a duration/],
    [['a.example', '--http-port', '0'], /--http-port: "0" is not a port/],
    [['a.example', '--ca', '/nonexistent/ca.pem'], /--ca \/nonexistent\/ca\.pem: cannot read \(no such file\)/],
    [['a.example', '--bogus'], /Unknown option '--bogus'/],
  ])('bad usage %j: exit 2', async (args, message) => {
    const run = await postureTls(args)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
  })
})
