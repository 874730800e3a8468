import type { Host } from './host/host.js'
import { applyCollectorView } from './collector-view.js'
import { installRulePack, loadAgentRules } from './rule-pack.js'
import type { ScanConfig } from './scan-config.js'
import type { ScanJob, ScanOutcome, ScanRunner } from './scan-runner.js'
import { scanHost } from './scan.js'

export interface InProcessScanRunnerOptions {
  stateDir: string
  host: Host
  scanConfig: ScanConfig
  clock?: () => Date
}

/**
 * Scans in the calling process: what the scan child runs, and what tests (snapshot hosts)
 * and `posture start` (the agent inside the collector's process) use directly. Rules are
 * compiled per scan for the scanned domains and dropped after.
 */
export class InProcessScanRunner implements ScanRunner {
  readonly #o: InProcessScanRunnerOptions

  constructor(options: InProcessScanRunnerOptions) {
    this.#o = options
  }

  async rulesVersion(): Promise<string> {
    return loadAgentRules(this.#o.stateDir, []).version
  }

  async scan(job: ScanJob): Promise<ScanOutcome> {
    const config = applyCollectorView(this.#o.scanConfig, job.view)
    const report = await scanHost(this.#o.host, {
      ruleSet: loadAgentRules(this.#o.stateDir, job.domains),
      domains: job.domains,
      config,
      ...(this.#o.clock ? { clock: this.#o.clock } : {}),
      scanId: job.scanId,
      labels: { ...job.view.labels },
    })
    const { schema: _schema, ...fields } = report
    return { fieldsJson: JSON.stringify(fields), score: report.score.score, grade: report.score.grade }
  }

  async applyRules(files: Readonly<Record<string, string>>): Promise<string> {
    return installRulePack(this.#o.stateDir, files)
  }

  async stop(): Promise<void> {}
}
