import type { Command } from '../command.js'
import { scanCommand } from './scan.js'

/**
 * `npm start`. Until the collector lands (issue 8) this runs a local scan and prints the
 * report; the collector issue turns it into "collector + local agent + dashboard URL".
 */
export const startCommand: Command = {
  name: 'start',
  summary: 'what `npm start` runs: a local scan (the collector and agent come with issue 8)',
  help: `Usage: posture start

Scans this machine and prints its posture report (same as 'posture scan').`,
  async run(args, io) {
    return scanCommand.run(args, io)
  },
}
