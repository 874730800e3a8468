/** One line of /proc/mounts (fstab(5) field order). */
export interface Mount {
  source: string
  mountPoint: string
  type: string
  options: string[]
}

/**
 * Parses /proc/mounts (proc(5)): `source mountpoint type options dump pass`, with space,
 * tab, newline and backslash in names written as octal escapes (`\040`).
 */
export function parseProcMounts(text: string): Mount[] {
  return text.split('\n').flatMap((line) => {
    const [source, mountPoint, type, options] = line.trim().split(/\s+/)
    if (!source || !mountPoint || !type) return []
    return [{ source: unescapeOctal(source), mountPoint: unescapeOctal(mountPoint), type, options: (options ?? '').split(',').filter(Boolean) }]
  })
}

function unescapeOctal(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
}
