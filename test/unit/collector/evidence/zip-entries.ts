import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import { promisify } from 'node:util'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { ZipFile as ZipWriter } from 'yazl'

/** Test helpers: a whole (small) zip read into memory, and written back, to tamper with it. */
export async function readZipEntries(path: string): Promise<Map<string, Buffer>> {
  const zip = await promisify<string, yauzl.Options, ZipFile>(yauzl.open)(path, { lazyEntries: true })
  const entries = new Map<string, Buffer>()
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject)
    zip.on('end', () => resolve())
    zip.on('entry', (entry: Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err)
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          entries.set(entry.fileName, Buffer.concat(chunks))
          zip.readEntry()
        })
        stream.on('error', reject)
      })
    })
    zip.readEntry()
  })
  return entries
}

export async function writeZipEntries(path: string, entries: ReadonlyMap<string, Buffer> | readonly [string, Buffer][]): Promise<void> {
  const zip = new ZipWriter()
  for (const [name, content] of entries) zip.addBuffer(content, name)
  const out = zip.outputStream.pipe(createWriteStream(path))
  zip.end()
  await finished(out)
}
