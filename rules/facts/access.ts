import { z } from 'zod'

/**
 * Facts about who can get into the node and what is recorded when they do: SSH, local
 * accounts and passwords, PAM lockout, per-IP limits, sudo, logging, auditd, backups.
 * Gathered by agent/gatherers/access. No fact here ever holds a secret: password hashes
 * are reduced to their algorithm before anything sees them.
 */

/** An item that could not be inspected: the engine turns it into an `error` finding. */
const failedItem = z.object({ target: z.string(), error: z.string() })

/** One way to finish SSH authentication (an AuthenticationMethods list, or a lone method). */
export const sshLoginPathSchema = z.object({
  /** Methods in the order sshd asks for them: `publickey`, `keyboard-interactive`, … */
  methods: z.array(z.string()),
  /**
   * What the path proves, sorted and without duplicates: `publickey`, `password`
   * (something known: a password, or a keyboard-interactive PAM prompt without a second
   * factor), `otp` (an enforced TOTP/U2F PAM module), `hostbased`, `gssapi`.
   */
  factors: z.array(z.string()),
})
export type SshLoginPath = z.infer<typeof sshLoginPathSchema>

/** `sshd -T -C user=U,host=A,addr=A`: the effective configuration for one connection. */
export const sshSessionSchema = z.object({
  /** `user@address`. */
  target: z.string(),
  user: z.string(),
  address: z.string(),
  /** `yes`, `prohibit-password` (OpenSSH prints the old `without-password`), `forced-commands-only`, `no`. */
  permitRootLogin: z.string(),
  passwordAuthentication: z.boolean(),
  kbdInteractiveAuthentication: z.boolean(),
  pubkeyAuthentication: z.boolean(),
  usePam: z.boolean(),
  permitEmptyPasswords: z.boolean(),
  /** AuthenticationMethods: null for `any`, else the alternatives, each a list of methods. */
  authenticationMethods: z.array(z.array(z.string())).nullable(),
  /** Every way this user can log in from this address (empty: no way at all). */
  loginPaths: z.array(sshLoginPathSchema),
  maxAuthTries: z.number(),
  /** 0 means no limit (sshd_config(5)). */
  loginGraceTimeSeconds: z.number(),
  x11Forwarding: z.boolean(),
  allowAgentForwarding: z.boolean(),
  /** `yes`, `no`, `local`, `remote` or `all`. */
  allowTcpForwarding: z.string(),
  disableForwarding: z.boolean(),
  logLevel: z.string(),
  ports: z.array(z.number()),
})
export type SshSession = z.infer<typeof sshSessionSchema>

export const sshCryptoSchema = z.object({
  ciphers: z.array(z.string()),
  macs: z.array(z.string()),
  kexAlgorithms: z.array(z.string()),
  hostKeyAlgorithms: z.array(z.string()),
})
export type SshCrypto = z.infer<typeof sshCryptoSchema>

/** A second-factor PAM module in sshd's auth stack. */
export const secondFactorModuleSchema = z.object({
  /** `pam_google_authenticator`, `pam_oath`, `pam_u2f`, … */
  module: z.string(),
  control: z.string(),
  /** Whether it really is required: false when `nullok`, `optional`, or bypassed by an earlier module. */
  enforced: z.boolean(),
  /** Why it is not enforced; empty when it is. */
  weakness: z.string(),
})
export type SecondFactorModule = z.infer<typeof secondFactorModuleSchema>

export const sshFactsSchema = z.object({
  /** False when no sshd binary exists: the SSH rules are `na` ("no SSH server"). */
  installed: z.boolean(),
  /** Sessions for `root`, one per configured source address. */
  root: z.array(z.union([sshSessionSchema, failedItem])).optional(),
  /** Sessions for a normal user, one per configured source address. */
  users: z.array(z.union([sshSessionSchema, failedItem])).optional(),
  crypto: sshCryptoSchema.optional(),
  /** Second-factor modules found in /etc/pam.d/sshd (with its includes). */
  secondFactor: z.array(secondFactorModuleSchema).optional(),
})
export type SshFacts = z.infer<typeof sshFactsSchema>

/** An account with a stored password: the algorithm only, never the hash. */
export const passwordHashSchema = z.object({
  /** The account name. */
  target: z.string(),
  /**
   * `yescrypt`, `gost-yescrypt`, `sha512crypt`, `sha256crypt`, `bcrypt`, `scrypt`,
   * `md5crypt`, `sunmd5`, `descrypt`, `bsdicrypt`, `nthash`, `sha1crypt`, `unknown`, or
   * `empty` (no password at all).
   */
  algorithm: z.string(),
  /** Locked with `!` / `*`: the hash is kept but cannot be used to log in. */
  locked: z.boolean(),
})
export type PasswordHash = z.infer<typeof passwordHashSchema>

export const accountsFactsSchema = z.object({
  /** From /etc/shadow (and /etc/passwd when a hash sits there). */
  passwordHashes: z.array(passwordHashSchema).optional(),
  /** Accounts that log in without any password (empty shadow or passwd field). */
  emptyPasswords: z.array(z.string()).optional(),
  /** Accounts with UID 0. */
  uid0: z.array(z.string()).optional(),
  /** Hash methods configured for new passwords: login.defs ENCRYPT_METHOD and pam_unix in the password stack. */
  hashMethods: z.array(z.object({ source: z.string(), algorithm: z.string() })).optional(),
  /** login.defs PASS_MAX_DAYS (99999 when unset: never expires). */
  passMaxDays: z.number().optional(),
})
export type AccountsFacts = z.infer<typeof accountsFactsSchema>

/** Per-account lockout in one PAM service's auth stack. */
export const lockoutServiceSchema = z.object({
  /** PAM service name: `sshd`, `login`. */
  target: z.string(),
  /** `pam_faillock`, `pam_tally2`, or null when none is in the auth stack. */
  module: z.string().nullable(),
  /** Failures before the account locks (faillock.conf `deny`, or the module argument). */
  deny: z.number().nullable(),
  /** Seconds until an automatic unlock; 0 = only an administrator unlocks. */
  unlockTimeSeconds: z.number().nullable(),
})
export type LockoutService = z.infer<typeof lockoutServiceSchema>

/** Something that limits failed logins per source address. */
export const rateLimitMechanismSchema = z.object({
  /** `fail2ban`, `sshguard`, `crowdsec`, `sshd-persourcepenalties`, `nftables`, `iptables`. */
  kind: z.string(),
  detail: z.string(),
})

export const sudoGrantSchema = z.object({
  /** `file:line`. */
  target: z.string(),
  /** Users, `%groups` or aliases the grant is for. */
  principals: z.array(z.string()),
  /** The rule as written (commands after NOPASSWD:), or `Defaults !authenticate`. */
  rule: z.string(),
})
export type SudoGrant = z.infer<typeof sudoGrantSchema>

export const loggingFactsSchema = z.object({
  /** journald keeps logs on disk (Storage=persistent, or auto with /var/log/journal present). */
  journaldPersistent: z.boolean(),
  /** journald Storage= after drop-ins (`auto` when unset). */
  journaldStorage: z.string(),
  /** Files rsyslog writes auth/authpriv messages to (only when rsyslog is running or cannot be asked). */
  authLogFiles: z.array(z.string()),
  /** Off-host destinations: `rsyslog @@logs:514`, `journal-upload https://…`, `audisp-remote 10.0.0.5`. */
  forwarding: z.array(z.string()),
})
export type LoggingFacts = z.infer<typeof loggingFactsSchema>

export const auditdFactsSchema = z.object({
  installed: z.boolean(),
  /** `auditctl -s` enabled: 0 off, 1 on, 2 on and locked. */
  enabled: z.number(),
  /** auditd's pid as the kernel knows it; 0 when no daemon receives events. */
  pid: z.number(),
  /** Loaded audit rules (`auditctl -l`), null when unknown. */
  rules: z.number().nullable(),
})
export type AuditdFacts = z.infer<typeof auditdFactsSchema>

export const backupSourceFactsSchema = z.object({
  /** The configured name (or the glob / repository). */
  target: z.string(),
  kind: z.enum(['files', 'restic', 'borg']),
  /** The glob or repository location (credentials never allowed in it). */
  location: z.string(),
  /** Newest backup time (ISO 8601, UTC), null when none was found. */
  newest: z.string().nullable(),
  /** Matching files or snapshots/archives seen. */
  count: z.number(),
  maxAgeHours: z.number(),
})
export type BackupSourceFacts = z.infer<typeof backupSourceFactsSchema>

export const accessFactsSchema = z.object({
  ssh: sshFactsSchema.optional(),
  accounts: accountsFactsSchema.optional(),
  lockout: z.object({ services: z.array(lockoutServiceSchema) }).optional(),
  ipRateLimit: z.object({ mechanisms: z.array(rateLimitMechanismSchema) }).optional(),
  sudo: z.object({ nopasswd: z.array(sudoGrantSchema) }).optional(),
  logging: loggingFactsSchema.optional(),
  auditd: auditdFactsSchema.optional(),
  backup: z.object({ sources: z.array(z.union([backupSourceFactsSchema, failedItem])) }).optional(),
})
export type AccessFacts = z.infer<typeof accessFactsSchema>
