import { cipherSuiteNames } from './cipher-suite-registry.js'

/**
 * What a cipher suite is made of, read from its IANA name (`TLS_<kx>_WITH_<enc>_<mac>`,
 * or `TLS_<enc>_<hash>` for TLS 1.3, RFC 8446 §B.4).
 *
 * `kx` is the key exchange: `RSA` (static RSA key transport, no forward secrecy), `DH` /
 * `ECDH` (static), `DHE` / `ECDHE` (ephemeral, forward secret), the PSK / SRP / KRB5
 * families, or `TLS13` (always ephemeral, group chosen by the key_share). Anonymous suites
 * have `au: 'anon'`.
 *
 * `bits` is the effective strength, as SSL Labs reports it: 3DES counts 112 bits (meet in
 * the middle, NIST SP 800-57), EXPORT suites their 40 or 56, NULL 0.
 */
export interface CipherSuiteInfo {
  code: number
  name: string
  kx: string
  au: string
  /** Cipher family: NULL, RC4, RC2, DES, 3DES, IDEA, SEED, AES, CAMELLIA, ARIA, CHACHA20. */
  enc: string
  /** CBC, GCM, CCM, CCM8, STREAM, POLY1305, or NONE. */
  mode: string
  bits: number
  mac: string
  aead: boolean
  export: boolean
  tls13: boolean
}

interface Encryption {
  enc: string
  mode: string
  bits: number
}

/** Encryption part of a name (after `_WITH_`, before the MAC), longest first. */
const encryptions: [prefix: string, encryption: Encryption][] = [
  ['NULL', { enc: 'NULL', mode: 'NONE', bits: 0 }],
  ['RC4_40', { enc: 'RC4', mode: 'STREAM', bits: 40 }],
  ['RC4_56', { enc: 'RC4', mode: 'STREAM', bits: 56 }],
  ['RC4_128', { enc: 'RC4', mode: 'STREAM', bits: 128 }],
  ['RC2_CBC_40', { enc: 'RC2', mode: 'CBC', bits: 40 }],
  ['RC2_CBC_56', { enc: 'RC2', mode: 'CBC', bits: 56 }],
  ['DES40_CBC', { enc: 'DES', mode: 'CBC', bits: 40 }],
  ['DES_CBC_40', { enc: 'DES', mode: 'CBC', bits: 40 }],
  ['DES_CBC', { enc: 'DES', mode: 'CBC', bits: 56 }],
  ['3DES_EDE_CBC', { enc: '3DES', mode: 'CBC', bits: 112 }],
  ['IDEA_CBC', { enc: 'IDEA', mode: 'CBC', bits: 128 }],
  ['SEED_CBC', { enc: 'SEED', mode: 'CBC', bits: 128 }],
  ['AES_128_CBC', { enc: 'AES', mode: 'CBC', bits: 128 }],
  ['AES_256_CBC', { enc: 'AES', mode: 'CBC', bits: 256 }],
  ['AES_128_GCM', { enc: 'AES', mode: 'GCM', bits: 128 }],
  ['AES_256_GCM', { enc: 'AES', mode: 'GCM', bits: 256 }],
  ['AES_128_CCM_8', { enc: 'AES', mode: 'CCM8', bits: 128 }],
  ['AES_256_CCM_8', { enc: 'AES', mode: 'CCM8', bits: 256 }],
  ['AES_128_CCM', { enc: 'AES', mode: 'CCM', bits: 128 }],
  ['AES_256_CCM', { enc: 'AES', mode: 'CCM', bits: 256 }],
  ['CAMELLIA_128_CBC', { enc: 'CAMELLIA', mode: 'CBC', bits: 128 }],
  ['CAMELLIA_256_CBC', { enc: 'CAMELLIA', mode: 'CBC', bits: 256 }],
  ['CAMELLIA_128_GCM', { enc: 'CAMELLIA', mode: 'GCM', bits: 128 }],
  ['CAMELLIA_256_GCM', { enc: 'CAMELLIA', mode: 'GCM', bits: 256 }],
  ['ARIA_128_CBC', { enc: 'ARIA', mode: 'CBC', bits: 128 }],
  ['ARIA_256_CBC', { enc: 'ARIA', mode: 'CBC', bits: 256 }],
  ['ARIA_128_GCM', { enc: 'ARIA', mode: 'GCM', bits: 128 }],
  ['ARIA_256_GCM', { enc: 'ARIA', mode: 'GCM', bits: 256 }],
  ['CHACHA20_POLY1305', { enc: 'CHACHA20', mode: 'POLY1305', bits: 256 }],
]

/** Key exchange and authentication, from the part before `_WITH_` (EXPORT markers removed). */
const exchanges: Record<string, { kx: string; au: string }> = {
  NULL: { kx: 'NULL', au: 'NULL' },
  RSA: { kx: 'RSA', au: 'RSA' },
  DH_DSS: { kx: 'DH', au: 'DSS' },
  DH_RSA: { kx: 'DH', au: 'RSA' },
  DHE_DSS: { kx: 'DHE', au: 'DSS' },
  DHE_RSA: { kx: 'DHE', au: 'RSA' },
  DH_anon: { kx: 'DHE', au: 'anon' },
  ECDH_ECDSA: { kx: 'ECDH', au: 'ECDSA' },
  ECDH_RSA: { kx: 'ECDH', au: 'RSA' },
  ECDHE_ECDSA: { kx: 'ECDHE', au: 'ECDSA' },
  ECDHE_RSA: { kx: 'ECDHE', au: 'RSA' },
  ECDH_anon: { kx: 'ECDHE', au: 'anon' },
  KRB5: { kx: 'KRB5', au: 'KRB5' },
  PSK: { kx: 'PSK', au: 'PSK' },
  DHE_PSK: { kx: 'DHE_PSK', au: 'PSK' },
  PSK_DHE: { kx: 'DHE_PSK', au: 'PSK' },
  RSA_PSK: { kx: 'RSA_PSK', au: 'RSA' },
  ECDHE_PSK: { kx: 'ECDHE_PSK', au: 'PSK' },
  SRP_SHA: { kx: 'SRP', au: 'SRP' },
  SRP_SHA_RSA: { kx: 'SRP', au: 'RSA' },
  SRP_SHA_DSS: { kx: 'SRP', au: 'DSS' },
}

/** Parses an IANA suite name; null when it does not follow the naming scheme. */
export function describeSuiteName(code: number, name: string): CipherSuiteInfo | null {
  const bare = name.replace(/^OLD_/, '').replace(/^TLS_/, '')
  const withIndex = bare.indexOf('_WITH_')
  if (withIndex < 0) {
    // TLS 1.3: TLS_AES_128_GCM_SHA256 and friends (RFC 8446 §B.4).
    const encryption = matchEncryption(bare)
    if (!encryption) return null
    return { code, name, kx: 'TLS13', au: 'TLS13', ...encryption.value, mac: 'AEAD', aead: true, export: false, tls13: true }
  }
  const exchangePart = bare.slice(0, withIndex)
  const isExport = /_EXPORT(1024)?$|_EXPORT(1024)?_/.test(exchangePart)
  const exchange = exchanges[exchangePart.replace(/_EXPORT(1024)?/, '')]
  const encryption = matchEncryption(bare.slice(withIndex + '_WITH_'.length))
  if (!exchange || !encryption) return null
  const aead = ['GCM', 'CCM', 'CCM8', 'POLY1305'].includes(encryption.value.mode)
  const mac = aead ? 'AEAD' : encryption.rest.replace(/^_/, '') || 'NONE'
  // EXPORT1024 suites use 56-bit keys, EXPORT ones 40-bit (already in the encryption table).
  return { code, name, ...exchange, ...encryption.value, mac, aead, export: isExport, tls13: false }
}

function matchEncryption(text: string): { value: Encryption; rest: string } | null {
  let best: [string, Encryption] | null = null
  for (const entry of encryptions) {
    if (text.startsWith(entry[0]) && (text.length === entry[0].length || text[entry[0].length] === '_')) {
      if (!best || entry[0].length > best[0].length) best = entry
    }
  }
  return best ? { value: best[1], rest: text.slice(best[0].length) } : null
}

const suites: ReadonlyMap<number, CipherSuiteInfo> = new Map(
  [...cipherSuiteNames].flatMap(([code, name]) => {
    const info = describeSuiteName(code, name)
    return info ? [[code, info] as const] : []
  }),
)

/** A suite by code; unknown codes get a placeholder name so that nothing is dropped. */
export function describeSuite(code: number): CipherSuiteInfo {
  return (
    suites.get(code) ?? {
      code,
      name: `UNKNOWN_0x${code.toString(16).padStart(4, '0')}`,
      kx: 'UNKNOWN',
      au: 'UNKNOWN',
      enc: 'UNKNOWN',
      mode: 'UNKNOWN',
      bits: 0,
      mac: 'UNKNOWN',
      aead: false,
      export: false,
      tls13: false,
    }
  )
}

/** Every known TLS ≤ 1.2 suite code, in registry order. */
export const legacySuiteCodes: readonly number[] = [...suites.values()].filter((s) => !s.tls13).map((s) => s.code)

/** The five TLS 1.3 suites (RFC 8446 §B.4). */
export const tls13SuiteCodes: readonly number[] = [...suites.values()].filter((s) => s.tls13).map((s) => s.code)

/** `0xc02f` → `0xc02f` formatting used in messages and peer comparisons. */
export function suiteHex(code: number): string {
  return `0x${code.toString(16).padStart(4, '0')}`
}
