import { readFileSync } from 'node:fs'

/** What a benchmark reads of another process from /proc (proc(5)). */

/** Resident set size in bytes (VmRSS of /proc/PID/status). */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) * 1024 : 0
}

/**
 * CPU seconds a process has used: fields 14-15 of /proc/PID/stat (utime, stime), with
 * `children` also 16-17 (cutime, cstime: children that were waited for), in USER_HZ ticks
 * of 1/100 s. The fields are counted after the "(comm)" field, which may contain spaces.
 */
export function cpuSecondsOf(pid: number, options: { children?: boolean } = {}): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
  const ticks = fields[11]! + fields[12]! + (options.children ? fields[13]! + fields[14]! : 0)
  return ticks / 100
}
