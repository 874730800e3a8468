import { z } from 'zod'
import { PostureError } from '../rules/posture-error.js'

/**
 * `posture.snapshot/v1`: everything a scan read from a host (DESIGN.md, "Host, evidence,
 * snapshots"). Replaying it through SnapshotHost gives the same facts and findings as the
 * live scan that recorded it. Keys: file paths, command argv joined by single spaces,
 * probe keys such as `tls 127.0.0.1:443`.
 */
export const snapshotSchemaId = 'posture.snapshot/v1'

const failure = z.object({ error: z.string(), message: z.string() }).strict()

export const snapshotSchema = z
  .object({
    schema: z.literal(snapshotSchemaId),
    postureVersion: z.string(),
    host: z.object({ description: z.string() }).strict(),
    gatheredAt: z.iso.datetime(),
    domains: z.array(z.string()),
    files: z.record(z.string(), z.union([z.object({ content: z.string() }).strict(), failure])),
    dirs: z.record(z.string(), z.union([z.object({ entries: z.array(z.string()) }).strict(), failure])),
    commands: z.record(
      z.string(),
      z.union([z.object({ stdout: z.string(), stderr: z.string(), exitCode: z.number().int() }).strict(), failure]),
    ),
    probes: z.record(z.string(), z.union([z.object({ result: z.unknown() }).strict(), failure])),
  })
  .strict()
export type Snapshot = z.infer<typeof snapshotSchema>

/** Parses snapshot JSON text, with one clear error naming what is wrong. */
export function parseSnapshot(text: string, source: string): Snapshot {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new PostureError('BAD_SNAPSHOT', `${source}: not a snapshot: invalid JSON (${(err as Error).message})`)
  }
  const schema = (json as { schema?: unknown } | null)?.schema
  if (schema !== snapshotSchemaId) {
    throw new PostureError(
      'BAD_SNAPSHOT',
      `${source}: not a ${snapshotSchemaId} file (schema is ${JSON.stringify(schema ?? null)})`,
    )
  }
  const parsed = snapshotSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.join('.') || '(top level)'
    throw new PostureError('BAD_SNAPSHOT', `${source}: corrupt snapshot at ${where}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data
}
