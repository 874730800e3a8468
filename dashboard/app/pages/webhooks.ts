import type { WebhookList, WebhookListing } from '../../../collector/alerts/alert-routes.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { formatAge } from '../format.js'
import { confirmButton } from '../components/confirm-button.js'
import { oneTimeSecret } from '../components/one-time-secret.js'
import { dataTable, section } from '../components/table.js'
import { deliveryOutcome, testSendButton } from './webhook-test-send.js'
import { webhookForm } from './webhook-form.js'

/**
 * Webhooks (issue 12): where alerts go. Each destination with its format, events, minimum
 * severity and last delivery; its delivery log one click away. Operators and admins add,
 * test-send and remove; auditors read. URLs are listed shortened (the API never returns a
 * whole one: Slack-style URLs are secrets); the signing secret is shown once, on creation.
 */
export async function webhooksPage(ctx: AppContext): Promise<Page> {
  const element = h('div')
  const notice = h('div', { 'data-notice': '' })
  const canManage = ctx.can('alerts.manage')
  const load = async () => {
    const list = await ctx.api.get<WebhookList>('/api/webhooks')
    mount(
      element,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Webhooks'), h('p', { class: 'muted' }, 'Alerts go to these destinations: one message per node per scan, retried with backoff until the receiver answers 2xx. Generic JSON messages are signed (X-Posture-Signature).'))),
      notice,
      section('Destinations', destinations(ctx, list, load, notice)),
      canManage
        ? webhookForm(list, async (spec) => {
            const created = await ctx.api.send<{ webhook: WebhookListing; secret: string }>('POST', '/api/webhooks', spec)
            await load()
            mount(
              notice,
              created.webhook.format === 'json'
                ? oneTimeSecret(`Signing secret for ${created.webhook.name}`, created.secret, 'Check X-Posture-Signature (sha256= HMAC-SHA256 of the body) with it.')
                : h('div', { class: 'notice', role: 'status' }, `Destination ${created.webhook.name} added. Slack messages are not signed.`),
            )
          })
        : h('p', { class: 'muted' }, 'Operators and admins add, test and remove destinations.'),
    )
  }
  await load()
  return { element, title: 'Webhooks', refresh: load }
}

function destinations(ctx: AppContext, list: WebhookList, reload: () => Promise<void>, notice: HTMLElement): HTMLElement {
  const canManage = ctx.can('alerts.manage')
  const all = list.eventTypes.length
  return dataTable<WebhookListing>(list.webhooks, [
    { label: 'Name', cell: (w) => h('a', { href: `#/webhooks/${w.id}`, class: 'node-link', 'data-name': w.name }, w.name) },
    { label: 'URL', cell: (w) => h('code', { class: 'target' }, w.url), className: 'wide' },
    { label: 'Format', cell: (w) => (w.format === 'json' ? 'JSON (signed)' : 'Slack') },
    { label: 'Events', cell: (w) => (w.events.length === all ? 'all events' : h('span', { class: 'chips' }, w.events.map((e) => h('span', { class: 'chip' }, e)))), className: 'wide' },
    { label: 'Min severity', cell: (w) => h('span', { class: `severity severity-${w.minSeverity}` }, `${w.minSeverity}+`) },
    {
      label: 'Last delivery',
      cell: (w) => (w.lastDelivery ? [deliveryOutcome(w.lastDelivery), h('div', { class: 'muted' }, formatAge(w.lastDelivery.at, ctx.now()))] : h('span', { class: 'muted' }, 'none yet')),
    },
    {
      label: 'Actions',
      cell: (w) =>
        h(
          'div',
          { class: 'row-actions' },
          h('a', { href: `#/webhooks/${w.id}`, class: 'button', 'data-action': 'log', 'data-name': w.name }, 'Delivery log'),
          canManage ? testSendButton(ctx, w, (result) => mount(notice, result)) : null,
          canManage
            ? confirmButton('Remove', `Remove ${w.name}?`, () => {
                void ctx.api
                  .send('DELETE', `/api/webhooks/${w.id}`)
                  .then(() => ctx.notify(`Destination ${w.name} removed`))
                  .catch((err: unknown) => ctx.notify(err instanceof Error ? err.message : String(err), 'error'))
                  .then(reload)
              })
            : null,
        ),
    },
  ], { caption: 'Webhook destinations', empty: 'No destinations yet: alerts are not sent anywhere.' })
}
