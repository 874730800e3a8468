import type { HostKeyRecord } from '../../../collector/ssh/ssh-node-store.js'
import type { SshNode, SshNodeSpecInput } from '../../../collector/ssh/ssh-node-spec.js'
import type { AppContext, Page } from '../context.js'
import { h, mount } from '../dom.js'
import { focusedSelector, restoreFocus } from '../focus.js'
import { formatAge, formatLabels, formatTime } from '../format.js'
import { confirmButton } from '../components/confirm-button.js'
import { dataTable, section } from '../components/table.js'
import { getOrAbsent, notServed } from './schedules.js'

/** GET /api/ssh-nodes: a node with its address and pinned host key (ssh-node-routes.ts). */
export type SshNodeView = SshNode & { address: string; hostKey: HostKeyRecord | null }

/**
 * Agentless SSH nodes: each node's address, the host key pinned at first use and the
 * last scan. Operators and admins add and remove nodes; when a node presents a different
 * host key its scans are refused, and only an admin, after checking the new fingerprint
 * on the node's console, pins it. Auditors read.
 */
export async function sshNodesPage(ctx: AppContext): Promise<Page> {
  const element = h('div')
  const canWrite = ctx.can('schedules.write')
  const canTrust = ctx.can('hostkeys.trust')
  const act = async (action: () => Promise<unknown>, done: string) => {
    const focus = focusedSelector(element)
    try {
      await action()
      ctx.notify(done)
    } catch (err) {
      ctx.notify(err instanceof Error ? err.message : String(err), 'error')
    }
    await load()
    restoreFocus(element, focus, document.getElementById('main') ?? element)
  }
  const load = async () => {
    const data = await getOrAbsent<{ nodes: SshNodeView[] }>(ctx, '/api/ssh-nodes')
    if (!data) return mount(element, notServed('SSH nodes'))
    const { nodes } = data
    const now = ctx.now()
    const changed = nodes.filter(hasChangedKey)
    mount(
      element,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'SSH nodes'), h('p', { class: 'muted' }, 'Nodes scanned over SSH by "ssh" schedules, without an agent. Host keys are pinned at first use; a changed key stops the scans until it is verified.'))),
      changed.length ? h('div', { class: 'notice bad', role: 'alert' }, `${changed.length} node${changed.length === 1 ? '' : 's'} presented a different host key: ${changed.map((n) => n.name).join(', ')}. Scans of ${changed.length === 1 ? 'it' : 'them'} are refused until the new key is verified.`) : null,
      section(
        'Nodes',
        dataTable<SshNodeView>(nodes, [
          { label: 'Name', cell: (n) => h('strong', { class: 'node-link' }, n.name) },
          { label: 'Address', cell: (n) => [h('code', null, n.address), n.sudo ? h('div', { class: 'muted' }, 'with sudo') : null] },
          { label: 'Key', cell: (n) => h('code', null, n.key) },
          { label: 'Labels', cell: (n) => (Object.keys(n.labels).length ? h('span', { class: 'chip' }, formatLabels(n.labels)) : '—') },
          { label: 'Host key', cell: (n) => hostKeyCell(n, canTrust, (fingerprint) => void act(() => ctx.api.send('POST', `/api/ssh-nodes/${encodeURIComponent(n.name)}/trust`, { fingerprint }), `New host key of ${n.name} pinned`)), className: 'wide' },
          { label: 'Last scan', cell: (n) => lastScan(n, now) },
          ...(canWrite ? [{ label: 'Actions', cell: (n: SshNodeView) => confirmButton('Remove', `Remove ${n.name}?`, () => void act(() => ctx.api.send('DELETE', `/api/ssh-nodes/${encodeURIComponent(n.name)}`), `SSH node ${n.name} removed`)) }] : []),
        ], { caption: 'SSH nodes', empty: 'No SSH nodes yet.' }),
      ),
      canWrite ? addForm(ctx, load) : null,
    )
  }
  await load()
  return { element, title: 'SSH nodes', refresh: load }
}

function hasChangedKey(n: SshNodeView): boolean {
  return n.hostKey?.refused?.fingerprint != null && n.hostKey.refused.fingerprint !== n.hostKey.fingerprint
}

function hostKeyCell(n: SshNodeView, canTrust: boolean, trust: (fingerprint: string) => void): HTMLElement {
  const key = n.hostKey
  if (!key) return h('span', { class: 'muted' }, 'not pinned yet: the first scan pins it')
  const pinned = h('div', null, h('span', { class: 'muted' }, `${key.keyType} `), h('code', { class: 'fingerprint', 'data-fingerprint': 'pinned' }, key.fingerprint), h('div', { class: 'muted' }, `pinned ${formatTime(key.firstSeen)}${key.lastVerified ? `, verified ${formatTime(key.lastVerified)}` : ''}`))
  if (!hasChangedKey(n)) return pinned
  const refused = key.refused!
  const box = h(
    'div',
    { class: 'key-changed' },
    pinned,
    h('p', { class: 'bad-text' }, `Changed: ${refused.keyType ?? 'unknown type'} `, h('code', { class: 'fingerprint', 'data-fingerprint': 'refused' }, refused.fingerprint ?? ''), ` presented ${formatTime(refused.at)}`),
  )
  if (!canTrust) {
    box.append(h('p', { class: 'muted' }, 'An admin can pin it once it is verified.'))
    return box
  }
  // The person types (or pastes) the fingerprint they read on the node's own console
  // (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`); the API pins only if it matches.
  const inputId = `trust-${n.name}`
  const input = h('input', { id: inputId, required: true, autocomplete: 'off', spellcheck: 'false', pattern: 'SHA256:[A-Za-z0-9+/]+', placeholder: 'SHA256:…' })
  const form = h(
    'form',
    { class: 'trust-form' },
    h('label', { for: inputId }, `Fingerprint verified on ${n.name}'s console`),
    h('div', { class: 'secret-row' }, input, h('button', { type: 'submit', class: 'danger' }, 'Pin new key')),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    trust(input.value.trim())
  })
  box.append(form)
  return box
}

function lastScan(n: SshNodeView, now: number): HTMLElement {
  if (!n.lastScanAt) return h('span', { class: 'muted' }, 'never scanned')
  return h(
    'div',
    null,
    h('span', { title: formatTime(n.lastScanAt) }, formatAge(n.lastScanAt, now)),
    n.nodeId ? h('div', null, h('a', { href: `#/nodes/${encodeURIComponent(n.nodeId)}` }, 'findings')) : null,
    n.lastError ? h('div', { class: 'bad-text' }, n.lastError) : null,
  )
}

function addForm(ctx: AppContext, reload: () => Promise<void>): HTMLElement {
  const field = (name: string, label: string, attrs: Record<string, string | boolean> = {}, hint?: string) =>
    h('div', { class: 'field' }, h('label', { for: `ssh-${name}` }, label), h('input', { id: `ssh-${name}`, name, autocomplete: 'off', ...attrs }), hint ? h('p', { class: 'hint' }, hint) : null)
  const sudo = h('input', { type: 'checkbox', id: 'ssh-sudo', name: 'sudo' })
  const form = h(
    'form',
    { class: 'inline-form panel', id: 'add-ssh-node' },
    h('h2', null, 'Add an SSH node'),
    field('name', 'Name', { required: true, pattern: '[a-z0-9][a-z0-9._\\-]{0,63}', placeholder: 'legacy-db-01' }),
    field('address', 'Address', { required: true, placeholder: 'audit@10.0.0.5:22' }, 'USER@HOST[:PORT]'),
    field('key', 'Private key', { required: true, placeholder: '/etc/posture/id_ed25519', value: 'agent' }, 'an absolute path on the collector, or "agent"'),
    field('labels', 'Labels (k=v,…)', { placeholder: 'role=db' }),
    h('div', { class: 'field checkbox' }, sudo, h('label', { for: 'ssh-sudo' }, 'Use sudo')),
    h('button', { type: 'submit', class: 'primary' }, 'Add SSH node'),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(form)
    const text = (k: string) => String(data.get(k) ?? '').trim()
    const labels: Record<string, string> = {}
    for (const pair of text('labels').split(',').map((p) => p.trim()).filter(Boolean)) {
      const at = pair.indexOf('=')
      labels[at === -1 ? pair : pair.slice(0, at).trim()] = at === -1 ? '' : pair.slice(at + 1).trim()
    }
    const body: SshNodeSpecInput = { name: text('name'), address: text('address'), key: text('key'), sudo: sudo.checked, labels }
    void ctx.api
      .send<{ node: SshNodeView }>('POST', '/api/ssh-nodes', body)
      .then(({ node }) => ctx.notify(`SSH node ${node.name} added; its first scan pins its host key`))
      .then(reload)
      .catch((err: unknown) => ctx.notify(err instanceof Error ? err.message : String(err), 'error'))
  })
  return form
}
