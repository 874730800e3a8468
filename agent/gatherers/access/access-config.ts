import { z } from 'zod'

/**
 * The `access` section of the scan config. Secure defaults: the system sshd and files;
 * no backup source (backup.recent is then `na` and says how to configure one).
 * Repository passwords never appear here: they come from the environment (RESTIC_PASSWORD,
 * BORG_PASSPHRASE, …) or from a file whose path is named here and read by restic/borg.
 */

const absolutePath = z.string().regex(/^\//, 'must be an absolute path')

/** A repository location that carries credentials (`rest:https://user:pass@host/`) would end up in snapshots. */
const repository = z
  .string()
  .min(1)
  .refine((r) => !/:\/\/[^/@\s]*:[^/@\s]*@/.test(r), 'must not contain credentials: put them in the environment or a password file')

/** 26 h: a daily backup plus two hours of slack for its own run time ("data backed up daily"). */
const maxAgeHours = z.number().positive().default(26)

const filesSource = z
  .object({
    kind: z.literal('files'),
    name: z.string().min(1).optional(),
    /** An absolute glob: `*`, `?` and `[…]` within a segment, `**` for any depth. */
    glob: absolutePath,
    maxAgeHours,
  })
  .strict()

const resticSource = z
  .object({
    kind: z.literal('restic'),
    name: z.string().min(1).optional(),
    repository: repository.optional(),
    /** restic --repository-file: a file holding the repository location. */
    repositoryFile: absolutePath.optional(),
    /** restic --password-file; without it restic reads RESTIC_PASSWORD / RESTIC_PASSWORD_FILE / RESTIC_PASSWORD_COMMAND from the environment. */
    passwordFile: absolutePath.optional(),
    /** Only snapshots of this host (restic --host). */
    host: z.string().min(1).optional(),
    maxAgeHours,
  })
  .strict()
  .refine((s) => (s.repository === undefined) !== (s.repositoryFile === undefined), 'give exactly one of repository or repositoryFile')

const borgSource = z
  .object({
    kind: z.literal('borg'),
    name: z.string().min(1).optional(),
    repository,
    /** A file holding the passphrase, read through BORG_PASSCOMMAND; without it borg reads BORG_PASSPHRASE / BORG_PASSCOMMAND from the environment. */
    passphraseFile: absolutePath.optional(),
    maxAgeHours,
  })
  .strict()

export const backupSourceConfigSchema = z.discriminatedUnion('kind', [filesSource, resticSource, borgSource])
export type BackupSourceConfig = z.infer<typeof backupSourceConfigSchema>

export const accessConfigSchema = z
  .object({
    /** The sshd binary (`sshd -T` prints its effective configuration). */
    sshdPath: absolutePath.default('/usr/sbin/sshd'),
    /** Evaluate this sshd_config instead of the system one (`sshd -T -f FILE`). */
    sshdConfig: absolutePath.optional(),
    /** The normal user whose Match blocks are evaluated; default: the first account with UID ≥ UID_MIN and a login shell. */
    sshUser: z.string().regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'not a user name').optional(),
    /** Client addresses to evaluate Match Address blocks for (one session per address). Default: one Internet address (RFC 5737 documentation range). */
    sshAddresses: z
      .array(z.union([z.ipv4(), z.ipv6()], { error: 'not an IP address' }))
      .min(1)
      .default(['203.0.113.10']),
    /** Read /etc, /var/log, /run from under this directory (a mounted image, or a test tree). Commands are unaffected. */
    rootDir: absolutePath.default('/'),
    /** Where backups land; backup.recent checks the newest one is younger than maxAgeHours. */
    backups: z.array(backupSourceConfigSchema).default([]),
  })
  .strict()
export type AccessConfig = z.infer<typeof accessConfigSchema>
