import { z } from 'zod'

/**
 * Patch level of the node: pending and security updates, reboots, kernel, automatic
 * updates, package index age, OS support dates. Gathered by agent/gatherers/patches
 * (read-only: nothing is installed, upgraded or refreshed).
 */

/** One installed package that has a newer candidate version. */
export const pendingUpdateSchema = z.object({
  /** The finding target: the package name (with `.arch` for rpm). */
  target: z.string(),
  name: z.string(),
  arch: z.string().nullable(),
  /** Installed version; null when the tool does not print it (dnf check-update). */
  installed: z.string().nullable(),
  candidate: z.string(),
  /** Where the candidate comes from: apt suites/origins (`Debian-Security:12/oldstable-security`), a dnf repo id, an apk origin. */
  sources: z.array(z.string()),
  /** Comes from a security origin; null when the package manager cannot tell (apk offline, apt kept-back packages). */
  security: z.boolean().nullable(),
  /** apt kept it back (held, or its dependencies cannot be met): an upgrade the next run will not install. */
  keptBack: z.boolean(),
})
export type PendingUpdate = z.infer<typeof pendingUpdateSchema>

/** A pending update that fixes a security issue. */
export const securityUpdateSchema = z.object({
  target: z.string(),
  name: z.string(),
  candidate: z.string(),
  /** Advisory id (RHSA-2023:0340, ALSA-…, RLSA-…) when the package manager gives one. */
  advisory: z.string().nullable(),
  /** Vendor severity (Critical, Important, Moderate, Low) when given. */
  severity: z.string().nullable(),
})
export type SecurityUpdate = z.infer<typeof securityUpdateSchema>

export const rebootFactsSchema = z.object({
  /** A reboot is owed: some signal below says so. */
  required: z.boolean(),
  /** The signals consulted: `/var/run/reboot-required`, `needrestart`, `needs-restarting -r`, `kernel`. */
  signals: z.array(z.string()),
  /** Why a reboot is owed, one sentence per signal that says so. */
  reasons: z.array(z.string()),
  /** Packages that asked for it (`reboot-required.pkgs`, needs-restarting's list), deduplicated. */
  packages: z.array(z.string()),
})
export type RebootFacts = z.infer<typeof rebootFactsSchema>

export const kernelFactsSchema = z.object({
  /** `uname -r` of the running kernel. */
  running: z.string(),
  /** Container runtime when the node is a container (docker, lxc, podman…): its kernel is the host's. Empty otherwise. */
  container: z.string(),
  /** Newest installed kernel of the running kernel's flavour; null in a container. */
  newestInstalled: z.string().nullable(),
  /** The running kernel is the newest installed (false: a reboot into the new kernel is owed); null in a container. */
  current: z.boolean().nullable(),
  /** What said so: `needrestart`, `dpkg`, `rpm`, `/lib/modules`. */
  source: z.string(),
})
export type KernelFacts = z.infer<typeof kernelFactsSchema>

export const autoUpdatesFactsSchema = z.object({
  enabled: z.boolean(),
  /** unattended-upgrades, dnf-automatic, cron (Alpine). */
  tool: z.string(),
  /** What was found, e.g. `APT::Periodic::Unattended-Upgrade "0"`, one line each. */
  details: z.array(z.string()),
})
export type AutoUpdatesFacts = z.infer<typeof autoUpdatesFactsSchema>

export const indexFactsSchema = z.object({
  /** ISO 8601 time of the newest package index file; null when there is no index at all. */
  updatedAt: z.string().nullable(),
  /** The file that time comes from, or the directory that was empty. */
  source: z.string(),
})
export type IndexFacts = z.infer<typeof indexFactsSchema>

/** Support dates of the installed OS release, from the embedded table (rules/data/os-eol.yaml) or os-release. */
export const osSupportFactsSchema = z.object({
  /** Table key: debian, ubuntu, rhel, rocky, almalinux, alpine (or os-release ID for SUPPORT_END). */
  distribution: z.string(),
  /** Release cycle: `12`, `22.04`, `9`, `3.21`. */
  cycle: z.string(),
  codename: z.string().nullable(),
  /** First day (YYYY-MM-DD, UTC) without the vendor's standard, free security support. */
  securityEnd: z.string(),
  /** First day without extended support (Debian LTS, Ubuntu ESM, RHEL ELS), or null if there is none. */
  extendedEnd: z.string().nullable(),
  /** Name of the extended support programme: `LTS`, `ESM (Ubuntu Pro)`, `ELS add-on`. */
  extendedName: z.string().nullable(),
  /** Extended support costs nothing and needs no subscription (Debian LTS). */
  extendedFree: z.boolean(),
  /** Where the dates come from: `endoflife.date (compiled 2026-08-22)` or `os-release SUPPORT_END`. */
  source: z.string(),
})
export type OsSupportFacts = z.infer<typeof osSupportFactsSchema>

export const patchesFactsSchema = z.object({
  /** The package manager the facts come from. */
  manager: z.enum(['apt', 'dnf', 'apk']).optional(),
  pendingUpdates: z.array(pendingUpdateSchema).optional(),
  securityUpdates: z.array(securityUpdateSchema).optional(),
  reboot: rebootFactsSchema.optional(),
  kernel: kernelFactsSchema.optional(),
  autoUpdates: autoUpdatesFactsSchema.optional(),
  index: indexFactsSchema.optional(),
  osSupport: osSupportFactsSchema.optional(),
})
export type PatchesFacts = z.infer<typeof patchesFactsSchema>
