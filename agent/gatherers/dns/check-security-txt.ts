import type { SecurityTxtFacts } from '../../../rules/facts/dns.js'
import { parseSecurityTxt } from '../../dns/security-txt.js'
import type { DomainCheckContext } from './domain-check-context.js'
import { contentTypeOf, fetchHttps } from './https-fetch.js'

/** security.txt is a few lines; anything this large is not one. */
const maxFileBytes = 32 * 1024
const maxKeyBytes = 256 * 1024
/** RFC 9116 §3 allows redirects; a few are plenty. */
const maxRedirects = 3

/**
 * security.txt of one domain (RFC 9116 §3): fetched from
 * `https://DOMAIN/.well-known/security.txt`, parsed, and each https `Encryption:` link
 * followed to see that it leads to something.
 */
export async function checkSecurityTxt(context: DomainCheckContext, domain: string): Promise<SecurityTxtFacts> {
  const url = `https://${domain}/.well-known/security.txt`
  const facts: SecurityTxtFacts = {
    target: url,
    domain,
    status: 0,
    finalUrl: url,
    redirects: [],
    contentType: null,
    certificateValid: false,
    certificateError: null,
    errors: [],
    contact: [],
    expires: null,
    encryption: [],
    policy: [],
    canonical: [],
    preferredLanguages: [],
    signed: false,
  }
  const outcome = await fetchHttps(context, url, { maxBytes: maxFileBytes, maxRedirects })
  if ('absent' in outcome) return { ...facts, errors: [`${outcome.absent}: nothing serves ${url}`] }
  if ('error' in outcome) return { ...facts, error: `${url}: ${outcome.error}` }
  const { answer } = outcome
  const contentType = contentTypeOf(answer)
  Object.assign(facts, {
    status: answer.status,
    finalUrl: answer.url,
    redirects: outcome.redirects,
    contentType,
    certificateValid: outcome.certificateValid,
    certificateError: outcome.certificateError,
  })
  if (outcome.stopped !== null) return { ...facts, errors: [`HTTP ${answer.status}: ${outcome.stopped}`] }
  if (answer.status !== 200) return { ...facts, errors: [`HTTP ${answer.status}${answer.status === 404 ? ' (not found)' : ''}`] }

  const errors: string[] = []
  // RFC 9116 §3: "MUST have a Content-Type of text/plain with the default charset parameter set to utf-8".
  if (contentType === null || !/^text\/plain\s*(;|$)/.test(contentType) || !/;\s*charset="?utf-8"?\s*(;|$)/.test(contentType)) {
    errors.push(`Content-Type ${contentType ?? 'missing'}: must be text/plain; charset=utf-8 (RFC 9116 §3)`)
  }
  if (answer.truncated) errors.push(`larger than ${maxFileBytes} bytes: not a security.txt`)
  const parsed = parseSecurityTxt(answer.body, answer.url)
  errors.push(...parsed.errors)
  const encryption = await Promise.all(parsed.encryption.map((uri) => checkEncryptionLink(context, uri)))
  return {
    ...facts,
    errors,
    contact: parsed.contact,
    expires: parsed.expires,
    encryption,
    policy: parsed.policy,
    canonical: parsed.canonical,
    preferredLanguages: parsed.preferredLanguages,
    signed: parsed.signed,
  }
}

async function checkEncryptionLink(context: DomainCheckContext, uri: string): Promise<SecurityTxtFacts['encryption'][number]> {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase()
  if (scheme === 'openpgp4fpr') return { uri, ok: /^openpgp4fpr:[0-9a-f]{40,64}$/i.test(uri), checked: false, reason: 'a key fingerprint: nothing to fetch' }
  if (scheme === 'dns') return { uri, ok: true, checked: false, reason: 'dns: (OPENPGPKEY) links are not followed' }
  if (scheme !== 'https') return { uri, ok: false, checked: true, reason: scheme === 'http' ? 'plain http: keys must come over https (RFC 9116 §2.5.4)' : 'not an https:, dns: or openpgp4fpr: link' }
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return { uri, ok: false, checked: true, reason: 'not a valid URL' }
  }
  const outcome = await fetchHttps(context, url.href, { maxBytes: maxKeyBytes, maxRedirects })
  if ('absent' in outcome) return { uri, ok: false, checked: true, reason: outcome.absent }
  if ('error' in outcome) return { uri, ok: false, checked: true, reason: outcome.error }
  const { answer } = outcome
  if (answer.status !== 200) return { uri, ok: false, checked: true, reason: `HTTP ${answer.status}${outcome.stopped ? `: ${outcome.stopped}` : ''}` }
  if (!outcome.certificateValid) return { uri, ok: false, checked: true, reason: outcome.certificateError ?? 'certificate not valid' }
  if (answer.body.trim() === '') return { uri, ok: false, checked: true, reason: 'HTTP 200 with an empty body' }
  const armored = answer.body.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')
  return { uri, ok: true, checked: true, reason: armored ? 'HTTP 200: an OpenPGP public key block' : 'HTTP 200 (not an ASCII-armored OpenPGP key; binary keys are not inspected)' }
}
