/**
 * Protocol versions, by Node's names (tls.getProtocol(), `minVersion`), plus SSLv2 which
 * Node cannot name because OpenSSL dropped it. Wire values: RFC 6101 (SSL 3.0),
 * RFC 2246 / 4346 / 5246 / 8446 (TLS 1.0–1.3); SSL 2.0 has its own hello format.
 */
export const protocolNames = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const
export type ProtocolName = (typeof protocolNames)[number]

/** The record-layer version a protocol's ServerHello carries (SSLv2 uses 0x0002). */
export const protocolWire: Record<ProtocolName, number> = {
  SSLv2: 0x0002,
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
}

export function protocolFromWire(wire: number): ProtocolName | null {
  for (const name of protocolNames) if (protocolWire[name] === wire) return name
  return null
}

export function isProtocolName(value: string): value is ProtocolName {
  return (protocolNames as readonly string[]).includes(value)
}
