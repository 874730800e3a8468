/**
 * CSV (RFC 4180) for the evidence files: every cell quoted when it needs to be, and text
 * cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) prefixed with
 * an apostrophe (OWASP, "CSV Injection"): hostnames and messages come from nodes.
 */
export type CsvCell = string | number | boolean | null

export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`
}

function csvCell(cell: CsvCell): string {
  if (cell === null) return ''
  if (typeof cell !== 'string') return String(cell)
  const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}
