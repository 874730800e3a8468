/**
 * Runs at most `concurrency` tasks at a time, in submission order: the bound on how many
 * sockets one endpoint probe opens at once.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`)
  let active = 0
  const queue: (() => void)[] = []
  const next = () => {
    if (active >= concurrency) return
    const start = queue.shift()
    if (start) {
      active++
      start()
    }
  }
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--
            next()
          })
      })
      next()
    })
}
