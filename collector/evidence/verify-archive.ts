import { createHash, verify as verifySignature } from 'node:crypto'
import { promisify } from 'node:util'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { errorMessage } from '../../rules/posture-error.js'
import { AuditExcerptChecker, LineSplitter } from './audit-excerpt.js'
import { evidenceManifestSchema, manifestName, signatureName, type EvidenceManifest } from './evidence-manifest.js'
import { auditLogName } from './evidence-files.js'
import { parsePublicKey, publicKeyFingerprint } from './signing-key.js'

/**
 * Offline verification of an evidence archive (`posture verify`): needs only the zip and,
 * to pin the signer, the collector's public key. Reads every entry once, streaming, and
 * checks: the signature over manifest.json (with the pinned key, or the key the manifest
 * names), every listed file present with its SHA-256 and size, no file the manifest does
 * not list, no entry twice, every entry readable (zip CRC), and the audit-log excerpt's
 * hash chain. Each problem names the file it is about.
 */
export interface VerifyProblem {
  /** The archive entry the problem is about; null for the archive as a whole. */
  file: string | null
  problem: string
}

export interface VerifyResult {
  ok: boolean
  problems: VerifyProblem[]
  manifest: EvidenceManifest | null
  /** The key the signature was checked with, and where it came from. */
  key: { fingerprint: string; source: 'pinned' | 'manifest' } | null
  filesChecked: number
}

export interface VerifyOptions {
  /** PEM of the collector's public key; without it the manifest's own key is used (and said so). */
  publicKeyPem?: string | undefined
}

interface Seen {
  sha256: string
  bytes: number
}

const openZip = promisify<string, yauzl.Options, ZipFile>(yauzl.open)

export async function verifyEvidenceArchive(path: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const problems: VerifyProblem[] = []
  const result = (manifest: EvidenceManifest | null, key: VerifyResult['key'], filesChecked: number): VerifyResult => ({ ok: problems.length === 0, problems, manifest, key, filesChecked })

  let zip: ZipFile
  try {
    zip = await openZip(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: true, decodeStrings: true })
  } catch (err) {
    problems.push({ file: null, problem: `not a readable zip archive: ${errorMessage(err)}` })
    return result(null, null, 0)
  }

  const seen = new Map<string, Seen>()
  let manifestRaw: Buffer | null = null
  let signatureRaw: Buffer | null = null
  // The audit excerpt is checked once the manifest (which names its anchor) is read.
  const auditLines: string[] = []

  try {
    for await (const entry of entries(zip)) {
      const name = entry.fileName
      if (name.endsWith('/')) continue
      if (seen.has(name)) {
        problems.push({ file: name, problem: 'appears twice in the archive' })
        continue
      }
      const keep = name === manifestName || name === signatureName
      const splitter = name === auditLogName ? new LineSplitter((line) => auditLines.push(line)) : null
      try {
        const { digest, bytes, content } = await readEntry(zip, entry, keep, splitter)
        seen.set(name, { sha256: digest, bytes })
        if (name === manifestName) manifestRaw = content
        if (name === signatureName) signatureRaw = content
      } catch (err) {
        seen.set(name, { sha256: '', bytes: -1 })
        problems.push({ file: name, problem: `corrupt in the archive (${errorMessage(err)})` })
      }
    }
  } catch (err) {
    problems.push({ file: null, problem: `the archive is damaged: ${errorMessage(err)}` })
  }

  // The manifest and its signature.
  if (manifestRaw === null) {
    problems.push({ file: manifestName, problem: 'missing: without the manifest nothing can be verified' })
    return result(null, null, seen.size)
  }
  let manifest: EvidenceManifest
  try {
    manifest = evidenceManifestSchema.parse(JSON.parse((manifestRaw as Buffer).toString('utf8')))
  } catch (err) {
    problems.push({ file: manifestName, problem: `not a valid posture.evidence/v1 manifest (${errorMessage(err).split('\n')[0]})` })
    return result(null, null, seen.size)
  }

  let key: VerifyResult['key'] = null
  try {
    const pem = options.publicKeyPem ?? manifest.signingKey.publicKeyPem
    const publicKey = parsePublicKey(pem)
    key = { fingerprint: publicKeyFingerprint(pem), source: options.publicKeyPem ? 'pinned' : 'manifest' }
    if (options.publicKeyPem && key.fingerprint !== manifest.signingKey.fingerprint) {
      problems.push({ file: manifestName, problem: `names signing key ${manifest.signingKey.fingerprint}, not the pinned key ${key.fingerprint}` })
    }
    if (signatureRaw === null) {
      problems.push({ file: signatureName, problem: 'missing: the archive is not signed' })
    } else {
      const signature = Buffer.from((signatureRaw as Buffer).toString('utf8').trim(), 'base64')
      if (!verifySignature(null, manifestRaw, publicKey, signature)) {
        problems.push({ file: signatureName, problem: `the Ed25519 signature over manifest.json does not verify with key ${key.fingerprint} (the manifest was changed, or signed with another key)` })
      }
    }
  } catch (err) {
    problems.push({ file: manifestName, problem: `unusable signing key: ${errorMessage(err)}` })
  }

  // Every listed file, with its hash; nothing unlisted.
  const listed = new Set<string>()
  for (const file of manifest.files) {
    listed.add(file.path)
    const found = seen.get(file.path)
    if (!found) {
      problems.push({ file: file.path, problem: 'listed in the manifest but missing from the archive' })
      continue
    }
    if (found.bytes < 0) continue // already reported as corrupt
    if (found.sha256 !== file.sha256) problems.push({ file: file.path, problem: `SHA-256 ${found.sha256} differs from the manifest's ${file.sha256} (the file was changed)` })
    else if (found.bytes !== file.bytes) problems.push({ file: file.path, problem: `${found.bytes} bytes, the manifest says ${file.bytes}` })
  }
  for (const name of seen.keys()) {
    if (name === manifestName || name === signatureName || listed.has(name)) continue
    problems.push({ file: name, problem: 'not listed in the manifest (added after the export was signed)' })
  }

  // The audit-log excerpt's own chain.
  if (seen.has(auditLogName) && (seen.get(auditLogName)?.bytes ?? -1) >= 0) {
    const checker = new AuditExcerptChecker(manifest.auditLog.anchorPrevHash)
    for (const line of auditLines) checker.line(line)
    for (const p of checker.problems) problems.push({ file: auditLogName, problem: `line ${p.line}${p.seq === null ? '' : ` (audit row ${p.seq})`}: ${p.problem}` })
    if (checker.problems.length === 0 && checker.lastHash !== manifest.auditLog.lastHash && checker.rows > 0) {
      problems.push({ file: auditLogName, problem: `the excerpt ends at hash ${checker.lastHash}, the manifest says ${manifest.auditLog.lastHash}` })
    }
  }
  return result(manifest, key, seen.size)
}

async function* entries(zip: ZipFile): AsyncGenerator<Entry> {
  const queue: Entry[] = []
  let done = false
  let failure: unknown = null
  let wake: (() => void) | null = null
  const signal = () => {
    wake?.()
    wake = null
  }
  zip.on('entry', (entry: Entry) => {
    queue.push(entry)
    signal()
  })
  zip.on('end', () => {
    done = true
    signal()
  })
  zip.on('error', (err: unknown) => {
    failure = err
    signal()
  })
  zip.readEntry()
  for (;;) {
    if (failure) throw failure
    const entry = queue.shift()
    if (entry) {
      yield entry
      zip.readEntry()
      continue
    }
    if (done) return
    await new Promise<void>((resolve) => (wake = resolve))
  }
}

const openReadStream = (zip: ZipFile, entry: Entry) => promisify<Entry, NodeJS.ReadableStream>(zip.openReadStream.bind(zip))(entry)

async function readEntry(zip: ZipFile, entry: Entry, keep: boolean, splitter: LineSplitter | null): Promise<{ digest: string; bytes: number; content: Buffer | null }> {
  const stream = await openReadStream(zip, entry)
  const hash = createHash('sha256')
  const kept: Buffer[] = []
  let bytes = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk)
    bytes += chunk.length
    if (keep) kept.push(chunk)
    splitter?.push(chunk)
  }
  splitter?.end()
  return { digest: hash.digest('hex'), bytes, content: keep ? Buffer.concat(kept) : null }
}
