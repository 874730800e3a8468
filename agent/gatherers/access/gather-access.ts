import type { AccessFacts } from '../../../rules/facts/access.js'
import type { FactErrors } from '../../../rules/facts/facts.js'
import type { GatherContext, GatherResult, Gatherer } from '../gatherer.js'
import { gatherAccounts, gatherLockout, pickNormalUser } from './gather-accounts.js'
import { gatherBackups } from './gather-backups.js'
import { gatherAuditd, gatherLogging } from './gather-logging.js'
import { loadPam } from './gather-pam.js'
import { gatherRateLimit } from './gather-rate-limit.js'
import { gatherSsh } from './gather-ssh.js'
import { gatherSudo } from './gather-sudo.js'
import { NodeFiles } from './node-files.js'

/**
 * Access hardening: SSH, accounts and passwords, lockout, per-IP limits, sudo, logging,
 * auditd, backups (issue 7). Nothing secret leaves: password fields are redacted inside
 * the host read, repository passwords stay with restic/borg.
 */
export const accessGatherer: Gatherer = {
  name: 'access',
  feeds: ['access'],
  gather: gatherAccess,
}

/** PAM services read: logins (sshd, login), the password change stack (passwd), the fallback (other). */
const pamServices = ['sshd', 'login', 'passwd', 'other']

async function gatherAccess({ host, config }: GatherContext): Promise<GatherResult> {
  const settings = config.access
  const files = new NodeFiles(host, settings.rootDir)
  const facts: AccessFacts = {}
  const errors: FactErrors = {}

  const pam = await loadPam(files, pamServices)
  const [accounts, lockout, sudo, logging, auditd, backups] = await Promise.all([
    gatherAccounts(files, pam),
    gatherLockout(files, pam),
    gatherSudo(files),
    gatherLogging(host, files),
    gatherAuditd(host),
    gatherBackups(host, settings.backups),
  ])
  facts.accounts = accounts.facts
  Object.assign(errors, accounts.errors)

  const ssh = await gatherSsh(host, settings, pam, pickNormalUser(settings.sshUser, accounts.passwd, accounts.uidMin))
  facts.ssh = ssh.facts
  Object.assign(errors, ssh.errors)

  const rateLimit = await gatherRateLimit(host, ssh.settings)
  if ('failed' in rateLimit) errors['access.ipRateLimit'] = rateLimit.failed
  else facts.ipRateLimit = rateLimit

  if ('failed' in lockout) errors['access.lockout'] = lockout.failed
  else facts.lockout = lockout
  if ('failed' in sudo) errors['access.sudo'] = sudo.failed
  else facts.sudo = sudo
  if ('failed' in logging) errors['access.logging'] = logging.failed
  else facts.logging = logging.facts
  if ('failed' in auditd) errors['access.auditd'] = auditd.failed
  else facts.auditd = auditd.facts
  facts.backup = { sources: backups }

  return { facts: { access: facts }, errors }
}
