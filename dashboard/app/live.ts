/**
 * Live updates: the collector pushes a Server-Sent Event when a report is stored, stored
 * facts are re-scored (rules, params or waivers changed), or a scan is requested; the open page refreshes itself, debounced so a burst of reports
 * costs one refresh. EventSource reconnects by itself; the header shows the state.
 */
export interface LiveEvent {
  type: string
  nodeId?: string
}

export function connectLive(onEvent: (event: LiveEvent) => void, onState: (connected: boolean) => void): () => void {
  const source = new EventSource('/api/events', { withCredentials: true })
  source.addEventListener('open', () => onState(true))
  source.addEventListener('error', () => onState(false))
  for (const type of ['report', 'rescore', 'scan-requested', 'node-offline']) {
    source.addEventListener(type, (e) => {
      const data = parseData((e as MessageEvent<string>).data)
      onEvent({ type, ...(data?.nodeId ? { nodeId: data.nodeId } : {}) })
    })
  }
  return () => source.close()
}

function parseData(text: string): { nodeId?: string } | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as { nodeId?: string }) : null
  } catch (err) {
    console.warn('posture: ignoring a malformed live event', err)
    return null
  }
}

/** Calls `fn` once, `delayMs` after the last of a burst of calls. */
export function debounce(fn: () => void, delayMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  return () => {
    clearTimeout(timer)
    timer = setTimeout(fn, delayMs)
  }
}
