import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { validatePath } from '../../../../agent/tls/path-validation.js'

const cert = (name: string) => new X509Certificate(readFileSync(fileURLToPath(new URL(`../../../fixtures/tls/certs/${name}`, import.meta.url))))

describe('validatePath (fallback when Node cannot handshake)', () => {
  const [leaf, intermediate, root] = [cert('chain-leaf.pem'), cert('chain-intermediate.pem'), cert('chain-root.pem')]
  const now = new Date(new Date(leaf.validFrom).getTime() + 86_400_000)

  it('trusts a full chain ending at an anchor', () => {
    const result = validatePath([leaf, intermediate], [root], now)
    expect(result).toMatchObject({ trusted: true, error: null })
    expect(result.path.map((c) => c.subject)).toEqual(['CN=chain.example', 'CN=Posture Test Intermediate', 'CN=Posture Test Root'])
  })

  it('names what is wrong like OpenSSL does', () => {
    expect(validatePath([leaf], [root], now).error).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
    expect(validatePath([leaf, intermediate], [], now).error).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')
    expect(validatePath([leaf, intermediate, root], [], now).error).toBe('SELF_SIGNED_CERT_IN_CHAIN')
    expect(validatePath([cert('ec-p256-sha256.pem')], [root], new Date(cert('ec-p256-sha256.pem').validFrom)).error).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
    expect(validatePath([leaf, intermediate], [root], new Date(Date.parse(leaf.validTo) + 1000)).error).toBe('CERT_HAS_EXPIRED')
    expect(validatePath([], [root], now).error).toBe('NO_CERTIFICATE')
  })
})
