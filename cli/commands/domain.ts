import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { z } from 'zod'
import { parseDuration } from '../../agent/agent-duration.js'
import { checkDomains } from '../../agent/gatherers/dns/check-domains.js'
import { dnsConfigSchema } from '../../agent/gatherers/dns/dns-config.js'
import { domainIdentity, domainReportFacts } from '../../agent/gatherers/dns/domain-report.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { buildReport } from '../../agent/scan.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { PostureError } from '../../rules/posture-error.js'
import { atLeast } from '../../rules/severity.js'
import type { Command } from '../command.js'
import { parseSeverity, readCaFile } from '../options.js'
import { parseCommandArgs } from '../parse-args.js'
import { renderReport } from '../render-report.js'

export const domainCommand: Command = {
  name: 'domain',
  help: `Usage: posture domain NAME [options]

Checks one domain from where the command runs, as a mail server or researcher elsewhere
on the internet would see it: SPF (one record, -all or ~all, at most 10 lookups), DKIM keys
for the given selectors, DMARC (p=quarantine or reject on all mail, with reports),
MTA-STS (record, policy in enforce mode covering every MX host), TLS-RPT, STARTTLS with
a valid certificate on each MX host (port 25), CAA, and security.txt (RFC 9116).
Evaluates the dns rules and http.security-txt.valid.

Options:
  --resolver HOST:PORT     DNS server to ask, an IP address (default: the system's resolvers)
  --dkim-selector S        a DKIM selector in use (repeatable): S._domainkey.NAME is checked;
                           DNS cannot list selectors, so without one DKIM is not applicable
  --allowed-ca DOMAIN      a CA that CAA may name (repeatable), e.g. letsencrypt.org
  --connect HOST:PORT=ADDR:PORT
                           connect to ADDR:PORT whenever HOST:PORT is needed (repeatable),
                           like curl --connect-to; the name still goes into SNI, Host and
                           the certificate check (split DNS, staging servers, tests)
  --ca FILE                a PEM file of private CAs to trust besides the public roots (repeatable)
  --timeout DURATION       per DNS try (default 3s)
  --connect-timeout DURATION
                           per SMTP or HTTPS connection (default 10s)
  --rules DIR              add a directory of rule files (repeatable); they may override params
  --json                   print the posture.report/v1 JSON document
  --fail-on SEVERITY       exit 1 when a failure at or above SEVERITY exists
  -h, --help               show this help

Exit codes: 0 done, 1 failures at or above --fail-on, 2 bad usage or input,
3 the resolver could not be reached at all.

Scheduled checks of many domains: list them in the scan config (dns: { domains: [...] }),
see 'posture scan --help'.

Examples:
  posture domain example.com --dkim-selector google --dkim-selector s1
  posture domain example.com --resolver 9.9.9.9 --allowed-ca letsencrypt.org --json
  posture domain example.com --connect mx1.example.com:25=192.0.2.25:25 --fail-on high`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'domain',
      args,
      {
        resolver: { type: 'string' },
        'dkim-selector': { type: 'string', multiple: true },
        'allowed-ca': { type: 'string', multiple: true },
        connect: { type: 'string', multiple: true },
        ca: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'connect-timeout': { type: 'string' },
        rules: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        'fail-on': { type: 'string' },
      },
      true,
    )
    if (values.help) {
      io.stdout.write(this.help + '\n')
      return 0
    }
    if (positionals.length !== 1) throw new PostureError('BAD_USAGE', `expected one domain NAME, got ${positionals.length} (see posture domain --help)`)
    const failOn = parseSeverity(values['fail-on'], '--fail-on')
    const connect: Record<string, string> = {}
    for (const spec of values.connect ?? []) {
      const [from, to, ...rest] = spec.split('=')
      if (!from || !to || rest.length > 0) throw new PostureError('BAD_USAGE', `--connect: "${spec}" is not HOST:PORT=ADDR:PORT`)
      connect[from] = to
    }
    const parsed = dnsConfigSchema.safeParse({
      domains: [{ name: positionals[0], dkimSelectors: values['dkim-selector'] ?? [], allowedCas: values['allowed-ca'] ?? [] }],
      resolver: values.resolver ?? null,
      connect,
      ...(values.timeout !== undefined ? { timeoutMs: parseDuration(values.timeout, '--timeout') } : {}),
      ...(values['connect-timeout'] !== undefined ? { connectTimeoutMs: parseDuration(values['connect-timeout'], '--connect-timeout') } : {}),
    })
    if (!parsed.success) throw new PostureError('BAD_USAGE', usageError(parsed.error))
    const { domains, ...dns } = parsed.data
    const domain = domains[0]!
    const caPems = (values.ca ?? []).map((file) => readCaFile(resolve(io.cwd, file)))
    const loaded = loadRuleSet({ userDirs: values.rules ?? [] })
    // The rules about domains: those reading dns facts (the dns domain and http.security-txt.valid).
    const ruleSet = { ...loaded, rules: loaded.rules.filter((r) => r.factPaths.some((path) => path[0] === 'dns')) }

    const startedAt = new Date()
    const checked = await checkDomains(new LocalHost(), { domains: [domain], dns, caPems, connectionsPerEndpoint: 8, now: startedAt })
    const { resolver } = checked
    if (resolver.answered === 0 && resolver.unreachable > 0) {
      throw new PostureError('CONNECT_FAILED', `the resolver (${resolver.label}) could not be reached: ${resolver.firstFailure ?? 'no answer'}`)
    }
    const report = buildReport(
      { facts: domainReportFacts(checked.facts), factErrors: {} },
      { ruleSet, domains: ['dns', 'http'], now: startedAt, scanId: randomUUID(), source: `posture domain ${domain.name} via ${resolver.label}`, startedAt, finishedAt: new Date() },
    )
    // The report is about the domain, not about the machine that checked it.
    report.node = domainIdentity(domain.name)

    io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report, { color: io.color }))
    if (failOn && report.findings.some((f) => f.status === 'fail' && atLeast(f.severity, failOn))) return 1
    return 0
  },
}

/** The first problem, named by its option. */
function usageError(error: z.ZodError): string {
  const issue = error.issues[0]!
  const path = issue.path.map(String)
  const option: Record<string, string> = { domains: 'NAME', resolver: '--resolver', connect: '--connect', timeoutMs: '--timeout', connectTimeoutMs: '--connect-timeout' }
  let name = option[path[0] ?? ''] ?? path.join('.')
  if (path[0] === 'domains' && path[2] === 'dkimSelectors') name = '--dkim-selector'
  if (path[0] === 'domains' && path[2] === 'allowedCas') name = '--allowed-ca'
  return `${name}: ${issue.message}`
}
