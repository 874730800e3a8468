import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { targetsFromListeners } from '../../../../../agent/gatherers/tls/discover-targets.js'
import { parseSs } from '../../../../../agent/gatherers/network/listening-sockets.js'

const ss = readFileSync(fileURLToPath(new URL('../../../../fixtures/tls/ss-tlnpH.txt', import.meta.url)), 'utf8')

describe('targetsFromListeners', () => {
  it('probes each listening TCP port once, on an address a local client reaches', () => {
    const targets = targetsFromListeners(parseSs(ss), [])
    expect(targets.map((t) => `${t.host}:${t.port}`)).toEqual([
      '10.10.0.1:22',
      '2001:db8:10::1:443',
      '::1:6379',
      '127.0.0.1:8080',
      '::1:8081',
      '::1:8443',
      '127.0.0.1:9090',
      '10.10.0.1:9100',
      '203.0.113.10:51413',
    ]) // 0.0.0.0%br0:9200 is bound to an interface: skipped
    expect(targets.every((t) => t.discovered && t.servername === null && t.starttls === null && t.httpPort === null)).toBe(true)
  })

  it('uses STARTTLS on mail and FTP ports, and knows when port 80 is served for the redirect check', () => {
    const sockets = parseSs(
      [
        'LISTEN 0 100 0.0.0.0:25 0.0.0.0:*',
        'LISTEN 0 100 0.0.0.0:587 0.0.0.0:*',
        'LISTEN 0 100 [::]:143 [::]:*',
        'LISTEN 0 100 0.0.0.0:110 0.0.0.0:*',
        'LISTEN 0 100 0.0.0.0:21 0.0.0.0:*',
        'LISTEN 0 511 0.0.0.0:80 0.0.0.0:*',
        'LISTEN 0 511 0.0.0.0:443 0.0.0.0:*',
        'LISTEN 0 511 [::]:443 [::]:*',
      ].join('\n'),
    )
    const targets = targetsFromListeners(sockets, [80, 22])
    expect(targets.map((t) => [t.port, t.host, t.starttls, t.httpPort])).toEqual([
      [21, '127.0.0.1', 'ftp', 80],
      [25, '127.0.0.1', 'smtp', 80],
      [110, '127.0.0.1', 'pop3', 80],
      [143, '::1', 'imap', 80],
      [443, '127.0.0.1', null, 80],
      [587, '127.0.0.1', 'smtp', 80],
    ])
  })

  it('leaves out excluded ports', () => {
    expect(targetsFromListeners(parseSs(ss), [22, 443, 6379, 8080, 8081, 8443, 9090, 9100, 51413])).toEqual([])
  })
})
