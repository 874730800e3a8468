import { h } from '../dom.js'

/**
 * A destructive button that asks twice, in the page (no window.confirm): the first press
 * turns it into "`question` Yes / No"; leaving it with the keyboard or pressing No puts it
 * back. Works by keyboard, and a screen reader hears the question.
 */
export function confirmButton(label: string, question: string, onConfirm: () => void): HTMLElement {
  const box = h('span', { class: 'confirm' })
  const ask = h('button', { type: 'button', class: 'danger', 'data-action': 'delete' }, label)
  const reset = () => {
    box.replaceChildren(ask)
  }
  ask.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'danger', 'data-action': 'confirm' }, `Yes, ${label.toLowerCase()}`)
    const no = h('button', { type: 'button', 'data-action': 'cancel' }, 'No')
    yes.addEventListener('click', () => {
      yes.disabled = true
      onConfirm()
    })
    no.addEventListener('click', () => {
      reset()
      ask.focus()
    })
    box.replaceChildren(h('span', { role: 'alert', class: 'confirm-question' }, question), ' ', yes, ' ', no)
    yes.focus()
  })
  box.addEventListener('focusout', (event) => {
    const next = (event as FocusEvent).relatedTarget
    if (next instanceof Node && box.contains(next)) return
    if (box.contains(ask)) return
    // Leaving the question without answering cancels it (a later Tab back finds "Delete").
    if (next !== null) reset()
  })
  box.append(ask)
  return box
}
