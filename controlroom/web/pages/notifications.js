/* Estate Butler control-room console: the notifications page and the top bar's failure chip
 * (ARCHITECTURE §10, issue 14).
 *
 *   page   GET /api/notifications filtered by state, kind and recipient (a role, a phone or
 *          a flat), newest first, with state and attempts; a failed one can be resent
 *          (POST /api/notifications/{id}/resend, audited by the control room).
 *   chip   while anyone is signed in, the number of failing notifications on the top bar
 *          (an escalation that cannot be delivered is itself an alarm for the operator);
 *          a click opens the page.
 *
 * An ES module: the page tells app.js which roles it serves; it hears sign-in, sign-out and
 * language changes through lib/session.js events. Words: i18n/notifications.json.
 */
import WORDS from '../i18n/notifications.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { format } from '../lib/format.js';
import { translateTree, translator } from '../lib/i18n.js';
import { emit, on, session } from '../lib/session.js';

const t = translator(WORDS);
// controlroom/api/deps.py NOTIFICATION_READERS and NOTIFICATION_RESENDERS.
const READERS = ['operator', 'supervisor', 'manager', 'frontdesk', 'maintenance', 'admin'];
const RESENDERS = ['operator', 'supervisor', 'frontdesk', 'admin'];
const KINDS = ['escalation', 'incident', 'held_item', 'held_item_reminder', 'held_item_final_notice',
  'held_item_report', 'request_overdue', 'waiting_for_parts', 'login_code', 'offline',
  'lent_follow_up'];
const REFRESH_MS = 5000;
const CHIP_MS = 5000;

const el = {};
let refreshTimer = null;
let chipTimer = null;

function build() {
  el.view = h('section', { cls: 'view notifications-view', testid: 'notifications-view',
                           hidden: true, 'data-state': 'idle' });
  el.view.dataset.words = 'notifications';
  el.form = h('form', { cls: 'n-filters', testid: 'notifications-filters', novalidate: true },
    h('label', {}, h('span', { i18n: 'n.state' }),
      h('select', { name: 'state', testid: 'n-filter-state' },
        h('option', { value: '', i18n: 'n.all' }),
        ...['queued', 'sent', 'failed'].map((s) => h('option', { value: s, i18n: `state.${s}` })))),
    h('label', {}, h('span', { i18n: 'n.kind' }),
      h('select', { name: 'kind', testid: 'n-filter-kind' }, h('option', { value: '', i18n: 'n.all' }),
        ...KINDS.map((k) => h('option', { value: k, text: k })))),
    h('label', {}, h('span', { i18n: 'n.recipient' }),
      h('input', { name: 'recipient', testid: 'n-filter-recipient', i18nPh: 'n.recipientPh',
                   size: 16 })),
    h('button', { type: 'submit', cls: 'btn', testid: 'n-filter-submit', i18n: 'n.filter' }));
  el.form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  el.form.addEventListener('change', () => load());
  el.status = h('p', { cls: 'form-error', testid: 'notifications-status', role: 'status',
                       hidden: true });
  el.body = h('tbody', { testid: 'notifications-rows' });
  el.table = h('table', { cls: 'table n-table' },
    h('thead', {}, h('tr', {}, ...['n.created', 'n.kind', 'n.recipient', 'n.subject', 'n.state',
      'n.attempts', 'n.error', ''].map((k) => h('th', k ? { i18n: k } : {})))), el.body);
  el.empty = h('p', { cls: 'desk-empty', testid: 'notifications-empty', i18n: 'n.empty',
                      hidden: true });
  el.view.append(h('h2', { i18n: 'n.heading' }), h('p', { cls: 'desk-hint', i18n: 'n.hint' }),
    el.form, el.status, el.table, el.empty);
  document.querySelector('main').append(el.view);
  buildChip();
  translateTree(el.view, t);
}

function buildChip() {
  el.chip = h('button', { type: 'button', cls: 'chip chip-failing', testid: 'notify-failing',
                          hidden: true, onclick: () => emit('show-page', 'notifications') });
  const right = document.querySelector('.topbar-right');
  if (right) right.prepend(el.chip);
}

// -- the page ----------------------------------------------------------------------------------

async function load() {
  const f = new FormData(el.form);
  const q = new URLSearchParams();
  for (const k of ['state', 'kind', 'recipient']) {
    const v = String(f.get(k) || '').trim();
    if (v) q.set(k, v);
  }
  let out;
  try {
    out = await api(`api/notifications?${q}`);
  } catch (e) {
    el.status.textContent = e.detail || String(e);
    el.status.hidden = false;
    return;
  }
  el.status.hidden = true;
  render(out.data);
  showFailing(out.failing);
  el.view.dataset.state = 'ready';
}

function render(rows) {
  const mayResend = RESENDERS.includes((session() || {}).role);
  el.body.replaceChildren(...rows.map((n) => h('tr', { 'data-id': n.id, 'data-state': n.state,
                                                      testid: 'notification-row' },
    h('td', { cls: 'mono', text: format(n.created_at, 'minute') }),
    h('td', { text: n.kind }),
    h('td', { cls: 'mono', text: n.unit ? `${n.recipient} (${n.unit})` : n.recipient }),
    h('td', { text: n.subject || n.text }),
    h('td', { cls: `n-state n-${n.state}`, testid: 'notification-state', text: t(`state.${n.state}`) }),
    h('td', { cls: 'mono', text: String(n.attempts) }),
    h('td', { cls: 'n-error', text: n.last_error }),
    h('td', {}, n.state === 'failed' && mayResend
      ? h('button', { type: 'button', cls: 'btn btn-small', testid: 'notification-resend',
                      text: t('n.resend'), onclick: () => resend(n.id) })
      : ''))));
  el.empty.hidden = rows.length > 0;
  el.table.hidden = rows.length === 0;
}

async function resend(id) {
  try {
    await api(`api/notifications/${id}/resend`, { method: 'POST' });
    el.status.textContent = t('n.resent');
  } catch (e) {
    el.status.textContent = e.detail || String(e);
  }
  el.status.hidden = false;
  load();
}

function show() {
  el.view.hidden = false;
  load();
  clearInterval(refreshTimer);
  refreshTimer = setInterval(load, REFRESH_MS);
}

function hide() {
  el.view.hidden = true;
  clearInterval(refreshTimer);
  refreshTimer = null;
}

// -- the top bar's chip ------------------------------------------------------------------------

function showFailing(n) {
  el.chip.hidden = !n;
  el.chip.dataset.count = String(n || 0);
  el.chip.textContent = n ? t('n.failing', { n }) : '';
}

async function pollFailing() {
  clearTimeout(chipTimer);
  if (!session()) { showFailing(0); return; }
  try {
    showFailing((await api('api/notifications?state=failed')).failing);
  } catch (e) {
    // Signed out meanwhile, or the server away: the connection indicator says so.
  }
  chipTimer = setTimeout(pollFailing, CHIP_MS);
}

build();
on('session', (s) => { if (s && READERS.includes(s.role)) pollFailing(); else showFailing(0); });
on('language', () => { translateTree(el.view, t); pollFailing(); });

export const notificationsPage = { id: 'notifications', roles: READERS,
                                   label: () => t('nav.notifications'), show, hide };
