import PDFDocument from 'pdfkit'
import { failuresShownPerControl, formatScore, verdictLabels, type EvidenceReport } from './evidence-report.js'

/**
 * report.pdf, drawn server-side with pdfkit (standard PDF fonts, nothing fetched): the same
 * content as report.html in a printable A4 layout. Returns the document as a stream; it is
 * written into the archive as it is produced.
 */
type Doc = InstanceType<typeof PDFDocument>

interface Column {
  title: string
  width: number
}

const margin = 40
const colors = { text: '#1b1f24', muted: '#57606a', pass: '#1a7f37', fail: '#cf222e', waived: '#9a6700', rule: '#d0d7de' }

export function renderReportPdf(report: EvidenceReport, createdAt: Date): Doc {
  const r = report
  const doc = new PDFDocument({
    size: 'A4',
    margin,
    bufferPages: false,
    info: { Title: `${r.framework.name} evidence ${r.window.from} to ${r.window.to}`, Author: r.exportedBy, Creator: `Posture ${r.collectorVersion}`, CreationDate: createdAt },
  })
  doc.font('Helvetica').fillColor(colors.text)

  doc.fontSize(18).font('Helvetica-Bold').text(`${r.framework.name} ${r.framework.version}: compliance evidence`)
  doc.moveDown(0.3).fontSize(10).font('Helvetica').fillColor(colors.muted)
  doc.text(`Window ${r.window.from} to ${r.window.to} (scans finished in [from, to))${Object.keys(r.labels).length ? `; nodes labelled ${Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`)
  doc.text(`Exported by ${r.exportedBy} at ${r.exportedAt}; Posture ${r.collectorVersion}; rules ${r.rulesVersions.join(', ') || '-'}`)
  doc.text(`Signing key (Ed25519): ${r.signingKeyFingerprint}`)
  doc.fillColor(colors.text)

  heading(doc, 'Summary')
  const s = r.summary
  doc.fontSize(10).font('Helvetica')
  doc.text(`Nodes ${s.nodes}   Scans ${s.scans}   Findings ${s.findings}   Waivers ${r.waivers.length}`)
  doc.text(`Score with waivers ${formatScore(s.scoreWithWaivers)}   without waivers ${formatScore(s.scoreWithoutWaivers)}`)
  doc.text(`Controls ${s.controlsTotal}: ${s.controlsAutomated} checked automatically (${s.controlsPassing} passing, ${s.controlsFailing} failing), ${s.controlsTotal - s.controlsAutomated} need manual evidence`)
  doc.text(`Checks: ${Object.entries(s.checks).map(([k, v]) => `${k} ${v}`).join(', ')}`)

  heading(doc, 'Controls checked automatically')
  const columns: Column[] = [
    { title: 'Control', width: 175 },
    { title: 'Result', width: 70 },
    { title: 'Nodes P/F/W/E', width: 85 },
    { title: 'Score (w/o waivers)', width: 85 },
    { title: 'Failing since', width: 60 },
    { title: 'Open/overdue', width: 40 },
  ]
  table(doc, columns, r.controls.filter((c) => c.automated).map((c) => ({
    cells: [`${c.control} ${c.title}`, verdictLabels[c.verdict], `${c.nodesPassing}/${c.nodesFailing}/${c.nodesWaived}/${c.nodesError}`, `${formatScore(c.scoreWithWaivers)} (${formatScore(c.scoreWithoutWaivers)})`, day(c.failingSince), `${c.openFailures}/${c.overdueFailures}`],
    color: c.verdict === 'pass' ? colors.pass : c.verdict === 'fail' ? colors.fail : c.verdict === 'waived' ? colors.waived : colors.muted,
  })))

  const failing = r.controls.filter((c) => c.automated && c.failures.length > 0)
  if (failing.length > 0) {
    heading(doc, 'Failures by control')
    for (const c of failing) {
      subheading(doc, `${c.control} ${c.title}`)
      const shown = c.failures.slice(0, failuresShownPerControl)
      table(doc, [
        { title: 'Node', width: 95 }, { title: 'Rule / target', width: 170 }, { title: 'Status', width: 45 },
        { title: 'Failing since', width: 60 }, { title: 'SLA due', width: 60 }, { title: 'Remediation', width: 85 },
      ], shown.map((f) => ({
        cells: [f.hostname, `${f.rule}${f.target ? ` (${f.target})` : ''}`, f.status, day(f.failingSince), day(f.slaDue), `${f.remediation}${f.waiver ? ` ${f.waiver.id}` : ''}${f.expiredWaiver ? ` ${f.expiredWaiver.id}` : ''}`],
        color: f.remediation === 'resolved' ? colors.pass : f.remediation === 'waived' ? colors.waived : colors.fail,
      })))
      if (c.failures.length > shown.length) note(doc, `${c.failures.length - shown.length} more in control-failures.csv`)
    }
  }

  heading(doc, 'Controls that need manual evidence')
  table(doc, [{ title: 'Control', width: 60 }, { title: 'Title', width: 395 }, { title: 'Evidence', width: 60 }],
    r.controls.filter((c) => !c.automated).map((c) => ({ cells: [c.control, c.title, c.manualEvidence > 0 ? `${c.manualEvidence} file(s)` : 'none'], color: c.manualEvidence > 0 ? colors.text : colors.muted })))

  heading(doc, 'Waivers')
  if (r.waivers.length === 0) doc.fontSize(10).text('No waivers were in force during the window.')
  else {
    table(doc, [{ title: 'Waiver / scope', width: 150 }, { title: 'Justification', width: 170 }, { title: 'Approver', width: 70 }, { title: 'Expires', width: 70 }, { title: 'Waived', width: 55 }],
      r.waivers.map((w) => ({
        cells: [`${w.id}: ${w.rule} on ${w.node ? `node ${w.node}` : w.labels ? Object.entries(w.labels).map(([k, v]) => `${k}=${v}`).join(', ') : 'all nodes'}${w.target ? `, ${w.target}` : ''}`, w.justification, w.approver, `${day(w.expires)}${w.expiredInWindow ? ' (expired)' : ''}`, String(w.findingsWaived)],
        color: w.expiredInWindow ? colors.fail : colors.text,
      })))
  }

  heading(doc, 'Audit log')
  const chain = r.audit.chainAtExport
  doc.fontSize(10).font('Helvetica').fillColor(colors.text).text(`${r.audit.entries} row(s) in the window${r.audit.firstSeq !== null ? ` (rows ${r.audit.firstSeq}-${r.audit.lastSeq})` : ''} with their hash-chain links in audit-log.jsonl. Whole chain at export: ${chain.ok ? `intact (${chain.rows} rows)` : `broken at row ${chain.seq} (${chain.reason})`}.`)

  doc.moveDown(1).fontSize(8).fillColor(colors.muted)
  doc.text(`${r.framework.name} catalogue: ${r.framework.source} (${r.framework.scope === 'curated' ? 'a documented subset' : 'complete'}). ${r.framework.licence}`)
  doc.text('Every file of this archive is listed with its SHA-256 in manifest.json, signed in manifest.sig with the key above. Check it offline: posture verify evidence.zip --key collector.pub')
  doc.end()
  return doc
}

function heading(doc: Doc, text: string): void {
  ensureSpace(doc, 60)
  doc.moveDown(1).fontSize(13).font('Helvetica-Bold').fillColor(colors.text).text(text, margin)
  doc.moveDown(0.3).font('Helvetica')
}

function subheading(doc: Doc, text: string): void {
  ensureSpace(doc, 50)
  doc.moveDown(0.5).fontSize(10).font('Helvetica-Bold').fillColor(colors.text).text(text, margin)
  doc.moveDown(0.2).font('Helvetica')
}

function note(doc: Doc, text: string): void {
  doc.fontSize(8).fillColor(colors.muted).text(text, margin).fillColor(colors.text)
}

function table(doc: Doc, columns: readonly Column[], rows: readonly { cells: string[]; color: string }[]): void {
  const fontSize = 8
  const pad = 3
  const header = () => {
    ensureSpace(doc, 30)
    let x = margin
    const y = doc.y
    doc.fontSize(fontSize).font('Helvetica-Bold').fillColor(colors.muted)
    for (const col of columns) {
      doc.text(col.title, x + pad, y, { width: col.width - 2 * pad })
      x += col.width
    }
    doc.y = y + fontSize + 2 * pad
    line(doc)
    doc.font('Helvetica')
  }
  header()
  for (const row of rows) {
    doc.fontSize(fontSize)
    const height = Math.max(...row.cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i]!.width - 2 * pad }))) + 2 * pad
    if (doc.y + height > doc.page.height - margin) {
      doc.addPage()
      header()
    }
    const y = doc.y
    let x = margin
    row.cells.forEach((cell, i) => {
      doc.fillColor(i === 1 ? row.color : colors.text).text(cell, x + pad, y + pad, { width: columns[i]!.width - 2 * pad })
      x += columns[i]!.width
    })
    doc.y = y + height
    line(doc)
  }
  doc.x = margin
  doc.fillColor(colors.text)
}

function line(doc: Doc): void {
  const width = doc.page.width - 2 * margin
  doc.save().moveTo(margin, doc.y).lineTo(margin + width, doc.y).lineWidth(0.5).strokeColor(colors.rule).stroke().restore()
}

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - margin) doc.addPage()
}

function day(iso: string | null): string {
  return iso === null ? '-' : iso.slice(0, 10)
}
