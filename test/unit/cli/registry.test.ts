import { describe, expect, it } from 'vitest'
import { commands } from '../../../cli/commands/registry.js'

/**
 * The registry names each command and its summary without importing it (startup cost);
 * this checks that every lazy entry loads the command it names, with a help text for it.
 */
describe('command registry', () => {
  it('lists the public commands', () => {
    expect([...commands.keys()].sort()).toEqual(['agent', 'collector', 'domain', 'export', 'gather', 'rules', 'scan', 'ssh-scan', 'start', 'tls', 'verify', 'waiver'])
  })

  for (const entry of commands.values()) {
    it(`${entry.name}: loads a command of that name with a usage line and a one-line summary`, async () => {
      const command = await entry.load()
      expect(command.name).toBe(entry.name)
      expect(command.help.startsWith(`Usage: posture ${entry.name}`)).toBe(true)
      expect(entry.summary).toMatch(/^[^\n]{10,100}$/)
    })
  }
})
