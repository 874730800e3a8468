/**
 * The dashboard's only way to build DOM. Text goes in as Text nodes, attributes through
 * setAttribute: agent-supplied strings (hostnames, messages, evidence) are untrusted
 * input and never reach an HTML parser (no innerHTML anywhere in the dashboard).
 */
export type Child = Node | string | number | null | undefined | false
export type Children = (Child | readonly Child[])[]
export type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Children): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  applyAttrs(el, attrs)
  append(el, children)
  return el
}

const svgNs = 'http://www.w3.org/2000/svg'

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Children): SVGElementTagNameMap[K] {
  const el = document.createElementNS(svgNs, tag)
  applyAttrs(el, attrs)
  append(el, children)
  return el
}

/** Replaces an element's children. */
export function mount(parent: Element, ...children: Children): void {
  parent.replaceChildren()
  append(parent, children)
}

function append(parent: Element, children: Children): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    parent.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child)
  }
}

function applyAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (!attrs) return
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, ''), value)
    } else if (value === true) {
      el.setAttribute(name, '')
    } else {
      el.setAttribute(name, String(value))
    }
  }
}
