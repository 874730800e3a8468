import { styleText } from 'node:util'
import { loadRuleSet } from '../../rules/load-rules.js'
import { PostureError } from '../../rules/posture-error.js'
import { runRuleTests } from '../../rules/rule-tests.js'
import { resolve } from 'node:path'
import type { Command, CliIO } from '../command.js'
import { parseCommandArgs } from '../parse-args.js'

export const rulesCommand: Command = {
  name: 'rules',
  help: `Usage: posture rules list [--json] [--rules DIR]...
       posture rules test [DIR]

  list        the catalogue: id, domain, severity, title, framework controls
              (with --rules DIR, including your own rules and overrides)
  test DIR    check a directory of rule files: they parse, their CEL compiles, every fact
              they read exists, and the test cases written beside each rule pass.
              Without DIR, tests the built-in catalogue.

Options:
  --json         print JSON
  --rules DIR    add a directory of rule files (repeatable)
  -h, --help     show this help

Exit codes: 0 all good, 2 a rule file is invalid or a test case fails.`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      'rules',
      args,
      { json: { type: 'boolean' }, rules: { type: 'string', multiple: true } },
      true,
    )
    const [sub, ...rest] = positionals
    if (values.help || sub === undefined) {
      io.stdout.write(this.help + '\n')
      return values.help ? 0 : 2
    }
    if (sub === 'list') return listRules(values.rules ?? [], values.json ?? false, io)
    if (sub === 'test') return testRules(rest, values.json ?? false, io)
    throw new PostureError('BAD_USAGE', `posture rules: unknown subcommand "${sub}" (list or test; see posture rules --help)`)
  },
}

function listRules(userDirs: string[], json: boolean, io: CliIO): number {
  const ruleSet = loadRuleSet({ userDirs })
  const rows = ruleSet.rules.map(({ spec }) => ({
    id: spec.id,
    domain: spec.domain,
    severity: spec.severity,
    title: spec.title,
    params: spec.params,
    controls: spec.controls,
  }))
  if (json) {
    io.stdout.write(JSON.stringify({ version: ruleSet.version, rules: rows }, null, 2) + '\n')
    return 0
  }
  const idWidth = Math.max(...rows.map((r) => r.id.length), 4)
  io.stdout.write(`Rules ${ruleSet.version}: ${rows.length} rules\n\n`)
  for (const r of rows.sort((a, b) => a.domain.localeCompare(b.domain) || a.id.localeCompare(b.id))) {
    const controls = Object.entries(r.controls).map(([fw, ids]) => `${fw} ${ids.join(' ')}`).join('; ')
    io.stdout.write(`${r.id.padEnd(idWidth)}  ${r.domain.padEnd(8)} ${r.severity.padEnd(8)} ${r.title}\n`)
    if (controls) io.stdout.write(`${' '.repeat(idWidth)}  ${io.color ? styleText('dim', controls) : controls}\n`)
  }
  return 0
}

function testRules(dirs: string[], json: boolean, io: CliIO): number {
  if (dirs.length > 1) throw new PostureError('BAD_USAGE', 'posture rules test: give one directory (see posture rules --help)')
  const dir = dirs[0]
  // User rules are compiled together with the built-in catalogue, so overrides resolve.
  const ruleSet = loadRuleSet({ userDirs: dir === undefined ? [] : [dir] })
  const userRoot = dir === undefined ? undefined : resolve(dir)
  const tested = ruleSet.rules.filter((r) => userRoot === undefined || resolve(r.source).startsWith(userRoot))
  const results = tested.flatMap((rule) => runRuleTests(rule))
  const untested = tested.filter((r) => r.spec.tests.length === 0).map((r) => r.spec.id)
  const failed = results.filter((r) => !r.passed)
  if (json) {
    io.stdout.write(JSON.stringify({ rules: tested.length, cases: results.length, failed, untested }, null, 2) + '\n')
  } else {
    for (const r of failed) {
      io.stdout.write(`FAIL ${r.rule} — ${r.name}: expected ${JSON.stringify(r.expected)}, got ${JSON.stringify(r.actual)}\n`)
      for (const f of r.findings) if (f.message) io.stdout.write(`     ${f.status} ${f.target}: ${f.message}\n`)
    }
    for (const id of untested) io.stdout.write(`WARN ${id}: no test cases (add a passing and a failing case under tests:)\n`)
    io.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed (${tested.length} rules)\n`)
  }
  if (failed.length > 0) throw new PostureError('RULE_TEST_FAILED', `${failed.length} rule test case(s) failed`)
  return 0
}
