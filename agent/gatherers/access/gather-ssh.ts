import type { FactErrors } from '../../../rules/facts/facts.js'
import type { SshFacts, SshSession } from '../../../rules/facts/access.js'
import type { Host } from '../../host/host.js'
import { commandStdout } from '../evidence.js'
import type { AccessConfig } from './access-config.js'
import { pamStack, type PamConfig } from './gather-pam.js'
import { analysePamAuth, type PamAuthFactors } from './pam-factors.js'
import { needsPam, sshSession } from './ssh-session.js'
import { parseSshdT, sshCryptoOf, SshdSettings } from './sshd-effective-config.js'

export interface SshGathered {
  facts: SshFacts
  errors: FactErrors
  /** The first effective configuration read, for checks beyond the ssh rules (ports, PerSourcePenalties). */
  settings: SshdSettings | null
}

/**
 * The effective sshd configuration from `sshd -T` itself, once per (user, address): root
 * and one normal user, so that `Match User/Group/Address` blocks are applied as sshd
 * would (sshd(8), -C). When `sshd -T` cannot run, that is an error with sshd's own
 * message — never a guess from config files. No sshd binary at all: `installed: false`.
 */
export async function gatherSsh(host: Host, config: AccessConfig, pam: PamConfig, normalUser: string): Promise<SshGathered> {
  const contexts = config.sshAddresses.flatMap((address) => [
    { user: 'root', address },
    { user: normalUser, address },
  ])
  const runs = await Promise.all(
    contexts.map(async (context) => {
      const argv = [
        config.sshdPath,
        '-T',
        ...(config.sshdConfig ? ['-f', config.sshdConfig] : []),
        '-C',
        `user=${context.user},host=${context.address},addr=${context.address}`,
      ]
      return { context, argv, result: await host.run(argv, { timeoutMs: 10_000 }) }
    }),
  )

  if (runs.some(({ result }) => notInstalled(result))) {
    return { facts: { installed: false, root: [], users: [] }, errors: {}, settings: null }
  }

  const errors: FactErrors = {}
  const sshdStack = pamStack(pam, 'sshd', 'auth')
  const pamFactors: PamAuthFactors | null = 'lines' in sshdStack ? analysePamAuth(sshdStack.lines) : null
  const facts: SshFacts = { installed: true, root: [], users: [] }
  if (pamFactors) facts.secondFactor = pamFactors.secondFactor
  else errors['access.ssh.secondFactor'] = 'failed' in sshdStack ? sshdStack.failed : 'unknown'

  let first: SshdSettings | null = null
  const reasons: string[] = []
  for (const { context, argv, result } of runs) {
    const target = `${context.user}@${context.address}`
    const list = context.user === 'root' ? facts.root! : facts.users!
    const stdout = commandStdout(argv, result)
    const parsed = stdout.ok ? parseSshdT(stdout.value) : null
    if (!parsed) {
      const reason = stdout.ok ? `${argv.join(' ')} printed no configuration` : stdout.reason
      reasons.push(reason)
      list.push({ target, error: reason })
      continue
    }
    const settings = new SshdSettings(parsed)
    first ??= settings
    if (needsPam(settings) && !pamFactors) {
      list.push({ target, error: `keyboard-interactive goes through PAM, and sshd's PAM stack could not be read: ${errors['access.ssh.secondFactor']}` })
      continue
    }
    list.push(sshSession(settings, { ...context, pam: pamFactors }) satisfies SshSession)
  }
  if (first) facts.crypto = sshCryptoOf(first)
  else errors['access.ssh.crypto'] = [...new Set(reasons)].join('; ')
  return { facts, errors, settings: first }
}

/** The binary is missing (spawn ENOENT; a shell's 127 over SSH). */
function notInstalled(result: Awaited<ReturnType<Host['run']>>): boolean {
  if ('error' in result) return result.error === 'ENOENT'
  return result.exitCode === 127 && /not found|No such file/i.test(result.stderr)
}
