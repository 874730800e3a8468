import { compareDebianVersions } from './deb-version.js'

export interface InstalledKernel {
  /** The kernel release (`uname -r` form): `6.1.0-28-amd64`, `5.14.0-162.22.2.el9_1.x86_64`. */
  release: string
  /** Package version, for ordering (dpkg). */
  version: string | null
}

/**
 * `dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\n' 'linux-image-[0-9]*'`:
 * kernel image packages named `linux-image-<release>`. Only packages whose files are on
 * disk count (status second letter not `n`ot-installed or `c`onfig-files); debug symbol
 * packages (`-dbg`) are not kernels.
 */
export function parseDpkgKernels(text: string): InstalledKernel[] {
  const kernels: InstalledKernel[] = []
  for (const line of text.split('\n')) {
    const match = /^linux-image-(\S+) (\S+) (\S{2,3})\s*$/.exec(line)
    if (!match || match[1]!.endsWith('-dbg')) continue
    const state = match[3]![1]
    if (state === 'n' || state === 'c') continue
    kernels.push({ release: match[1]!, version: match[2]! })
  }
  return kernels
}

/**
 * The flavour of a kernel release: what follows the version and ABI number, so that a
 * `-cloud-amd64` kernel is compared with other `-cloud-amd64` kernels only.
 * `6.1.0-28-cloud-amd64` → `cloud-amd64`, `5.15.0-130-generic` → `generic`,
 * `6.6.58-0-lts` → `lts`, `6.18.44-fc-v769` → `fc-v769`.
 */
export function kernelFlavour(release: string): string {
  const match = /^\d+(?:\.\d+)*(?:-\d+)?-(.+)$/.exec(release)
  return match ? match[1]! : ''
}

/** The newest Debian kernel package of the running kernel's flavour, by package version. */
export function newestDebianKernel(kernels: readonly InstalledKernel[], running: string): InstalledKernel | null {
  const flavour = kernelFlavour(running)
  const candidates = kernels.filter((k) => kernelFlavour(k.release) === flavour)
  return candidates.reduce<InstalledKernel | null>((best, k) => (best === null || compareDebianVersions(k.version ?? '0', best.version ?? '0') > 0 ? k : best), null)
}

/**
 * `rpm -q --last kernel`: `kernel-<release>   <install date>`, newest install first (rpm(8)
 * `--last`). Vuls compares the first line with `kernel-$(uname -r)`. Returns the releases
 * in that order; `package kernel is not installed` gives none.
 */
export function parseRpmLastKernels(text: string): string[] {
  const releases: string[] = []
  for (const line of text.split('\n')) {
    const match = /^kernel-(\d\S*)\s+\S/.exec(line)
    if (match) releases.push(match[1]!)
  }
  return releases
}
