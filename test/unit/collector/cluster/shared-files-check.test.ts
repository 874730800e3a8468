import { describe, expect, it } from 'vitest'
import { compareSharedFiles, describeMismatches, plainHttpFingerprint, tlsFilePaths, type RecordedFile, type SharedFile, type SharedFileName } from '../../../../collector/cluster/shared-files-check.js'

const recordedBy = (name: SharedFileName, fingerprint: string, paths: string[]): RecordedFile => ({ name, fingerprint, collectorId: 'c1-100-abcd', host: 'c1', paths, recordedAt: '2026-11-23T22:00:00.000Z' })
const recorded = new Map<SharedFileName, RecordedFile>([
  ['tls-certificate', recordedBy('tls-certificate', 'AA:AA', ['/srv/a/tls/cert.pem', '/srv/a/tls/key.pem'])],
  ['evidence-signing-key', recordedBy('evidence-signing-key', 'SHA256:aaaa', ['/srv/a/evidence-signing-key.pem'])],
])

describe('shared files across collectors', () => {
  it('finds nothing when both fingerprints match, and each file that differs or is missing', () => {
    const same: SharedFile[] = [
      { name: 'tls-certificate', fingerprint: 'AA:AA', paths: ['/etc/posture/cert.pem', '/etc/posture/key.pem'] },
      { name: 'evidence-signing-key', fingerprint: 'SHA256:aaaa', paths: ['/srv/b/evidence-signing-key.pem'] },
    ]
    expect(compareSharedFiles(same, recorded)).toEqual([])
    const other: SharedFile[] = [{ ...same[0]!, fingerprint: 'BB:BB' }, { ...same[1]!, fingerprint: null }]
    expect(compareSharedFiles(other, recorded).map((m) => [m.local.name, m.local.fingerprint, m.recorded.fingerprint])).toEqual([
      ['tls-certificate', 'BB:BB', 'AA:AA'],
      ['evidence-signing-key', null, 'SHA256:aaaa'],
    ])
    // Nothing recorded yet: this collector is the first.
    expect(compareSharedFiles(other, new Map())).toEqual([])
  })

  it('names both fingerprints, the recording collector and host, and each file to copy where', () => {
    const message = describeMismatches(compareSharedFiles([
      { name: 'tls-certificate', fingerprint: 'BB:BB', paths: ['/srv/b/tls/cert.pem', '/srv/b/tls/key.pem'] },
      { name: 'evidence-signing-key', fingerprint: null, paths: ['/srv/b/evidence-signing-key.pem'] },
    ], recorded), '/srv/b')
    expect(message.split('\n')).toEqual([
      "this collector's files differ from those of the collectors already sharing this database (/srv/b); refusing to start:",
      '- TLS certificate: this collector has BB:BB (/srv/b/tls/cert.pem, /srv/b/tls/key.pem); the cluster uses AA:AA, recorded by collector c1-100-abcd on host c1 at 2026-11-23T22:00:00.000Z; agents pin the certificate fingerprint at join, so behind a load balancer every agent sent to this collector would refuse it.',
      '  Copy from host c1: /srv/a/tls/cert.pem to /srv/b/tls/cert.pem; /srv/a/tls/key.pem to /srv/b/tls/key.pem.',
      '- evidence signing key: this collector has no such file (/srv/b/evidence-signing-key.pem); the cluster uses SHA256:aaaa, recorded by collector c1-100-abcd on host c1 at 2026-11-23T22:00:00.000Z; auditors verify exports against one public key, so exports signed here would not verify.',
      '  Copy from host c1: /srv/a/evidence-signing-key.pem to /srv/b/evidence-signing-key.pem (mode 0600).',
      'If the files were replaced on purpose on every collector (a rotation), stop every collector, run `DELETE FROM cluster_shared_files;` in the database, then start them again: the first records the new fingerprints.',
    ])
  })

  it('tells a plain-HTTP collector to use the certificate, and a TLS one joining a plain-HTTP cluster to match it', () => {
    const plainHere = describeMismatches(compareSharedFiles([{ name: 'tls-certificate', fingerprint: plainHttpFingerprint, paths: [] }], recorded), '/srv/b')
    expect(plainHere).toContain(`this collector has ${plainHttpFingerprint} (no certificate); the cluster uses AA:AA`)
    expect(plainHere).toContain('Copy /srv/a/tls/cert.pem and /srv/a/tls/key.pem from host c1 to this machine and start with --tls-cert/--tls-key pointing at them (not --insecure-http).')
    const plainCluster = new Map([['tls-certificate' as const, recordedBy('tls-certificate', plainHttpFingerprint, [])]])
    const tlsHere = describeMismatches(compareSharedFiles([{ name: 'tls-certificate', fingerprint: 'BB:BB', paths: ['/srv/b/tls/cert.pem', '/srv/b/tls/key.pem'] }], plainCluster), '/srv/b')
    expect(tlsHere).toContain('The cluster runs plain HTTP (--insecure-http): start this collector with --insecure-http too, or move every collector to TLS.')
  })

  it('takes the configured certificate files, else the self-signed ones in the data directory', () => {
    expect(tlsFilePaths('/srv/b', { certFile: '/etc/posture/cert.pem', keyFile: '/etc/posture/key.pem' })).toEqual(['/etc/posture/cert.pem', '/etc/posture/key.pem'])
    expect(tlsFilePaths('/srv/b', {})).toEqual(['/srv/b/tls/cert.pem', '/srv/b/tls/key.pem'])
  })
})
