/* Estate Butler console: the audit log (supervisor, admin), filtered by actor, target, action
 * and time (site time). API: GET /api/audit (routes/audit.py). Words: i18n/audit.json.
 * Test hooks: data-testid; rows carry data-action and data-actor.
 */
import WORDS from '../i18n/audit.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { format, fromLocalInput } from '../lib/format.js';
import { translateTree, translator } from '../lib/i18n.js';
import { rolePage } from '../lib/page.js';
import { on } from '../lib/session.js';

const t = translator(WORDS);
const ROLES = ['supervisor', 'admin'];
const el = {};
let rows = [];

const field = (key, input) => h('label', { cls: 'desk-field' }, h('span', { i18n: key }), input);

function build() {
  el.view = h('section', { cls: 'desk', testid: 'audit-view', hidden: true, 'data-words': 'audit' });
  tid('desk-view').after(el.view);
  el.form = h('form', { cls: 'desk-row desk-filters', testid: 'audit-filters' },
    field('aud.actor', h('input', { name: 'actor', testid: 'audit-actor', size: 12 })),
    field('aud.target', h('input', { name: 'target', testid: 'audit-target', size: 16 })),
    field('aud.action', h('input', { name: 'action', testid: 'audit-action', size: 16 })),
    field('aud.since', h('input', { name: 'since', type: 'datetime-local', testid: 'audit-since' })),
    field('aud.until', h('input', { name: 'until', type: 'datetime-local', testid: 'audit-until' })),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'audit-search', i18n: 'aud.search' }));
  el.form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  el.status = h('p', { cls: 'form-error', testid: 'audit-status', role: 'status', hidden: true });
  el.body = h('tbody', { testid: 'audit-body' });
  el.view.append(h('h2', { i18n: 'aud.heading' }), el.form, el.status,
    h('table', { cls: 'board desk-table', testid: 'audit-table' },
      h('thead', {}, h('tr', {}, ...['at', 'actor', 'action', 'target', 'detail'].map((c) => h('th', { i18n: `col.${c}` })))),
      el.body));
  translateTree(el.view, t);
}

async function load() {
  const f = new FormData(el.form);
  const params = new URLSearchParams();
  for (const k of ['actor', 'target', 'action']) {
    const v = String(f.get(k) || '').trim();
    if (v) params.set(k, v);
  }
  for (const k of ['since', 'until']) {
    const v = fromLocalInput(f.get(k));
    if (v) params.set(k, v);
  }
  try {
    rows = (await api(`api/audit?${params}`)).data;
  } catch (e) {
    el.status.textContent = e.detail;
    el.status.classList.remove('form-info');
    el.status.hidden = false;
    return;
  }
  render();
}

function render() {
  el.status.textContent = rows.length ? t('aud.count', { n: rows.length }) : t('aud.empty');
  el.status.classList.add('form-info');
  el.status.hidden = false;
  el.body.replaceChildren(...rows.map((r) => h('tr', { testid: 'audit-row', 'data-action': r.action, 'data-actor': r.actor },
    h('td', { cls: 'mono', text: format(r.at, 'full') }), h('td', { testid: 'audit-row-actor', text: r.actor }),
    h('td', { cls: 'mono', text: r.action }), h('td', { cls: 'mono', text: r.target }),
    h('td', { text: r.detail }))));
}

export const auditPage = rolePage({
  id: 'audit', roles: ROLES, label: () => t('nav.audit'), view: () => el.view, load,
});

build();
on('signout', () => { rows = []; el.body.replaceChildren(); auditPage.hide(); });
on('language', () => { translateTree(el.view, t); if (rows.length) render(); });
