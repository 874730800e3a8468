import type { Command } from '../command.js'

/**
 * Every `posture` subcommand, by name, with its one-line summary for `posture --help`.
 * A command's module is imported only when it runs: importing all of them (the collector,
 * the dashboard, PDF and zip writers…) cost ~2 s before `posture tls` sent its first byte.
 * Add a command with one line here; test/unit/cli/registry.test.ts checks the names agree.
 */
export interface CommandEntry {
  name: string
  summary: string
  load(): Promise<Command>
}

const entries: CommandEntry[] = [
  { name: 'scan', summary: 'scan this machine (or a snapshot) and print its posture report', load: async () => (await import('./scan.js')).scanCommand },
  { name: 'gather', summary: 'record everything a scan reads into a snapshot file', load: async () => (await import('./gather.js')).gatherCommand },
  { name: 'rules', summary: 'list the rule catalogue, or test rule files', load: async () => (await import('./rules.js')).rulesCommand },
  { name: 'start', summary: 'what `npm start` runs: a local collector, an agent for this machine, the dashboard URL', load: async () => (await import('./start.js')).startCommand },
  { name: 'ssh-scan', summary: 'scan one host over SSH, without an agent, and print its posture report', load: async () => (await import('./ssh-scan.js')).sshScanCommand },
  { name: 'tls', summary: 'probe one TLS endpoint: protocols, cipher suites, certificate, HSTS, grade', load: async () => (await import('./tls.js')).tlsCommand },
  { name: 'collector', summary: 'run the collector (agents stream to it; SQLite history; JSON API), or administer it', load: async () => (await import('./collector.js')).collectorCommand },
  { name: 'agent', summary: 'run the agent: scan on a schedule and stream reports to the collector', load: async () => (await import('./agent.js')).agentCommand },
  { name: 'domain', summary: 'check one domain: SPF, DKIM, DMARC, MTA-STS, TLS-RPT, MX STARTTLS, CAA, security.txt', load: async () => (await import('./domain.js')).domainCommand },
  { name: 'export', summary: 'write signed compliance evidence for a framework and time window (zip)', load: async () => (await import('./export.js')).exportCommand },
  { name: 'verify', summary: 'check an evidence archive offline: every file hash and the signature', load: async () => (await import('./verify.js')).verifyCommand },
  { name: 'waiver', summary: 'add, list or remove waivers (accepted exceptions with justification and expiry)', load: async () => (await import('./waiver.js')).waiverCommand },
]

export const commands: ReadonlyMap<string, CommandEntry> = new Map(entries.map((e) => [e.name, e]))
