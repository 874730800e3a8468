import { failuresShownPerControl, formatScore, verdictLabels, type EvidenceReport } from './evidence-report.js'
import type { ControlResult } from './evidence-model.js'

/**
 * report.html: one self-contained, printable page. No script, no external resource (the
 * CSP in the page forbids both), every value escaped: hostnames, targets and messages come
 * from the nodes and are untrusted text.
 */
export function renderReportHtml(report: EvidenceReport): string {
  const r = report
  const automated = r.controls.filter((c) => c.automated)
  const manual = r.controls.filter((c) => !c.automated)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.framework.name)} evidence, ${esc(day(r.window.from))} to ${esc(day(r.window.to))}</title>
<style>${css}</style>
</head>
<body>
<header>
<h1>${esc(r.framework.name)} ${esc(r.framework.version)}: compliance evidence</h1>
<p class="sub">Window ${esc(r.window.from)} to ${esc(r.window.to)} (scans finished in [from, to))${labelText(r.labels)}</p>
${r.retentionNote ? `<p class="note retention"><strong>Incomplete window:</strong> ${esc(r.retentionNote)}</p>` : ''}
<table class="meta">
<tr><th>Exported by</th><td>${esc(r.exportedBy)}</td><th>Exported at</th><td>${esc(r.exportedAt)}</td></tr>
<tr><th>Collector</th><td>Posture ${esc(r.collectorVersion)}</td><th>Rules versions</th><td>${r.rulesVersions.map(esc).join('<br>') || '—'}</td></tr>
<tr><th>Signing key</th><td colspan="3"><code>${esc(r.signingKeyFingerprint)}</code> (Ed25519; check with <code>posture verify evidence.zip --key collector.pub</code>)</td></tr>
</table>
</header>

<section>
<h2>Summary</h2>
<table class="summary">
<tr><th>Nodes</th><td>${r.summary.nodes}</td><th>Scans</th><td>${r.summary.scans}</td><th>Findings</th><td>${r.summary.findings}</td></tr>
<tr><th>Score with waivers</th><td>${formatScore(r.summary.scoreWithWaivers)}</td><th>Score without waivers</th><td>${formatScore(r.summary.scoreWithoutWaivers)}</td><th>Waivers</th><td>${r.waivers.length}</td></tr>
<tr><th>Controls</th><td>${r.summary.controlsTotal}</td><th>Checked automatically</th><td>${r.summary.controlsAutomated}</td><th>Passing / failing</th><td>${r.summary.controlsPassing} / ${r.summary.controlsFailing}</td></tr>
<tr><th>Checks</th><td colspan="5">${Object.entries(r.summary.checks).map(([s, n]) => `${esc(s)} ${n}`).join(' · ')}</td></tr>
</table>
<p class="note">Scores are each node's score at the end of the window (100 × Σweight(pass) / Σweight(pass + fail); weights critical 10, high 5, medium 3, low 1), averaged over nodes; "without waivers" counts waived findings as what they were.</p>
</section>

<section>
<h2>Controls checked automatically (${automated.length})</h2>
<table class="controls">
<thead><tr><th>Control</th><th>Result</th><th>Nodes pass / fail / waived / error</th><th>Score (without waivers)</th><th>Failing since</th><th>Open / overdue</th><th>Rules</th></tr></thead>
<tbody>
${automated.map(controlRow).join('\n')}
</tbody>
</table>
</section>

<section>
<h2>Failures by control</h2>
${automated.filter((c) => c.failures.length > 0).map(failureTable).join('\n') || '<p>No failures in the window.</p>'}
</section>

<section>
<h2>Controls that need manual evidence (${manual.length})</h2>
<table class="manual">
<thead><tr><th>Control</th><th>Title</th><th>Evidence attached</th></tr></thead>
<tbody>
${manual.map((c) => `<tr><td>${esc(c.control)}</td><td>${esc(c.title)}</td><td>${c.manualEvidence > 0 ? `${c.manualEvidence} file(s)` : '<span class="missing">none</span>'}</td></tr>`).join('\n')}
</tbody>
</table>
${r.manualEvidence.length > 0 ? `<h3>Attached evidence</h3><table><thead><tr><th>Control</th><th>File</th><th>SHA-256</th><th>Note</th><th>Added</th></tr></thead><tbody>${r.manualEvidence.map((m) => `<tr><td>${esc(m.control)}</td><td>${esc(m.fileName)}</td><td><code>${esc(m.sha256.slice(0, 16))}…</code></td><td>${esc(m.note)}</td><td>${esc(m.addedBy)}, ${esc(m.addedAt)}</td></tr>`).join('')}</tbody></table>` : ''}
</section>

<section>
<h2>Waivers (${r.waivers.length})</h2>
${r.waivers.length === 0 ? '<p>No waivers were in force during the window.</p>' : `<table><thead><tr><th>Waiver</th><th>Scope</th><th>Justification</th><th>Approver</th><th>Created</th><th>Expires</th><th>Findings waived</th></tr></thead><tbody>
${r.waivers.map((w) => `<tr${w.expiredInWindow ? ' class="expired"' : ''}><td>${esc(w.id)}</td><td>${esc(w.rule)} on ${w.node ? `node ${esc(w.node)}` : w.labels ? esc(labelList(w.labels)) : 'all nodes'}${w.target ? `, target ${esc(w.target)}` : ''}</td><td>${esc(w.justification)}</td><td>${esc(w.approver)}</td><td>${w.created === null ? 'unknown (removed since)' : esc(w.created)}</td><td>${esc(w.expires)}${w.expiredInWindow ? ' <strong>(expired)</strong>' : ''}</td><td>${w.findingsWaived}</td></tr>`).join('\n')}
</tbody></table>`}
</section>

<section>
<h2>Audit log</h2>
<p>${r.audit.entries} audit-log row(s) in the window${r.audit.firstSeq !== null ? ` (rows ${r.audit.firstSeq}–${r.audit.lastSeq})` : ''}, with their hash-chain links, in <code>audit-log.jsonl</code>.
Whole chain at export: ${r.audit.chainAtExport.ok ? `<strong>intact</strong> (${r.audit.chainAtExport.rows} rows)` : `<strong class="bad">broken at row ${r.audit.chainAtExport.seq}</strong> (${esc(r.audit.chainAtExport.reason)})`}.</p>
</section>

<footer>
<p>${esc(r.framework.name)} catalogue: ${esc(r.framework.source)} (${r.framework.scope === 'curated' ? 'a documented subset' : 'complete'}). ${esc(r.framework.licence)}</p>
<p>Every file of this archive is listed with its SHA-256 in <code>manifest.json</code>, signed in <code>manifest.sig</code> by the key above.</p>
</footer>
</body>
</html>
`
}

function controlRow(c: ControlResult): string {
  return `<tr class="v-${c.verdict}"><td><strong>${esc(c.control)}</strong><br><span class="title">${esc(c.title)}</span></td><td class="verdict">${esc(verdictLabels[c.verdict])}</td><td>${c.nodesPassing} / ${c.nodesFailing} / ${c.nodesWaived} / ${c.nodesError}</td><td>${formatScore(c.scoreWithWaivers)} (${formatScore(c.scoreWithoutWaivers)})</td><td>${esc(day(c.failingSince))}</td><td>${c.openFailures} / ${c.overdueFailures}</td><td class="rules">${c.rules.map(esc).join('<br>')}</td></tr>`
}

function failureTable(c: ControlResult): string {
  const shown = c.failures.slice(0, failuresShownPerControl)
  const more = c.failures.length - shown.length
  return `<h3>${esc(c.control)} ${esc(c.title)}</h3>
<table class="failures"><thead><tr><th>Node</th><th>Rule</th><th>Target</th><th>Severity</th><th>Now</th><th>Failing since</th><th>SLA due</th><th>Remediation</th></tr></thead><tbody>
${shown.map((f) => `<tr><td>${esc(f.hostname)}</td><td>${esc(f.rule)}</td><td>${esc(f.target)}</td><td>${esc(f.severity)}</td><td>${esc(f.status)}</td><td>${esc(day(f.failingSince))}${f.failingBeforeWindow ? ' (before window)' : ''}</td><td>${esc(day(f.slaDue))}</td><td class="rem-${esc(f.remediation)}">${esc(f.remediation)}${f.waiver ? ` (${esc(f.waiver.id)}, approved by ${esc(f.waiver.approver)}, until ${esc(day(f.waiver.expires))})` : ''}${f.expiredWaiver ? ` (waiver ${esc(f.expiredWaiver.id)} expired ${esc(day(f.expiredWaiver.expired))})` : ''}</td></tr>`).join('\n')}
</tbody></table>${more > 0 ? `<p class="note">${more} more in control-failures.csv.</p>` : ''}`
}

function labelText(labels: Record<string, string>): string {
  return Object.keys(labels).length === 0 ? '' : `; nodes labelled ${esc(labelList(labels))}`
}

function labelList(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ')
}

function day(iso: string | null): string {
  return iso === null ? '—' : iso.slice(0, 10)
}

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const css = `
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; } h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
.sub { color: #57606a; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border: 1px solid #d0d7de; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
table.meta th, table.summary th { width: 11rem; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.title { color: #57606a; font-size: 12px; } .rules { font: 11px ui-monospace, monospace; }
.v-pass .verdict { color: #1a7f37; font-weight: 600; } .v-fail .verdict, .bad { color: #cf222e; font-weight: 600; }
.v-waived .verdict { color: #9a6700; font-weight: 600; } .v-error .verdict, .v-no-data .verdict { color: #6e7781; font-weight: 600; }
.rem-overdue, .rem-expired-waiver { color: #cf222e; font-weight: 600; } .rem-waived { color: #9a6700; } .rem-resolved { color: #1a7f37; }
tr.expired td { background: #fff1e5; } .missing { color: #cf222e; }
.note { color: #57606a; font-size: 12px; }
footer { margin-top: 2rem; color: #57606a; font-size: 12px; }
@media print { body { margin: 0; max-width: none; font-size: 10px; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
`
