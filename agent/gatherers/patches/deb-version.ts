/**
 * Compares two Debian package versions as dpkg does (Debian Policy 5.6.12; dpkg's
 * lib/dpkg/version.c `dpkg_version_compare`): epoch numerically, then upstream version
 * and revision with `verrevcmp`, where `~` sorts before everything, even the end of the
 * string, and letters sort before other characters. Negative, zero or positive, like a
 * sort comparator.
 */
export function compareDebianVersions(a: string, b: string): number {
  const left = splitVersion(a)
  const right = splitVersion(b)
  if (left.epoch !== right.epoch) return left.epoch - right.epoch
  return verrevcmp(left.upstream, right.upstream) || verrevcmp(left.revision, right.revision)
}

function splitVersion(version: string): { epoch: number; upstream: string; revision: string } {
  const colon = version.indexOf(':')
  const epoch = colon > 0 ? Number.parseInt(version.slice(0, colon), 10) : 0
  const rest = colon > 0 ? version.slice(colon + 1) : version
  const hyphen = rest.lastIndexOf('-')
  return {
    epoch: Number.isFinite(epoch) ? epoch : 0,
    upstream: hyphen >= 0 ? rest.slice(0, hyphen) : rest,
    revision: hyphen >= 0 ? rest.slice(hyphen + 1) : '',
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

/** dpkg's `order()`: `~` < end of string < letters < everything else. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0)
  if (c === '~') return -1
  return c.charCodeAt(0) + 256
}

function verrevcmp(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    let firstDiff = 0
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i])
      const bc = order(b[j])
      if (ac !== bc) return ac - bc
      i++
      j++
    }
    while (a[i] === '0') i++
    while (b[j] === '0') j++
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j)
      i++
      j++
    }
    if (isDigit(a[i])) return 1
    if (isDigit(b[j])) return -1
    if (firstDiff) return firstDiff
  }
  return 0
}
