import { z } from 'zod'

/**
 * `manifest.json` of an evidence archive (`posture.evidence/v1`): what the archive is
 * (framework, window, who exported it and when, with which rules and collector) and the
 * SHA-256 and size of every other file in it. `manifest.sig` holds the detached Ed25519
 * signature over manifest.json's exact bytes; the manifest itself names the public key.
 * Nothing else may be in the archive: `posture verify` reports any file the manifest
 * does not list.
 */
export const evidenceSchemaId = 'posture.evidence/v1'
export const manifestName = 'manifest.json'
export const signatureName = 'manifest.sig'

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/)

export const manifestFileSchema = z
  .object({
    path: z.string().min(1),
    sha256: sha256Hex,
    bytes: z.number().int().nonnegative(),
    /** What the file holds, for a reader of the manifest. */
    description: z.string(),
  })
  .strict()
export type ManifestFile = z.infer<typeof manifestFileSchema>

export const evidenceManifestSchema = z
  .object({
    schema: z.literal(evidenceSchemaId),
    framework: z.object({ id: z.string(), name: z.string(), version: z.string(), scope: z.enum(['complete', 'curated']) }).strict(),
    /** Scans whose finish time is in [from, to). */
    window: z.object({ from: z.iso.datetime(), to: z.iso.datetime() }).strict(),
    /** Node label filter the export was restricted to (empty: every node). */
    labels: z.record(z.string(), z.string()),
    /** Rules versions of the scans in the window, and the collector's at export time. */
    rulesVersions: z.array(z.string()),
    collectorRulesVersion: z.string(),
    collectorVersion: z.string(),
    exportedBy: z.string().min(1),
    exportedAt: z.iso.datetime(),
    signingKey: z.object({ algorithm: z.literal('Ed25519'), fingerprint: z.string(), publicKeyPem: z.string() }).strict(),
    counts: z.object({ nodes: z.number().int(), scans: z.number().int(), findings: z.number().int(), controls: z.number().int(), auditEntries: z.number().int(), manualEvidence: z.number().int() }).strict(),
    /**
     * History retention at export time: scans finished before `findingsFrom` were pruned
     * (each node's current scan excepted). `windowBeyondRetention`: the window starts before
     * it, so the archive holds less than the whole window. Absent: nothing was ever pruned.
     */
    retention: z
      .object({ findingsFrom: z.iso.datetime(), findingsDays: z.number().int().nullable(), windowBeyondRetention: z.boolean(), note: z.string() })
      .strict()
      .optional(),
    /** The audit-log excerpt's place in the collector's hash chain. */
    auditLog: z
      .object({
        firstSeq: z.number().int().nullable(),
        lastSeq: z.number().int().nullable(),
        /** The hash of the row before the excerpt (64 zeros when it starts the log). */
        anchorPrevHash: sha256Hex.nullable(),
        lastHash: sha256Hex.nullable(),
        /** The whole chain verified at export time: ok, or the first broken row. */
        chainAtExport: z.union([z.object({ ok: z.literal(true), rows: z.number().int() }).strict(), z.object({ ok: z.literal(false), seq: z.number().int(), reason: z.string() }).strict()]),
      })
      .strict(),
    files: z.array(manifestFileSchema),
  })
  .strict()
export type EvidenceManifest = z.infer<typeof evidenceManifestSchema>

/** The bytes that are written as manifest.json and signed. */
export function manifestBytes(manifest: EvidenceManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8')
}
