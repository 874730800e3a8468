/**
 * `stat -c '%Y %n' FILE…` (GNU coreutils and BusyBox): modification time in seconds since
 * the epoch, then the name. Files stat could not read are reported on stderr and skipped.
 */
export function parseStatTimes(text: string): { path: string; mtime: Date }[] {
  const times: { path: string; mtime: Date }[] = []
  for (const line of text.split('\n')) {
    const match = /^(\d+) (.+)$/.exec(line.trim())
    if (match) times.push({ path: match[2]!, mtime: new Date(Number(match[1]) * 1000) })
  }
  return times
}

/** The most recently modified file, or null. */
export function newestFile(times: readonly { path: string; mtime: Date }[]): { path: string; mtime: Date } | null {
  return times.reduce<{ path: string; mtime: Date } | null>((best, t) => (best === null || t.mtime > best.mtime ? t : best), null)
}
