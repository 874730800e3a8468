/**
 * Key-exchange groups (IANA "TLS Supported Groups", RFC 8422 §5.1.1, RFC 7919, RFC 8446
 * §4.2.7, draft-ietf-tls-ecdhe-mlkem). `bits` is the size OpenSSL reports and SSL Labs
 * grades by (X25519 counts 253, as `getEphemeralKeyInfo()` says).
 */
export interface NamedGroup {
  code: number
  name: string
  kind: 'ec' | 'ffdhe' | 'hybrid'
  bits: number
}

const groupList: NamedGroup[] = [
  { code: 0x0001, name: 'sect163k1', kind: 'ec', bits: 163 },
  { code: 0x0002, name: 'sect163r1', kind: 'ec', bits: 163 },
  { code: 0x0003, name: 'sect163r2', kind: 'ec', bits: 163 },
  { code: 0x0004, name: 'sect193r1', kind: 'ec', bits: 193 },
  { code: 0x0005, name: 'sect193r2', kind: 'ec', bits: 193 },
  { code: 0x0006, name: 'sect233k1', kind: 'ec', bits: 233 },
  { code: 0x0007, name: 'sect233r1', kind: 'ec', bits: 233 },
  { code: 0x0008, name: 'sect239k1', kind: 'ec', bits: 239 },
  { code: 0x0009, name: 'sect283k1', kind: 'ec', bits: 283 },
  { code: 0x000a, name: 'sect283r1', kind: 'ec', bits: 283 },
  { code: 0x000b, name: 'sect409k1', kind: 'ec', bits: 409 },
  { code: 0x000c, name: 'sect409r1', kind: 'ec', bits: 409 },
  { code: 0x000d, name: 'sect571k1', kind: 'ec', bits: 571 },
  { code: 0x000e, name: 'sect571r1', kind: 'ec', bits: 571 },
  { code: 0x000f, name: 'secp160k1', kind: 'ec', bits: 160 },
  { code: 0x0010, name: 'secp160r1', kind: 'ec', bits: 160 },
  { code: 0x0011, name: 'secp160r2', kind: 'ec', bits: 160 },
  { code: 0x0012, name: 'secp192k1', kind: 'ec', bits: 192 },
  { code: 0x0013, name: 'secp192r1', kind: 'ec', bits: 192 },
  { code: 0x0014, name: 'secp224k1', kind: 'ec', bits: 224 },
  { code: 0x0015, name: 'secp224r1', kind: 'ec', bits: 224 },
  { code: 0x0016, name: 'secp256k1', kind: 'ec', bits: 256 },
  { code: 0x0017, name: 'secp256r1', kind: 'ec', bits: 256 },
  { code: 0x0018, name: 'secp384r1', kind: 'ec', bits: 384 },
  { code: 0x0019, name: 'secp521r1', kind: 'ec', bits: 521 },
  { code: 0x001a, name: 'brainpoolP256r1', kind: 'ec', bits: 256 },
  { code: 0x001b, name: 'brainpoolP384r1', kind: 'ec', bits: 384 },
  { code: 0x001c, name: 'brainpoolP512r1', kind: 'ec', bits: 512 },
  { code: 0x001d, name: 'x25519', kind: 'ec', bits: 253 },
  { code: 0x001e, name: 'x448', kind: 'ec', bits: 448 },
  { code: 0x001f, name: 'brainpoolP256r1tls13', kind: 'ec', bits: 256 },
  { code: 0x0020, name: 'brainpoolP384r1tls13', kind: 'ec', bits: 384 },
  { code: 0x0021, name: 'brainpoolP512r1tls13', kind: 'ec', bits: 512 },
  { code: 0x0100, name: 'ffdhe2048', kind: 'ffdhe', bits: 2048 },
  { code: 0x0101, name: 'ffdhe3072', kind: 'ffdhe', bits: 3072 },
  { code: 0x0102, name: 'ffdhe4096', kind: 'ffdhe', bits: 4096 },
  { code: 0x0103, name: 'ffdhe6144', kind: 'ffdhe', bits: 6144 },
  { code: 0x0104, name: 'ffdhe8192', kind: 'ffdhe', bits: 8192 },
  { code: 0x11eb, name: 'SecP256r1MLKEM768', kind: 'hybrid', bits: 256 },
  { code: 0x11ec, name: 'X25519MLKEM768', kind: 'hybrid', bits: 253 },
]

export const namedGroups: ReadonlyMap<number, NamedGroup> = new Map(groupList.map((g) => [g.code, g]))

export function describeGroup(code: number): NamedGroup {
  return namedGroups.get(code) ?? { code, name: `group_0x${code.toString(16).padStart(4, '0')}`, kind: 'ec', bits: 0 }
}

/** Groups offered when enumerating ECDHE in TLS ≤ 1.2 (every EC curve of RFC 8422 and before). */
export const legacyEcGroups: readonly number[] = groupList.filter((g) => g.kind === 'ec' && g.code <= 0x001e).map((g) => g.code)

/** Groups offered in TLS 1.3 hellos (RFC 8446 §4.2.7 plus the ML-KEM hybrids). */
export const tls13Groups: readonly number[] = [0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x001f, 0x0020, 0x0021, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x11ec, 0x11eb]

/** The group a key share is sent for in TLS 1.3 hellos: X25519 (any server that has it answers without a retry). */
export const x25519 = 0x001d

/**
 * Signature algorithms offered (RFC 8446 §4.2.3 and RFC 5246 §7.4.1.4.1), strongest
 * first, ending with the SHA-1 and MD5 ones so that old servers still answer.
 */
export const signatureAlgorithms: readonly number[] = [
  0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256, _secp384r1_sha384, _secp521r1_sha512
  0x0807, 0x0808, // ed25519, ed448
  0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
  0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256/384/512
  0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
  0x081a, 0x081b, 0x081c, // ecdsa_brainpool*_tls13
  0x0303, 0x0301, 0x0302, // sha224 ecdsa / rsa / dsa
  0x0402, 0x0502, 0x0602, // dsa sha256/384/512
  0x0203, 0x0201, 0x0202, // ecdsa_sha1, rsa_pkcs1_sha1, dsa_sha1
  0x0101, // rsa md5
]
