/**
 * The files of an evidence archive (`posture.evidence/v1`), one place for their names and
 * what each holds, so the exporter, the verifier and the report agree.
 */
export const auditLogName = 'audit-log.jsonl'

export const evidenceFiles = {
  controlsJson: { path: 'controls.json', description: 'Per-control results for the window: rules, nodes evaluated, passes, failures, failingSince, remediation status, SLA, scores with and without waivers' },
  controlsCsv: { path: 'controls.csv', description: 'The per-control results as CSV, one row a control' },
  failuresCsv: { path: 'control-failures.csv', description: 'Every (control, node, rule, target) that failed in the window, with failingSince, SLA due date and remediation status' },
  scans: { path: 'scans.csv', description: 'Every scan in the window: id, node, time, rules version, score with and without waivers' },
  findings: { path: 'findings.jsonl', description: 'Every finding of every scan in the window with its evidence (facts excerpt), one JSON object a line' },
  methods: { path: 'methods.json', description: 'How each rule checks: its CEL check, the facts it reads, its gatherer, and the commands run, files read and probes made by each gatherer in the scans of the window' },
  waivers: { path: 'waivers.json', description: 'Waivers in force during the window, with scope, justification, approver, created and expiry; expired ones flagged' },
  manualIndex: { path: 'manual-evidence/index.json', description: 'Manual evidence attached to controls: file, note, who attached it and when' },
  audit: { path: auditLogName, description: 'The audit-log rows of the window with their hash-chain links (prevHash, hash)' },
  html: { path: 'report.html', description: 'The report: self-contained, printable HTML' },
  pdf: { path: 'report.pdf', description: 'The report as PDF' },
  publicKey: { path: 'signing-key.pub.pem', description: "The collector's Ed25519 public key (for convenience: pin it from the collector itself)" },
} as const
