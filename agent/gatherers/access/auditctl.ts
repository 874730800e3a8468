/**
 * `auditctl -s` (auditctl(8)): `enabled N` (0 off, 1 on, 2 locked) and `pid N` (the
 * audit daemon registered with the kernel; 0 = none). Null when neither line is there.
 */
export function parseAuditctlStatus(text: string): { enabled: number; pid: number } | null {
  const enabled = /^enabled\s+(\d+)/m.exec(text)
  const pid = /^pid\s+(\d+)/m.exec(text)
  if (!enabled || !pid) return null
  return { enabled: Number.parseInt(enabled[1]!, 10), pid: Number.parseInt(pid[1]!, 10) }
}

/** `auditctl -l`: one rule per line, or `No rules`. */
export function countAuditRules(text: string): number {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
  if (lines.length === 1 && lines[0] === 'No rules') return 0
  return lines.length
}
