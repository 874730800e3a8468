/**
 * Keeps keyboard focus when a page re-renders (a filter applied, a live update, a row
 * changed): the focused control is found again in the new DOM by its id, its
 * `data-action` or its link target; if it is gone, focus moves to `fallback` (the page's
 * main region) instead of falling back to the top of the document, where a keyboard user
 * would have to Tab through the whole navigation again.
 */
export function focusedSelector(within: Element): string | null {
  const el = document.activeElement
  if (!el || el === document.body || !within.contains(el) || el === within) return null
  if (el.id) return `#${CSS.escape(el.id)}`
  const action = el.getAttribute('data-action')
  const name = el.getAttribute('data-name')
  if (action) return `[data-action="${CSS.escape(action)}"]${name ? `[data-name="${CSS.escape(name)}"]` : ''}`
  const href = el.getAttribute('href')
  if (el.tagName === 'A' && href) return `a[href="${CSS.escape(href)}"]`
  return ''
}

/** After a re-render: focus the control `selector` names, else `fallback` if focus was lost. */
export function restoreFocus(within: Element, selector: string | null, fallback: HTMLElement): void {
  if (selector === null) return
  const target = selector ? within.querySelector<HTMLElement>(selector) : null
  if (target) target.focus({ preventScroll: true })
  else if (document.activeElement === document.body || !document.activeElement?.isConnected) fallback.focus({ preventScroll: true })
}
