import type { Delivery } from '../../../collector/alerts/alert-store.js'
import type { WebhookList } from '../../../collector/alerts/alert-routes.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { formatTime } from '../format.js'
import { dataTable, section } from '../components/table.js'
import { answer, deliveryOutcome, testSendButton } from './webhook-test-send.js'

/**
 * One destination's delivery log (GET /api/webhooks/:id/deliveries): every attempt, newest
 * first, with what the message was about, the receiver's answer and, for a message still
 * being retried, when the next attempt is due. Managers can test-send from here too.
 */
export async function webhookDeliveriesPage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const id = Number(params.id)
  const element = h('div')
  const notice = h('div', { 'data-notice': '' })
  const load = async () => {
    const [{ webhooks }, { deliveries }] = await Promise.all([
      ctx.api.get<WebhookList>('/api/webhooks'),
      ctx.api.get<{ deliveries: Delivery[] }>(`/api/webhooks/${id}/deliveries?limit=200`),
    ])
    const webhook = webhooks.find((w) => w.id === id)
    if (!webhook) throw new Error(`no webhook ${id}`)
    mount(
      element,
      h('p', { class: 'crumbs' }, h('a', { href: '#/webhooks' }, 'Webhooks'), ' / ', webhook.name),
      h(
        'div',
        { class: 'page-head' },
        h('div', null, h('h1', null, `Deliveries to ${webhook.name}`), h('p', { class: 'muted' }, h('code', null, webhook.url), ` · ${webhook.format === 'json' ? 'JSON (signed)' : 'Slack'} · ${webhook.minSeverity} and above`)),
        ctx.can('alerts.manage') ? h('div', { class: 'head-tools' }, testSendButton(ctx, webhook, (result) => mount(notice, result))) : null,
      ),
      notice,
      section(
        'Delivery log',
        dataTable<Delivery>(deliveries, [
          { label: 'Time', cell: (d) => h('time', { datetime: d.at }, formatTime(d.at)) },
          { label: 'Message', cell: (d) => [h('span', null, d.kind ?? '—'), h('div', { class: 'muted' }, h('code', null, d.messageId.slice(0, 8)))] },
          { label: 'Events', cell: (d) => (d.events.length ? h('span', { class: 'chips' }, d.events.map((e) => h('span', { class: 'chip' }, e))) : '—'), className: 'wide' },
          { label: 'Attempt', cell: (d) => String(d.attempt), className: 'num' },
          { label: 'Outcome', cell: (d) => deliveryOutcome(d) },
          { label: 'Answer', cell: (d) => answer(d).replace(/; next attempt .*$/, ''), className: 'wide' },
          { label: 'Next retry', cell: (d) => (d.nextAttemptAt ? h('time', { datetime: d.nextAttemptAt }, formatTime(d.nextAttemptAt)) : '—') },
        ], { caption: `Delivery log of ${webhook.name}`, empty: 'Nothing sent to this destination yet.' }),
      ),
    )
  }
  await load()
  return { element, title: 'Webhook deliveries', refresh: load }
}
