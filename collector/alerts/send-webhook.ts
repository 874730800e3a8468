import { errorMessage } from '../../rules/posture-error.js'
import { signatureHeader, signBody } from './alert-payload.js'

export interface SendResult {
  ok: boolean
  httpStatus: number | null
  error: string | null
  durationMs: number
}

/**
 * One POST of one body to one destination, bounded by `timeoutMs` (a receiver that
 * hangs costs a delivery slot for that long, never ingest). Redirects are not followed:
 * a destination that moved is a destination to fix, not to guess. The response body is
 * read and discarded (capped), so the connection can be reused.
 */
export async function sendWebhook(
  target: { url: string; format: 'json' | 'slack'; secret: string },
  body: string,
  headers: { messageId: string; userAgent: string },
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<SendResult> {
  const started = performance.now()
  const requestHeaders: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': headers.userAgent,
    'x-posture-delivery': headers.messageId,
  }
  if (target.format === 'json') requestHeaders[signatureHeader] = signBody(body, target.secret)
  try {
    const response = await fetch(target.url, { method: 'POST', body, headers: requestHeaders, redirect: 'manual', signal: cancel ? AbortSignal.any([cancel, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel().catch(() => undefined)
    const ok = response.status >= 200 && response.status < 300
    return { ok, httpStatus: response.status, error: ok ? null : `HTTP ${response.status}`, durationMs: performance.now() - started }
  } catch (err) {
    const reason = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError') ? `no response within ${timeoutMs} ms` : describe(err)
    return { ok: false, httpStatus: null, error: reason, durationMs: performance.now() - started }
  }
}

/** fetch's own message is "fetch failed"; the cause says what (ECONNREFUSED, a TLS error). */
function describe(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined
  return cause?.code ?? cause?.message ?? errorMessage(err)
}
