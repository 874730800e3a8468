import { describe, expect, it } from 'vitest'
import { isTlsRptRecord, parseTlsRptRecord } from '../../../../agent/dns/tls-rpt.js'

describe('TLS-RPT record (RFC 8460 §3)', () => {
  it('mailto and https report URIs', () => {
    expect(parseTlsRptRecord('v=TLSRPTv1; rua=mailto:reports@example.com,https://reporting.example.com/v1/tlsrpt')).toEqual({ rua: ['mailto:reports@example.com', 'https://reporting.example.com/v1/tlsrpt'], errors: [] })
  })

  it.each([
    ['v=TLSRPTv1;', 'no rua= (where reports are sent is required)'],
    ['v=TLSRPTv1; rua=reports@example.com', 'rua: "reports@example.com" is not a mailto: or https: URI'],
    ['v=TLSRPTv1; rua=http://example.com/r', 'rua: "http://example.com/r" is not a mailto: or https: URI'],
  ])('%s → %s', (text, error) => {
    expect(parseTlsRptRecord(text).errors).toEqual([error])
  })

  it('only records beginning with "v=TLSRPTv1;" count', () => {
    expect(['v=TLSRPTv1; rua=mailto:a@b.c', 'v=TLSRPTv1;rua=mailto:a@b.c', 'v=STSv1; id=1', 'rua=mailto:a@b.c; v=TLSRPTv1'].map(isTlsRptRecord)).toEqual([true, true, false, false])
  })
})
