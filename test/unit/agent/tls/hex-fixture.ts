import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Bytes of test/fixtures/tls/NAME (hex, whitespace ignored). */
export function readHexFixture(name: string): Buffer {
  const path = fileURLToPath(new URL(`../../../fixtures/tls/${name}`, import.meta.url))
  return Buffer.from(readFileSync(path, 'utf8').replace(/\s+/g, ''), 'hex')
}
