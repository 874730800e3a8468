import { describe, expect, it } from 'vitest'
import { countAuditRules, parseAuditctlStatus } from '../../../../../agent/gatherers/access/auditctl.js'
import { audispRemoteServer, journaldStorage, journalUploadUrl, parseRsyslog, pluginActive } from '../../../../../agent/gatherers/access/log-config.js'
import { fixture } from './fixture.js'

describe('journald', () => {
  it('Storage= with drop-ins, later wins; auto when unset', () => {
    expect(journaldStorage([])).toBe('auto')
    expect(journaldStorage(['[Journal]\n#Storage=auto\n'])).toBe('auto')
    expect(journaldStorage([fixture('written/journald.conf.volatile')])).toBe('volatile')
    expect(journaldStorage([fixture('written/journald.conf.volatile'), '[Journal]\nStorage=persistent\n'])).toBe('persistent')
    expect(journaldStorage(['[Other]\nStorage=none\n'])).toBe('auto')
  })
})

describe('rsyslog', () => {
  it('Debian default: auth.log, no forwarding', () => {
    expect(parseRsyslog([fixture('written/rsyslog.conf.debian')])).toEqual({ authFiles: ['/var/log/auth.log'], forwarding: [] })
  })

  it('forwarding in RainerScript and legacy forms', () => {
    expect(parseRsyslog([fixture('written/rsyslog.d-90-forward.conf')]).forwarding).toEqual([
      'rsyslog omfwd logs.example.net:6514',
      'rsyslog @@10.10.0.20:514',
    ])
  })

  it('*.* covers auth, but not when auth is excluded', () => {
    expect(parseRsyslog(['*.*  /var/log/all.log\n']).authFiles).toEqual(['/var/log/all.log'])
    expect(parseRsyslog(['*.*;auth,authpriv.none  -/var/log/syslog\nmail.* /var/log/mail.log\n']).authFiles).toEqual([])
  })
})

describe('forwarding configs', () => {
  it('journal-upload and audisp-remote', () => {
    expect(journalUploadUrl('[Upload]\nURL=https://logs.example.net:19532\n')).toBe('https://logs.example.net:19532')
    expect(journalUploadUrl('[Upload]\n# URL=\n')).toBeNull()
    expect(audispRemoteServer('remote_server = 10.10.0.20\nport = 60\n')).toBe('10.10.0.20')
    expect(audispRemoteServer('remote_server =\n')).toBeNull()
    expect(pluginActive('active = yes\ndirection = out\n')).toBe(true)
    expect(pluginActive('active = no\n')).toBe(false)
  })
})

describe('auditctl', () => {
  it('running and stopped daemon', () => {
    expect(parseAuditctlStatus(fixture('written/auditctl-s.running.txt'))).toEqual({ enabled: 1, pid: 612 })
    expect(parseAuditctlStatus(fixture('written/auditctl-s.stopped.txt'))).toEqual({ enabled: 1, pid: 0 })
    expect(parseAuditctlStatus('You must be root to run this program.')).toBeNull()
  })

  it('counts rules', () => {
    expect(countAuditRules('No rules\n')).toBe(0)
    expect(countAuditRules('-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n')).toBe(2)
  })
})
