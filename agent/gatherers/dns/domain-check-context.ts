import type { Host } from '../../host/host.js'
import type { TrustStore } from '../../tls/trust-store.js'
import type { DnsLookup } from './dns-lookup.js'

/** What every domain check needs: the host seam, the resolver, where to connect, whom to trust. */
export interface DomainCheckContext {
  host: Host
  dns: DnsLookup
  /** Connect overrides, `host:port` → `address:port` (dns-config.ts). */
  connect: Readonly<Record<string, string>>
  /** Per connection (SMTP, HTTPS). */
  connectTimeoutMs: number
  /** PEM text of private CAs (tls.caFiles), for the MX TLS probes. */
  caPems: readonly string[]
  /** Built on first use: parsing the public roots costs more than a handshake. */
  trustStore: () => TrustStore
  now: Date
}
