/**
 * Everything the audit log records (DESIGN.md, "Auth": every login, success and failure,
 * and every change). One list, so the log page and the verifier agree on the names.
 */
export const auditActions = [
  'login',
  'logout',
  'password.change',
  'totp.enrol',
  'totp.recovery-code-used',
  'user.create',
  'user.role-change',
  'user.disable',
  'user.enable',
  'user.password-reset',
  'token.create',
  'token.revoke',
  'waiver.create',
  'waiver.delete',
  'scan.request',
  'schedule.change',
  'ssh-node.change',
  'webhook.change',
  'export.create',
  'export.download',
  'evidence.attach',
  'evidence.remove',
  'agent.revoke',
] as const
export type AuditAction = (typeof auditActions)[number]
