/* Estate Butler console: the one t().
 *
 * Words live in tables `{key: [zh, en]}` (web/i18n/). translator(...tables) gives a t() that
 * looks a key up in those tables in order, in the language of the session (lib/session.js),
 * and fills `{name}` from params. translateTree() sets the text of every [data-i18n] element
 * (and the placeholder of [data-i18n-placeholder]) under a root; a page's own root is marked
 * data-words, so another page's translateTree leaves it alone.
 */
import { h } from './dom.js';
import { lang } from './session.js';

/** `text` with each `{name}` replaced by params[name] (left as it is when not given). */
export function fill(text, params) {
  if (!params || typeof text !== 'string') return text;
  return text.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined && params[k] !== null ? String(params[k]) : m));
}

export function translator(...tables) {
  const lookup = (key) => {
    const i = lang() === 'en' ? 1 : 0;
    for (const table of tables) {
      const entry = table[key];
      if (entry) return entry[i] ?? entry[0];
    }
    return undefined;
  };
  /** The words for `key` in the console's language; the key itself when unknown. */
  const t = (key, params) => {
    const s = lookup(key);
    return s === undefined ? key : fill(s, params);
  };
  /** The words for `key`, or `fallback` when there are none (e.g. a kind not in the table). */
  t.or = (key, fallback) => {
    const s = lookup(key);
    return s === undefined ? fallback : s;
  };
  return t;
}

/** Translate the labels under `root` (a node, document, or a template's content) with t. */
export function translateTree(root, t) {
  const scope = root.closest ? root.closest('[data-words]') : null;
  const mine = (n) => n.closest('[data-words]') === scope;
  root.querySelectorAll('[data-i18n]').forEach((n) => {
    if (!mine(n)) return;
    const v = t(n.dataset.i18n);
    if (n.textContent !== v) n.textContent = v;
  });
  root.querySelectorAll('[data-i18n-placeholder]').forEach((n) => {
    if (mine(n)) n.placeholder = t(n.dataset.i18nPlaceholder);
  });
}

/** An h() (lib/dom.js) whose `i18n` labels are filled in with t at once, for what a page
 * builds after its words were translated (translateTree finds them again later). */
export function wordsH(t) {
  return (tag, attrs, ...children) => {
    const n = h(tag, attrs, ...children);
    if (attrs && attrs.i18n) n.textContent = t(attrs.i18n);
    return n;
  };
}
