/* Estate Butler console: what the desk's pages (keys, notices, ...) share.
 *
 * rolePage() is a page's life behind the navigation: shown (and loaded) when chosen, hidden when
 * another is, and hidden when the session ends or its role may not see it. tell() is a page's
 * status line: an error, or (isError false) a note.
 */
import { on } from './session.js';

/**
 * The page app.js lists in its navigation. `view()` gives the page's section (built after this
 * is called), `load()` fills it each time it is shown.
 */
export function rolePage({ id, roles, label, view, load }) {
  const hide = () => { view().hidden = true; };
  const show = () => {
    view().hidden = false;
    load();
  };
  on('session', (s) => { if (!s || !roles.includes(s.role)) hide(); });
  return { id, roles, label, show, hide };
}

/** Say `text` on a page's status line (`node`), as an error or, with isError false, a note. */
export function tell(node, text, isError) {
  node.textContent = text;
  node.classList.toggle('form-info', !isError);
  node.hidden = false;
}
