import { describe, expect, it } from 'vitest'
import { csvField, toCsv } from '../../../../collector/http/csv.js'

describe('CSV', () => {
  it('quotes per RFC 4180 and ends lines with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', '']])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n')
  })

  it('defuses cells a spreadsheet would run as formulas (agent-supplied text)', () => {
    expect(['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', 'plain'].map(csvField)).toEqual(["\"'=HYPERLINK(\"\"x\"\")\"", "'+1", "'-2", "'@SUM(A1)", 'plain'])
  })
})
