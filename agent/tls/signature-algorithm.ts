/**
 * The signature algorithm of an X.509 certificate (RFC 5280 §4.1.1.2), read from its DER:
 * Node 20's X509Certificate has no `signatureAlgorithm` (added in later versions), and the
 * SHA-1 / MD5 checks need it. Only the few DER elements on the way are decoded.
 */
export interface SignatureAlgorithm {
  /** OpenSSL's long name: sha256WithRSAEncryption, ecdsa-with-SHA384, ED25519, … */
  name: string
  /** md2, md5, sha1, sha224, sha256, sha384, sha512, or `none` (EdDSA hashes internally). */
  hash: string
}

const algorithms: Record<string, SignatureAlgorithm> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.1': { name: 'dsa-with-SHA224', hash: 'sha224' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-SHA256', hash: 'sha256' },
  '1.3.101.112': { name: 'ED25519', hash: 'none' },
  '1.3.101.113': { name: 'ED448', hash: 'none' },
}

/** Hash OIDs (RFC 4055 §2.1) for RSASSA-PSS parameters. */
const hashes: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
}
const rsassaPss = '1.2.840.113549.1.1.10'

interface Element {
  tag: number
  /** Offset of the contents. */
  start: number
  end: number
}

function readElement(der: Uint8Array, offset: number): Element {
  if (offset + 2 > der.length) throw new RangeError('truncated DER')
  const tag = der[offset]!
  let length = der[offset + 1]!
  let start = offset + 2
  if (length & 0x80) {
    const count = length & 0x7f
    if (count === 0 || count > 4 || start + count > der.length) throw new RangeError('bad DER length')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!
    start += count
  }
  if (start + length > der.length) throw new RangeError('truncated DER')
  return { tag, start, end: start + length }
}

export function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = []
  let value = 0
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f)
    if (!(byte & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80)
      else parts.push(value)
      value = 0
    }
  }
  return parts.join('.')
}

const sequence = 0x30
const oidTag = 0x06

/** The certificate's outer signatureAlgorithm; `unknown (OID)` for algorithms not listed. */
export function certificateSignatureAlgorithm(der: Uint8Array): SignatureAlgorithm {
  const certificate = readElement(der, 0)
  if (certificate.tag !== sequence) throw new RangeError('not a DER certificate')
  const tbs = readElement(der, certificate.start)
  const algorithm = readElement(der, tbs.end)
  if (algorithm.tag !== sequence) throw new RangeError('no signatureAlgorithm in certificate')
  const oidElement = readElement(der, algorithm.start)
  if (oidElement.tag !== oidTag) throw new RangeError('signatureAlgorithm without an OID')
  const oid = decodeOid(der.subarray(oidElement.start, oidElement.end))
  if (oid === rsassaPss) return { name: 'rsassaPss', hash: pssHash(der, oidElement.end, algorithm.end) }
  return algorithms[oid] ?? { name: `unknown (${oid})`, hash: 'unknown' }
}

/** RSASSA-PSS-params: `[0] hashAlgorithm` defaults to SHA-1 (RFC 4055 §3.1). */
function pssHash(der: Uint8Array, offset: number, end: number): string {
  if (offset >= end) return 'sha1'
  const params = readElement(der, offset)
  if (params.tag !== sequence || params.start >= params.end) return 'sha1'
  const first = readElement(der, params.start)
  if (first.tag !== 0xa0) return 'sha1'
  const hashAlgorithm = readElement(der, first.start)
  const oid = readElement(der, hashAlgorithm.start)
  return hashes[decodeOid(der.subarray(oid.start, oid.end))] ?? 'unknown'
}
