import type { Command } from '../command.js'
import { agentCommand } from './agent.js'
import { collectorCommand } from './collector.js'
import { domainCommand } from './domain.js'
import { exportCommand } from './export.js'
import { gatherCommand } from './gather.js'
import { rulesCommand } from './rules.js'
import { scanCommand } from './scan.js'
import { sshScanCommand } from './ssh-scan.js'
import { startCommand } from './start.js'
import { tlsCommand } from './tls.js'
import { verifyCommand } from './verify.js'
import { waiverCommand } from './waiver.js'

/** Every `posture` subcommand, by name. Add a command with one line here. */
export const commands: ReadonlyMap<string, Command> = new Map(
  [scanCommand, gatherCommand, rulesCommand, startCommand, sshScanCommand, tlsCommand, collectorCommand, agentCommand, domainCommand, exportCommand, verifyCommand, waiverCommand].map((c) => [c.name, c]),
)
