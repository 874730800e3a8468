import type { HwRaidFacts } from '../../../rules/facts/storage.js'
import type { CommandResult, Host } from '../../host/host.js'
import { missing, ok, type Evidence } from '../evidence.js'
import { firstLine, parseJsonOutput } from './command-output.js'
import { parseStorcliControllers, parseStorcliOverview } from './storcli.js'

/**
 * Where Broadcom's and Dell's tools live: on PATH when packaged, else the vendor RPM/DEB's
 * own directory. perccli is storcli rebranded and reads the same controllers, so the first
 * tool that answers is used.
 */
export const hwRaidTools = [
  'storcli64',
  'storcli',
  '/opt/MegaRAID/storcli/storcli64',
  'perccli64',
  'perccli',
  '/opt/MegaRAID/perccli/perccli64',
] as const

const megaraidDriver = '/sys/bus/pci/drivers/megaraid_sas'

/**
 * MegaRAID / PERC controllers through storcli or perccli. Absence rules (documented in the
 * rule's na_message): no tool and no controller bound to the megaraid_sas driver → nothing
 * to check; a controller without the tool, a failing tool, or a command whose own status
 * is `Failure` → error.
 */
export async function gatherHwRaid(host: Host): Promise<Evidence<HwRaidFacts>> {
  const found = await findTool(host)
  if (!found) return noTool(host)
  const { tool, result: overviewResult } = found
  if ('error' in overviewResult) return missing(overviewResult.message)
  const overview = parseStorcliOverview(parseJsonOutput(overviewResult.stdout))
  if (!overview) return missing(`${tool} show J exited ${overviewResult.exitCode} without its JSON report: ${firstLine(overviewResult.stderr || overviewResult.stdout)}`)
  if (overview.failure) return missing(`${tool} show J: ${overview.failure}`)
  if (overview.controllers === 0) return ok({ absence: `${tool} finds no controller`, tool, controllers: [] })
  if (overview.raidControllers === 0 && overview.hbas > 0) {
    return ok({ absence: `${tool} finds only HBAs in IT mode (${overview.hbas}), which hold no RAID volumes`, tool, controllers: [] })
  }

  const argv = [tool, '/call', 'show', 'all', 'J']
  const result = await host.run(argv, { timeoutMs: 60_000 })
  if ('error' in result) return missing(result.message)
  const controllers = parseStorcliControllers(parseJsonOutput(result.stdout))
  if (!controllers) return missing(`${argv.join(' ')} exited ${result.exitCode} without its JSON report: ${firstLine(result.stderr || result.stdout)}`)
  if (controllers.length === 0) return missing(`${argv.join(' ')} listed no controller although ${tool} show J counts ${overview.controllers ?? 'some'}`)
  return ok({ absence: null, tool, controllers })
}

/** The first tool that runs, with its `show J` answer (ENOENT: try the next name). */
async function findTool(host: Host): Promise<{ tool: string; result: CommandResult } | null> {
  for (const tool of hwRaidTools) {
    const result = await host.run([tool, 'show', 'J'], { timeoutMs: 30_000 })
    if (!('error' in result && result.error === 'ENOENT')) return { tool, result }
  }
  return null
}

/** No tool: fine when no controller is there; an error when the megaraid_sas driver has one bound. */
async function noTool(host: Host): Promise<Evidence<HwRaidFacts>> {
  const bound = await host.listDir(megaraidDriver)
  const devices = 'entries' in bound ? bound.entries.filter((e) => /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d$/.test(e)) : []
  if (devices.length > 0) {
    return missing(`a MegaRAID/PERC controller is present (megaraid_sas driver bound to ${devices.join(', ')}) but neither storcli nor perccli is installed, so its arrays cannot be checked`)
  }
  return ok({ absence: 'no hardware RAID: neither storcli nor perccli is installed, and no controller is bound to the megaraid_sas driver', tool: null, controllers: [] })
}
