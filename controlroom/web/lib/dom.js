/* Estate Butler console: the one way the console makes and finds elements. */

export const $ = (sel, root) => (root || document).querySelector(sel);
export const byTestId = (id, root) => $(`[data-testid="${id}"]`, root);

/** Set a node's text, touching the DOM only when it changes (keeps selections and focus). */
export function setText(node, text) {
  const v = text === null || text === undefined ? '' : String(text);
  if (node.textContent !== v) node.textContent = v;
}

/**
 * A new element. attrs: `class` (or `cls`), `testid`, `text`, `i18n` (a word key: the text,
 * translated by translateTree; with `t` given it is filled in at once), `i18nPh` (the same for
 * the placeholder), `style` (an object of CSS properties: set through the CSSOM, which the
 * Content-Security-Policy allows), `onX` (a listener for event X); true sets an empty
 * attribute; false, null and undefined set nothing; anything else is an attribute. Children:
 * nodes, strings, or arrays of them; null, undefined and false are skipped.
 */
export function h(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class' || k === 'cls') n.className = v;
    else if (k === 'testid') n.dataset.testid = v;
    else if (k === 'text') n.textContent = v;
    else if (k === 'i18n') n.dataset.i18n = v;
    else if (k === 'i18nPh') n.dataset.i18nPlaceholder = v;
    else if (k === 'style') Object.assign(n.style, v);
    else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}
