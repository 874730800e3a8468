import { X509Certificate as NodeX509, webcrypto } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { PostureError } from '../../rules/posture-error.js'

/**
 * The collector's TLS identity: a configured certificate and key, or a self-signed one
 * made on first start in `<data>/tls/` (ECDSA P-256, 825 days — the CA/Browser Forum's old
 * maximum, long enough that agents' pins stay valid between planned rotations).
 * Agents pin its SHA-256 fingerprint (DESIGN.md, "Wire protocol", Join).
 */
export interface TlsIdentity {
  certPem: string
  keyPem: string
  /** Node's `fingerprint256`: AB:CD:… */
  fingerprint: string
  selfSigned: boolean
}

export async function createSelfSignedCertificate(hostnames: readonly string[], now: Date): Promise<{ certPem: string; keyPem: string }> {
  const crypto = webcrypto as unknown as Crypto
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hostnames])]
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
      name: 'CN=posture-collector',
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 825 * 86_400_000),
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names.map((n): x509.JsonGeneralName => ({ type: /^[\d.]+$|:/.test(n) ? 'ip' : 'dns', value: n }))),
      ],
    },
    crypto,
  )
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey))
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`
  return { certPem: cert.toString('pem') + '\n', keyPem }
}

/** `--tls-cert/--tls-key` when given; else `<dataDir>/tls/{cert,key}.pem`, created on first use. */
export async function loadOrCreateTlsIdentity(options: { dataDir: string; certFile?: string | undefined; keyFile?: string | undefined; hostnames?: readonly string[]; now: Date }): Promise<TlsIdentity> {
  if (options.certFile !== undefined || options.keyFile !== undefined) {
    if (options.certFile === undefined || options.keyFile === undefined) throw new PostureError('BAD_USAGE', '--tls-cert and --tls-key go together')
    const certPem = readPem(options.certFile, 'certificate')
    return { certPem, keyPem: readPem(options.keyFile, 'private key'), fingerprint: fingerprintOf(certPem, options.certFile), selfSigned: false }
  }
  const dir = join(options.dataDir, 'tls')
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const made = await createSelfSignedCertificate(options.hostnames ?? [], options.now)
    writeFileSync(keyPath, made.keyPem, { mode: 0o600 })
    chmodSync(keyPath, 0o600)
    writeFileSync(certPath, made.certPem, { mode: 0o644 })
  }
  const certPem = readPem(certPath, 'certificate')
  return { certPem, keyPem: readPem(keyPath, 'private key'), fingerprint: fingerprintOf(certPem, certPath), selfSigned: true }
}

export function fingerprintOf(certPem: string, source: string): string {
  try {
    return new NodeX509(certPem).fingerprint256
  } catch (err) {
    throw new PostureError('BAD_CONFIG', `${source}: not a PEM certificate (${(err as Error).message})`, { cause: err })
  }
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new PostureError('UNREADABLE', `${path}: cannot read the TLS ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
}
