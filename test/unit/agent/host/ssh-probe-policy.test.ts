import { describe, expect, it } from 'vitest'
import { probeSide } from '../../../../agent/host/ssh-probe-policy.js'

describe('probeSide', () => {
  it.each([
    'systeminformation diskLayout',
    'isolation 10.20.0.5:22',
    'tls 127.0.0.1:443',
    'tls 127.8.9.1:8443',
    'tls [::1]:443',
    'tls ::1',
    'http localhost:80',
    'http 0.0.0.0:80',
    'tls [::ffff:127.0.0.1]:443',
  ])('keeps %s on the node', (key) => {
    expect(probeSide(key).side).toBe('node-only')
  })

  it.each(['tls 203.0.113.7:443', 'tls example.org:443', 'tls [2001:db8::1]:443', 'http 10.0.0.1:80'])('performs %s from the collector', (key) => {
    expect(probeSide(key)).toEqual({ side: 'collector' })
  })
})
