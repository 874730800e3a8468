/**
 * The parameters of a TLS ≤ 1.2 ServerKeyExchange: the DH prime size (RFC 5246 §7.4.3,
 * `ServerDHParams`) or the named curve (RFC 8422 §5.4, `ServerECDHParams`). This is what
 * Logjam-style "DH 1024" findings and the SSL Labs key-exchange score are made of.
 */
export type KeyExchangeParams = { type: 'DH'; bits: number } | { type: 'ECDH'; group: number } | null

/** `kx` is the chosen suite's key exchange (cipher-suites.ts); other kinds have no params we grade. */
export function decodeServerKeyExchange(kx: string, body: Buffer): KeyExchangeParams {
  if (kx === 'DHE' || kx === 'DHE_PSK') {
    // DHE_PSK prefixes a psk_identity_hint<0..2^16-1> (RFC 4279 §3).
    let offset = 0
    if (kx === 'DHE_PSK') {
      if (body.length < 2) return null
      offset = 2 + body.readUInt16BE(0)
    }
    if (body.length < offset + 2) return null
    const pLength = body.readUInt16BE(offset)
    const p = body.subarray(offset + 2, offset + 2 + pLength)
    if (p.length !== pLength || pLength === 0) return null
    return { type: 'DH', bits: bitLength(p) }
  }
  if (kx === 'ECDHE' || kx === 'ECDHE_PSK') {
    let offset = 0
    if (kx === 'ECDHE_PSK') {
      if (body.length < 2) return null
      offset = 2 + body.readUInt16BE(0)
    }
    // curve_type 3 = named_curve; explicit curves (1, 2) are deprecated and not graded.
    if (body.length < offset + 3 || body[offset] !== 3) return null
    return { type: 'ECDH', group: body.readUInt16BE(offset + 1) }
  }
  return null
}

/** Bit length of a big-endian unsigned integer. */
export function bitLength(bytes: Buffer): number {
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  if (i === bytes.length) return 0
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!))
}
