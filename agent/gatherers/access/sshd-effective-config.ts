import type { SshCrypto } from '../../../rules/facts/access.js'

/**
 * `sshd -T` output: one `lowercase-keyword value` per line; keywords that may repeat
 * (`port`, `listenaddress`, `hostkey`, `acceptenv`, …) appear once per value. Returns
 * keyword → values in order. Null when the text holds no configuration at all (sshd
 * printed an error instead).
 */
export function parseSshdT(text: string): Map<string, string[]> | null {
  const settings = new Map<string, string[]>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    const space = line.indexOf(' ')
    const key = (space === -1 ? line : line.slice(0, space)).toLowerCase()
    const value = space === -1 ? '' : line.slice(space + 1).trim()
    const values = settings.get(key)
    if (values) values.push(value)
    else settings.set(key, [value])
  }
  // Every OpenSSH since 5.1 prints these two; without them this is not a config dump.
  if (!settings.has('permitrootlogin') || !settings.has('passwordauthentication')) return null
  return settings
}

/** Typed access to an `sshd -T` dump, with the OpenSSH defaults for keys an old version leaves out. */
export class SshdSettings {
  readonly #settings: Map<string, string[]>

  constructor(settings: Map<string, string[]>) {
    this.#settings = settings
  }

  value(key: string, fallback: string): string {
    return this.#settings.get(key)?.[0] ?? fallback
  }

  values(key: string): string[] {
    return this.#settings.get(key) ?? []
  }

  flag(key: string, fallback: boolean): boolean {
    const value = this.#settings.get(key)?.[0]
    return value === undefined ? fallback : value === 'yes'
  }

  number(key: string, fallback: number): number {
    const parsed = Number.parseInt(this.#settings.get(key)?.[0] ?? '', 10)
    return Number.isFinite(parsed) ? parsed : fallback
  }

  has(key: string): boolean {
    return this.#settings.has(key)
  }
}

/**
 * PermitRootLogin as a stable word: OpenSSH ≤ 9.x prints `without-password` for
 * `prohibit-password` (sshd_config(5) calls the former a deprecated alias).
 */
export function normalisePermitRootLogin(value: string): string {
  return value === 'without-password' ? 'prohibit-password' : value
}

/**
 * AuthenticationMethods: `any` → null; otherwise space-separated alternatives, each a
 * comma-separated list of methods that must all succeed, in order (sshd_config(5)).
 */
export function parseAuthenticationMethods(value: string): string[][] | null {
  if (value.trim() === '' || value.trim() === 'any') return null
  return value
    .trim()
    .split(/\s+/)
    .map((alternative) => alternative.split(',').filter(Boolean))
    .filter((methods) => methods.length > 0)
}

/** LoginGraceTime in seconds: sshd -T prints plain seconds; accept `1m30s` time formats too. */
export function parseSshdTime(value: string): number | null {
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10)
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }
  let total = 0
  let rest = value.toLowerCase()
  while (rest !== '') {
    const match = /^(\d+)([smhdw])/.exec(rest)
    if (!match) return null
    total += Number.parseInt(match[1]!, 10) * units[match[2]!]!
    rest = rest.slice(match[0].length)
  }
  return total
}

/**
 * An algorithm list as sshd -T prints it. Some builds echo the `+`, `-` or `^` modifier
 * of the config line in front of the list (jc's sshd-T fixture has `ciphers +chacha20…`);
 * the list itself is what the server offers.
 */
export function parseAlgorithmList(value: string): string[] {
  return value
    .replace(/^[+\-^]/, '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
}

export function sshCryptoOf(settings: SshdSettings): SshCrypto {
  return {
    ciphers: parseAlgorithmList(settings.value('ciphers', '')),
    macs: parseAlgorithmList(settings.value('macs', '')),
    kexAlgorithms: parseAlgorithmList(settings.value('kexalgorithms', '')),
    hostKeyAlgorithms: parseAlgorithmList(settings.value('hostkeyalgorithms', '')),
  }
}

/**
 * OpenSSH ≥ 9.8 PerSourcePenalties: sshd itself refuses sources that fail to
 * authenticate (`authfail:` penalty). Null when the version has no such option or it is
 * `no`; else the value as printed.
 */
export function perSourcePenalties(settings: SshdSettings): string | null {
  if (!settings.has('persourcepenalties')) return null
  const value = settings.value('persourcepenalties', 'no')
  if (value === 'no' || /\bauthfail:0s?\b/.test(value)) return null
  return value
}
