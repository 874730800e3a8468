import { createHash, randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { gatherTlsEndpoints } from '../../agent/gatherers/tls/gather-tls.js'
import { parseTarget } from '../../agent/gatherers/tls/tls-target.js'
import { LocalHost } from '../../agent/host/local-host.js'
import { buildReport } from '../../agent/scan.js'
import { isStartTlsProtocol, startTlsDefaultPorts, startTlsProtocols } from '../../agent/tls/starttls.js'
import { loadRuleSet } from '../../rules/load-rules.js'
import { PostureError } from '../../rules/posture-error.js'
import type { Report } from '../../rules/report.js'
import { atLeast } from '../../rules/severity.js'
import type { Command } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'
import { parseSeverity, readCaFile } from '../options.js'
import { renderReport } from '../render-report.js'
import { renderTlsSummary } from '../render-tls.js'

export const tlsCommand: Command = {
  name: 'tls',
  help: `Usage: posture tls HOST[:PORT] [options]

Probes one TLS endpoint the way testssl.sh does — every protocol version from SSLv2 to
TLS 1.3 and every cipher suite the server accepts, found with our own ClientHello so that
SSLv3, RC4, 3DES and EXPORT show up whatever the local OpenSSL can do — then checks the
certificate, HSTS and security headers, grades it (SSL Labs rating guide 2009r: A+ … F,
T for trust, M for name mismatch) and evaluates the tls and http rules.

Options:
  --starttls PROTO     upgrade a plaintext connection first: ${startTlsProtocols.join(', ')}
                       (default port then: smtp 25, imap 143, pop3 110, ftp 21)
  --servername NAME    SNI name and the name the certificate must match (default: HOST)
  --ca FILE            a PEM file of private CAs to trust besides the public roots (repeatable)
  --http-port PORT     plain-HTTP port checked for the redirect to HTTPS (default 80; "none" to skip)
  --timeout DURATION   per connection, e.g. 500ms or 5s (default 5s)
  --rules DIR          add a directory of rule files (repeatable); they may override params
  --json               print the posture.report/v1 JSON document (tls and http domains)
  --fail-on SEVERITY   exit 1 when a failure at or above SEVERITY exists
  -h, --help           show this help

Exit codes: 0 done, 1 failures at or above --fail-on, 2 bad usage or input,
3 could not probe (connection refused, timeout, name does not resolve, not TLS).

Examples:
  posture tls example.com
  posture tls 203.0.113.7:443 --servername www.example.com
  posture tls mail.example.com --starttls smtp --json
  posture tls 10.0.0.5:8443 --ca /etc/ssl/internal-ca.pem --fail-on high`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'tls',
      args,
      {
        starttls: { type: 'string' },
        servername: { type: 'string' },
        ca: { type: 'string', multiple: true },
        'http-port': { type: 'string' },
        timeout: { type: 'string' },
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
    if (positionals.length !== 1) throw new PostureError('BAD_USAGE', `expected one HOST[:PORT], got ${positionals.length} (see posture tls --help)`)
    const starttls = values.starttls
    if (starttls !== undefined && !isStartTlsProtocol(starttls)) {
      throw new PostureError('BAD_USAGE', `--starttls: unknown protocol "${starttls}" (one of ${startTlsProtocols.join(', ')})`)
    }
    const target = parseTarget(positionals[0]!, starttls ? startTlsDefaultPorts[starttls] : 443)
    if ('error' in target) throw new PostureError('BAD_USAGE', `${target.error}`)
    const failOn = parseSeverity(values['fail-on'], '--fail-on')
    const timeoutMs = parseDuration(values.timeout)
    const httpPort = parseHttpPort(values['http-port'])
    const caPems = (values.ca ?? []).map((file) => readCaFile(resolve(io.cwd, file)))

    const startedAt = new Date()
    const probing = gatherTlsEndpoints(
      new LocalHost(),
      [{ host: target.host, port: target.port, ...(values.servername ? { servername: values.servername } : {}), starttls: starttls ?? null, httpPort, discovered: false }],
      { caPems, timeoutMs, connectionsPerEndpoint: 8, endpointsAtOnce: 1, now: startedAt },
    )
    // Compile the rules while the first hellos are on the wire (loading is synchronous CPU work).
    let ruleSet
    try {
      ruleSet = loadRuleSet({ userDirs: values.rules ?? [], domains: ['tls', 'http'] })
    } catch (err) {
      // The bad rule file is what the user must fix first; the probe's outcome is moot.
      await probing.catch(() => undefined)
      throw err
    }
    const gathered = await probing
    const endpoint = gathered.endpoints[0]
    if (!endpoint) throw new PostureError('INTERNAL', 'posture tls: the probe returned no endpoint')
    if (endpoint.error !== undefined) throw new PostureError('CONNECT_FAILED', endpoint.error)

    // Only the rules that read what this command gathers: an http rule about, say, DNS
    // facts would be an error here, not a finding about this endpoint.
    const endpointRules = { ...ruleSet, rules: ruleSet.rules.filter((r) => r.factPaths.every((path) => path[0] === 'tls' || path[0] === 'http')) }
    const report: Report = buildReport(
      { facts: { tls: { endpoints: gathered.endpoints }, http: { sites: gathered.sites, redirects: gathered.redirects } }, factErrors: {} },
      { ruleSet: endpointRules, domains: ['tls', 'http'], now: startedAt, scanId: randomUUID(), source: `posture tls ${endpoint.target}`, startedAt, finishedAt: new Date() },
    )
    // The report is about the endpoint, not about the machine that probed it.
    report.node = { id: createHash('sha256').update(`posture-tls:${endpoint.target}`).digest('hex').slice(0, 16), hostname: endpoint.target, os: null, kernel: null, arch: null }

    if (values.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n')
    else io.stdout.write(renderTlsSummary(report, { color: io.color }) + '\n' + renderReport(report, { color: io.color }))
    if (failOn && report.findings.some((f) => f.status === 'fail' && atLeast(f.severity, failOn))) return 1
    return 0
  },
}

/** `500ms`, `5s`, `2000` (milliseconds). */
export function parseDuration(value: string | undefined): number {
  if (value === undefined) return 5_000
  const match = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim())
  const ms = match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : Number.NaN
  if (!Number.isFinite(ms) || ms < 100 || ms > 120_000) throw new PostureError('BAD_USAGE', `--timeout: "${value}" is not a duration between 100ms and 120s (e.g. 500ms, 5s)`)
  return Math.round(ms)
}

function parseHttpPort(value: string | undefined): number | null {
  if (value === undefined) return 80
  if (value === 'none') return null
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new PostureError('BAD_USAGE', `--http-port: "${value}" is not a port (1–65535) or "none"`)
  return Number(value)
}
