import type { Cluster } from './cluster.js'

/**
 * Runs `job` when this collector becomes the cluster's leader: at once if it leads now,
 * then each time it takes the lease over (the leader died or left). Alone (SQLite, or the
 * only collector) that is once, at start. Used for re-scoring stale nodes at start: two
 * collectors starting together must not both re-score (each node would get two `rescore`
 * entries and its alerts twice); a collector taking over re-scores what a dead leader left.
 * A run still going when leadership comes back is not started twice. Returns the stop function.
 */
export function whenLeading(cluster: Pick<Cluster, 'leads'>, job: () => Promise<unknown>, everyMs = 1_000): () => void {
  let leading = false
  let running = false
  const check = (): void => {
    const now = cluster.leads()
    if (now && !leading && !running) {
      running = true
      void job().finally(() => (running = false))
    }
    leading = now
  }
  check()
  const timer = setInterval(check, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
