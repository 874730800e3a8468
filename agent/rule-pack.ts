import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Domain } from '../rules/domains.js'
import { loadRuleSet, type RuleSet } from '../rules/load-rules.js'

/** Where an agent keeps the rule pack its collector pushed. */
export function agentRulesDir(stateDir: string): string {
  return join(stateDir, 'rules')
}

/** The rules an agent scans with, compiled for `domains` only (every file is still read and checked, and the version covers them all). */
export function loadAgentRules(stateDir: string, domains: readonly Domain[]): RuleSet {
  const dir = agentRulesDir(stateDir)
  return loadRuleSet({ ...(existsSync(dir) ? { userDirs: [dir] } : {}), domains })
}

/**
 * A pushed rule pack (digest already checked): written aside, loaded (which throws for a
 * bad file), and only then put in place of the previous pack. Returns the new version.
 */
export function installRulePack(stateDir: string, files: Readonly<Record<string, string>>): string {
  const dir = agentRulesDir(stateDir)
  const staging = `${dir}.new`
  try {
    rmSync(staging, { recursive: true, force: true })
    mkdirSync(staging, { recursive: true, mode: 0o700 })
    for (const [name, text] of Object.entries(files)) writeFileSync(join(staging, name), text, { mode: 0o600 })
    loadRuleSet({ userDirs: [staging] })
    rmSync(dir, { recursive: true, force: true })
    renameSync(staging, dir)
  } catch (err) {
    rmSync(staging, { recursive: true, force: true })
    throw err
  }
  // Reloaded from the final place so the version (which names the directory) is stable across restarts.
  return loadAgentRules(stateDir, []).version
}
