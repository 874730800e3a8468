import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collectorCommand } from '../../cli/commands/collector.js'
import type { CliIO } from '../../cli/command.js'
import { verifySignature } from '../../collector/alerts/alert-payload.js'
import { PostureError } from '../../rules/posture-error.js'

/** `posture collector webhook add|list|test|remove` on a data directory, with a real receiver on loopback. */
let dir: string
let server: Server
let url: string
let received: { headers: IncomingHttpHeaders; body: string }[]
let status: number

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posture-alerts-cli-'))
  received = []
  status = 200
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(status).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
})
afterEach(() => {
  server.closeAllConnections()
  server.close()
  rmSync(dir, { recursive: true, force: true })
})

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')))
  const io: CliIO = { stdout, stderr, color: false, env: {}, cwd: dir, signal: new AbortController().signal }
  const code = await collectorCommand.run(['webhook', ...args, '--data', join(dir, 'data')], io)
  return { code, out }
}

describe('posture collector webhook', () => {
  it('adds a destination (secret shown once), lists it, test-sends a signed message, logs it, removes it', async () => {
    const added = await run('add', '--url', url, '--events', 'finding.new,node.silent', '--min-severity', 'critical')
    expect(added.code).toBe(0)
    const secret = /signing secret \(shown once\): (whsec_\S+)/.exec(added.out)?.[1]
    expect(secret).toBeDefined()

    const listed = await run('list', '--json')
    const { webhooks } = JSON.parse(listed.out) as { webhooks: { id: number; url: string; events: string[]; minSeverity: string; lastDelivery: unknown }[] }
    expect(webhooks).toMatchObject([{ id: 1, url, events: ['finding.new', 'node.silent'], minSeverity: 'critical', lastDelivery: null }])
    expect(listed.out).not.toContain(secret!)

    const tested = await run('test', '1')
    expect(tested).toMatchObject({ code: 0 })
    expect(tested.out).toMatch(/^delivered: HTTP 200 in \d+ ms/)
    expect(received).toHaveLength(1)
    expect(JSON.parse(received[0]!.body)).toMatchObject({ schema: 'posture.alert/v1', kind: 'test' })
    expect(verifySignature(received[0]!.body, secret!, received[0]!.headers['x-posture-signature'] as string)).toBe(true)
    expect((await run('list')).out).toContain('last: delivered')

    status = 500
    const failed = await run('test', '1')
    expect(failed.code).toBe(3)
    expect(failed.out).toBe('not delivered: HTTP 500\n')

    expect((await run('remove', '1')).code).toBe(0)
    expect((await run('list')).out).toBe('')
    await expect(run('test', '1')).rejects.toThrow('no webhook 1')
  })

  it.each([
    [['add'], '--url URL is required'],
    [['add', '--url', 'file:///etc/passwd'], 'http:// or https://'],
    [['add', '--url', 'https://x.example/', '--events', 'finding.new,bogus'], 'unknown event bogus'],
    [['add', '--url', 'https://x.example/', '--format', 'xml'], 'webhook: format:'],
    [['remove', 'x'], 'usage: posture collector webhook remove ID'],
  ])('refuses %j', async (args, message) => {
    const error = await run(...args).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(PostureError)
    expect((error as Error).message).toContain(message)
  })
})
