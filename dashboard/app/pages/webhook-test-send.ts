import type { Delivery } from '../../../collector/alerts/alert-store.js'
import type { WebhookListing } from '../../../collector/alerts/alert-routes.js'
import type { AppContext } from '../context.js'
import { h } from '../dom.js'
import { formatTime } from '../format.js'

/** How long the page follows a test message before pointing at the delivery log. */
const followMs = 30_000
const pollMs = 300

/**
 * "Test send": queues a test message to one destination (POST /api/webhooks/:id/test),
 * then follows it in the delivery log until the receiver has answered, and shows that
 * answer (HTTP status or the error, the time taken, a retry's next attempt).
 */
export function testSendButton(ctx: AppContext, webhook: Pick<WebhookListing, 'id' | 'name'>, show: (result: HTMLElement) => void): HTMLElement {
  const button = h('button', { type: 'button', 'data-action': 'test', 'data-name': webhook.name }, 'Test send')
  button.addEventListener('click', () => {
    button.disabled = true
    const result = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite', 'data-test-result': 'sending' }, `Sending a test message to ${webhook.name}…`)
    show(result)
    void follow(ctx, webhook, result).finally(() => {
      button.disabled = false
    })
  })
  return button
}

async function follow(ctx: AppContext, webhook: Pick<WebhookListing, 'id' | 'name'>, result: HTMLElement): Promise<void> {
  const say = (state: string, ...text: (string | Node)[]) => {
    result.setAttribute('data-test-result', state)
    result.replaceChildren(...text)
  }
  try {
    const { messageId } = await ctx.api.send<{ messageId: string }>('POST', `/api/webhooks/${webhook.id}/test`)
    const deadline = Date.now() + followMs
    while (Date.now() < deadline) {
      const { deliveries } = await ctx.api.get<{ deliveries: Delivery[] }>(`/api/webhooks/${webhook.id}/deliveries?limit=50`)
      const latest = deliveries.find((d) => d.messageId === messageId)
      if (latest) {
        say(latest.outcome, `Test message to ${webhook.name}: `, deliveryOutcome(latest), ' ', answer(latest))
        if (latest.outcome !== 'retry') return
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs))
    }
    if (result.getAttribute('data-test-result') === 'sending') say('queued', `The test message to ${webhook.name} is still queued (other deliveries may be waiting on slow receivers); its delivery log will show the answer.`)
  } catch (err) {
    say('error', `Test send to ${webhook.name} failed: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** The receiver's answer in words: "HTTP 200 in 12 ms", "ECONNREFUSED in 3 ms; next attempt 2026-… UTC". */
export function answer(d: Delivery): string {
  const what = d.error && d.httpStatus === null ? d.error : `HTTP ${d.httpStatus ?? '—'}`
  return `${what} in ${d.durationMs} ms${d.nextAttemptAt ? `; next attempt ${formatTime(d.nextAttemptAt)}` : ''}`
}

const tones: Record<Delivery['outcome'], string> = { delivered: 'pass', retry: 'error', failed: 'fail' }

/** Delivered / retry / failed as a badge (colour and text together). */
export function deliveryOutcome(d: Pick<Delivery, 'outcome'>): HTMLElement {
  return h('span', { class: `status status-${tones[d.outcome]}` }, d.outcome)
}
