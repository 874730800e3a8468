import type { Command } from '../command.js'
import { agentCommand } from './agent.js'
import { collectorCommand } from './collector.js'
import { gatherCommand } from './gather.js'
import { rulesCommand } from './rules.js'
import { scanCommand } from './scan.js'
import { sshScanCommand } from './ssh-scan.js'
import { startCommand } from './start.js'
import { tlsCommand } from './tls.js'

/** Every `posture` subcommand, by name. Add a command with one line here. */
export const commands: ReadonlyMap<string, Command> = new Map(
  [scanCommand, gatherCommand, rulesCommand, startCommand, sshScanCommand, tlsCommand, collectorCommand, agentCommand].map((c) => [c.name, c]),
)
