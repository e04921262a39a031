/* Estate Butler control-room console: the front-desk pages (held items).
 *
 * Parcel check-in (the pickup code is shown once, for the claim stub), the held-items
 * register with release at the desk, and the daily reconciliation against the shelves.
 * An ES module: the page (deskPage) tells app.js which roles it serves; it hears sign-out
 * and language changes through lib/session.js events. Words: i18n/desk.json.
 *
 * Test hooks: data-testid on every element a test needs; register rows carry data-item-id
 * and data-serial.
 */
import DESK_WORDS from '../i18n/desk.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { $, byTestId as tid, h } from '../lib/dom.js';
import { clear as clearFields, show as showFields } from '../lib/fielderrors.js';
import { format } from '../lib/format.js';
import { translateTree, translator } from '../lib/i18n.js';
import { lang, on } from '../lib/session.js';

const t = translator(DESK_WORDS);
const DESK_ROLES = ['frontdesk', 'supervisor', 'admin'];
const FLAGS = ['dangerous', 'perishable', 'insect_prone', 'smelly', 'cash', 'valuables'];
const KINDS = ['parcel', 'deposit', 'handover', 'key']; // the register's filter: older records
// A flat's door key is not checked in here: it goes to key custody, with its declaration.
const INTAKE_KINDS = KINDS.filter((k) => k !== 'key');

const st = {
  view: 'board', // board | desk
  tab: 'checkin',
  items: [],
  recon: [],
};

/** The site's time, `YYYY-MM-DD HH:mm` (lib/format.js: the console's one format). */
const fmt = (iso) => (iso ? format(iso, 'minute') : '');

function days(iso) {
  return Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
}

// Field errors in the console's language (lib/fielderrors.js); false when none names a field.
const showFieldErrors = (form, err, summary, opts) => showFields(form, err.body, summary, opts);

const CHECKIN_HINTS = { location: () => t('f.locationHint') };
const RELEASE_CODES = {
  id_required: ['id_number', () => t('release.idRequired')],
  not_entitled: ['collector', () => t('release.notEntitled')],
  pieces_mismatch: ['pieces', () => t('release.piecesMismatch')],
};

function showError(node, err) {
  const body = err.body || {};
  // A refusal at intake carries its reason in both languages.
  const text = lang() === 'zh' && body.reason_zh ? body.reason_zh : err.detail;
  node.textContent = text;
  node.hidden = false;
}

// -- building the pages ---------------------------------------------------------------------

const el = {};

function build() {
  el.view = tid('desk-view');
  el.view.dataset.words = 'desk'; // its labels are translated here (translateTree)

  const tabs = h('div', { cls: 'desk-tabs', role: 'tablist' },
    ...['checkin', 'register', 'reconcile'].map((k) => h('button', {
      type: 'button', cls: 'btn desk-tab', testid: `desk-tab-${k}`, i18n: `tab.${k}`,
      'data-tab': k, role: 'tab' })));
  tabs.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-tab]');
    if (b) showTab(b.dataset.tab);
  });
  el.view.append(tabs, buildCheckin(), buildRegister(), buildReconcile());
  translate();
}

function field(labelKey, input) {
  return h('label', { cls: 'desk-field' }, h('span', { i18n: labelKey }), input);
}

function buildCheckin() {
  const form = h('form', { cls: 'desk-form', testid: 'checkin-form', novalidate: true },
    h('h2', { i18n: 'checkin.heading' }),
    h('div', { cls: 'desk-row' },
      field('f.unit', h('input', { name: 'unit', testid: 'checkin-unit', required: true,
                                   i18nPh: 'f.unitPh', autocomplete: 'off', size: 13 })),
      field('f.kind', h('select', { name: 'kind', testid: 'checkin-kind' },
        ...INTAKE_KINDS.map((k) => h('option', { value: k, i18n: `kind.${k}` })))),
      field('f.pieces', h('input', { name: 'pieces', type: 'number', min: 1, max: 99,
                                     value: 1, testid: 'checkin-pieces', cls: 'narrow' })),
      field('f.location', h('input', { name: 'location', testid: 'checkin-location',
                                       required: true, i18nPh: 'f.locationPh', size: 8 }))),
    h('div', { cls: 'desk-row' },
      field('f.carrier', h('input', { name: 'carrier', testid: 'checkin-carrier', size: 12 })),
      field('f.barcode', h('input', { name: 'barcode', testid: 'checkin-barcode', size: 18 })),
      field('f.depositor', h('input', { name: 'depositor', testid: 'checkin-depositor',
                                        size: 10 })),
      field('f.condition', h('input', { name: 'condition', testid: 'checkin-condition',
                                        size: 20 }))),
    h('fieldset', { cls: 'desk-flags' }, h('legend', { i18n: 'f.flags' }),
      ...FLAGS.map((f) => h('label', { cls: 'desk-check' },
        h('input', { type: 'checkbox', name: 'flags', value: f, testid: `flag-${f}` }),
        h('span', { i18n: `flag.${f}` })))),
    h('p', { cls: 'form-error', testid: 'checkin-error', role: 'alert', hidden: true }),
    h('button', { type: 'submit', cls: 'btn btn-primary', testid: 'checkin-submit',
                  i18n: 'checkin.submit' }));
  form.addEventListener('submit', onCheckin);

  const stub = h('div', { cls: 'desk-stub', testid: 'stub', hidden: true, role: 'status' },
    h('h3', { i18n: 'stub.heading' }),
    h('div', { cls: 'stub-code-wrap' }, h('span', { i18n: 'stub.code' }),
      h('b', { cls: 'stub-code mono', testid: 'stub-code' })),
    h('dl', { cls: 'stub-facts' },
      h('dt', { i18n: 'stub.serial' }), h('dd', { cls: 'mono', testid: 'stub-serial' }),
      h('dt', { i18n: 'f.unit' }), h('dd', { cls: 'mono', testid: 'stub-unit' }),
      h('dt', { i18n: 'f.location' }), h('dd', { cls: 'mono', testid: 'stub-location' }),
      h('dt', { i18n: 'f.pieces' }), h('dd', { cls: 'mono', testid: 'stub-pieces' })),
    h('p', { cls: 'stub-once', i18n: 'stub.once' }),
    h('p', { cls: 'stub-sms', testid: 'stub-sms', role: 'status' }),
    h('p', { cls: 'stub-warning', testid: 'stub-warning', hidden: true }),
    h('button', { type: 'button', cls: 'btn', testid: 'stub-done', i18n: 'stub.done' }));
  stub.querySelector('[data-testid="stub-done"]').addEventListener('click', clearStub);
  return h('div', { cls: 'desk-pane', testid: 'desk-checkin', 'data-tab': 'checkin' },
    form, stub);
}

function buildRegister() {
  const filters = h('form', { cls: 'desk-row desk-filters', testid: 'register-filters' },
    field('register.state', h('select', { name: 'state', testid: 'register-state' },
      ...['held', 'released', 'all'].map((s) => h('option', { value: s, i18n: `state.${s}` })))),
    field('f.unit', h('input', { name: 'unit', testid: 'register-unit', size: 13,
                                 i18nPh: 'f.unitPh' })),
    field('f.kind', h('select', { name: 'kind', testid: 'register-kind' },
      h('option', { value: '', i18n: 'state.all' }),
      ...KINDS.map((k) => h('option', { value: k, i18n: `kind.${k}` })))),
    h('button', { type: 'submit', cls: 'btn btn-small', testid: 'register-refresh',
                  i18n: 'register.refresh' }));
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); loadRegister(); });
  filters.addEventListener('change', () => loadRegister());
  const cols = ['serial', 'unit', 'kind', 'pieces', 'location', 'received', 'by', 'days',
                'state', 'picked', 'actions'];
  const table = h('table', { cls: 'board desk-table', testid: 'register-table' },
    h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { i18n: `col.${c}` })))),
    h('tbody', { testid: 'register-body' }));
  return h('div', { cls: 'desk-pane', testid: 'desk-register', 'data-tab': 'register' },
    h('h2', { i18n: 'register.heading' }), filters,
    h('p', { cls: 'form-error form-info', testid: 'register-status', role: 'status',
             hidden: true }),
    table,
    h('p', { cls: 'desk-empty', testid: 'register-empty', i18n: 'register.empty',
             hidden: true }));
}

function buildReconcile() {
  const form = h('form', { testid: 'reconcile-form', novalidate: true },
    h('ul', { cls: 'desk-recon', testid: 'reconcile-list' }),
    h('p', { cls: 'desk-empty', testid: 'reconcile-empty', i18n: 'reconcile.empty',
             hidden: true }),
    h('button', { type: 'submit', cls: 'btn btn-primary', testid: 'reconcile-submit',
                  i18n: 'reconcile.submit' }));
  form.addEventListener('submit', onReconcile);
  return h('div', { cls: 'desk-pane', testid: 'desk-reconcile', 'data-tab': 'reconcile' },
    h('h2', { i18n: 'reconcile.heading' }), h('p', { cls: 'desk-hint', i18n: 'reconcile.hint' }),
    form,
    h('div', { cls: 'form-error', testid: 'reconcile-result', role: 'status', hidden: true }));
}

function translate() {
  translateTree(el.view, t);
  if (st.items.length) renderRegister();
}

// -- views ----------------------------------------------------------------------------------

// app.js shows one page at a time and draws the navigation.
function show() {
  st.view = 'desk';
  el.view.hidden = false;
  showTab(st.tab);
}

function hide() {
  st.view = null;
  el.view.hidden = true;
  clearStub();
}

export const deskPage = { id: 'desk', roles: DESK_ROLES, label: () => t('nav.desk'), show, hide };

function showTab(tab) {
  st.tab = tab;
  el.view.querySelectorAll('.desk-pane').forEach((p) => { p.hidden = p.dataset.tab !== tab; });
  el.view.querySelectorAll('.desk-tab').forEach((b) => {
    b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  });
  if (tab !== 'checkin') clearStub();
  if (tab === 'register') loadRegister();
  if (tab === 'reconcile') loadReconcile();
  if (tab === 'checkin') setTimeout(() => tid('checkin-unit').focus(), 0);
}

function onSession(s) {
  if (!s || !DESK_ROLES.includes(s.role)) hide();
}

function onSignedOut() {
  st.items = [];
  clearStub();
  el.view.hidden = true;
}

// -- check-in -------------------------------------------------------------------------------

async function onCheckin(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const err = tid('checkin-error');
  err.hidden = true;
  clearFields(form);
  clearStub();
  const f = new FormData(form);
  const body = {
    unit: String(f.get('unit') || '').trim(), kind: f.get('kind'),
    pieces: Number(f.get('pieces') || 1), location: String(f.get('location') || '').trim(),
    carrier: String(f.get('carrier') || '').trim(), barcode: String(f.get('barcode') || '').trim(),
    depositor: String(f.get('depositor') || '').trim(),
    condition: String(f.get('condition') || '').trim(), flags: f.getAll('flags'),
  };
  const button = tid('checkin-submit');
  button.disabled = true;
  button.textContent = t('checkin.busy');
  try {
    const out = await api('api/items', { method: 'POST', json: body });
    showStub(out);
    form.reset();
  } catch (e) {
    if (!showFieldErrors(form, e, err, { hints: CHECKIN_HINTS })) showError(err, e);
  } finally {
    button.disabled = false;
    button.textContent = t('checkin.submit');
  }
}

function showStub(out) {
  const stub = tid('stub');
  tid('stub-code').textContent = out.code;
  tid('stub-serial').textContent = out.stub.serial;
  tid('stub-unit').textContent = out.stub.unit;
  tid('stub-location').textContent = out.stub.location;
  tid('stub-pieces').textContent = String(out.stub.pieces);
  const warn = tid('stub-warning');
  warn.hidden = !out.warnings.length;
  warn.textContent = out.warnings.length ? out.warnings[0][lang()] : '';
  stub.hidden = false;
  watchMessages(out.item.id);
}

// The resident's text message as the outbox has it (GET /api/notifications), not a promise:
// queued, sent or failed (and being retried), looked at again every second until all are sent.
let smsTimer = null;
async function watchMessages(itemId) {
  clearTimeout(smsTimer);
  const line = tid('stub-sms');
  if (!line) return;
  let rows;
  try {
    rows = (await api(`api/notifications?about=held_item:${itemId}`)).data;
  } catch (e) {
    line.textContent = t('sms.unknown');
    return;
  }
  const states = rows.map((n) => n.state);
  const word = !rows.length ? 'sms.none'
    : states.every((s) => s === 'sent') ? 'sms.sent'
      : states.includes('failed') ? 'sms.failed' : 'sms.queued';
  line.textContent = t(word);
  line.dataset.state = !rows.length ? 'none' : word.slice(4);
  if (rows.length && word !== 'sms.sent' && !tid('stub').hidden) {
    smsTimer = setTimeout(() => watchMessages(itemId), 1000);
  }
}

function clearStub() {
  // The code is never left on screen: it goes as soon as the desk moves on.
  const stub = tid('stub');
  if (!stub) return;
  stub.hidden = true;
  clearTimeout(smsTimer);
  tid('stub-code').textContent = '';
}

// -- register and release -------------------------------------------------------------------

async function loadRegister() {
  const f = new FormData(tid('register-filters'));
  const q = new URLSearchParams({ state: f.get('state') || 'held' });
  if (String(f.get('unit') || '').trim()) q.set('unit', String(f.get('unit')).trim());
  if (f.get('kind')) q.set('kind', f.get('kind'));
  try {
    st.items = (await api(`api/items?${q}`)).items;
  } catch (e) {
    showError(tid('register-status'), e);
    return;
  }
  renderRegister();
}

function renderRegister() {
  const body = tid('register-body');
  body.replaceChildren(...st.items.map((i) => {
    const release = i.state === 'held' ? h('button', {
      type: 'button', cls: 'btn btn-small', testid: 'release-open', i18n: 'release.open' },
    t('release.open')) : null;
    const row = h('tr', { testid: 'register-row', 'data-item-id': i.id,
                          'data-serial': i.serial, 'data-state': i.state },
      h('td', { cls: 'mono', testid: 'row-serial' }, i.serial),
      h('td', { cls: 'mono', testid: 'row-unit' }, i.unit),
      h('td', {}, t(`kind.${i.kind}`)),
      h('td', { cls: 'mono', testid: 'row-pieces' }, String(i.pieces)),
      h('td', { cls: 'mono', testid: 'row-location' }, i.location),
      h('td', { cls: 'mono' }, fmt(i.received_at)),
      h('td', {}, i.received_by),
      h('td', { cls: 'mono' }, String(days(i.received_at))),
      h('td', { testid: 'row-state' }, t(`state.${i.state}`)),
      h('td', { cls: 'mono' }, i.picked_up_at ? `${fmt(i.picked_up_at)} ${i.released_by || ''}` : ''),
      h('td', {}, release));
    if (release) release.addEventListener('click', () => openRelease(row, i));
    return row;
  }));
  tid('register-empty').hidden = st.items.length > 0;
}

function openRelease(row, item) {
  const old = row.nextElementSibling;
  if (old && old.classList.contains('form-row')) {
    old.remove();
    return;
  }
  const form = h('form', { cls: 'inline-form', testid: 'release-form', novalidate: true },
    h('span', { cls: 'inline-title', i18n: 'release.heading' }, t('release.heading')),
    h('label', {}, h('span', {}, t('release.pieces')),
      h('input', { name: 'pieces', type: 'number', min: 1, max: 99, value: item.pieces,
                   cls: 'narrow', testid: 'release-pieces' })),
    h('label', {}, h('span', {}, t('release.code')),
      h('input', { name: 'code', testid: 'release-code', size: 7, autocomplete: 'off',
                   inputmode: 'numeric' })),
    h('label', {}, h('span', {}, t('release.collector')),
      h('input', { name: 'collector', testid: 'release-collector', size: 8 })),
    h('label', {}, h('span', {}, t('release.id')),
      h('input', { name: 'id_number', testid: 'release-id', size: 19, autocomplete: 'off' })),
    h('button', { type: 'submit', cls: 'btn btn-small btn-primary', testid: 'release-submit' },
      t('release.submit')),
    h('button', { type: 'button', cls: 'btn btn-small btn-ghost', testid: 'release-cancel' },
      t('release.cancel')),
    h('span', { cls: 'form-error', testid: 'release-error', role: 'alert', hidden: true }),
    h('p', { cls: 'desk-hint' }, t('release.hint')));
  const tr = h('tr', { cls: 'form-row', testid: 'release-row' },
    h('td', { colspan: 11 }, form));
  row.after(tr);
  form.querySelector('[data-testid="release-cancel"]').addEventListener('click', () => tr.remove());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const opt = (k) => (String(f.get(k) || '').trim() || null);
    const err = form.querySelector('[data-testid="release-error"]');
    err.hidden = true;
    clearFields(form);
    try {
      const done = await api(`api/items/${item.id}/release`, { method: 'POST', json: {
        pieces: Number(f.get('pieces')), code: opt('code'), collector: opt('collector'),
        id_number: opt('id_number') } });
      const status = tid('register-status');
      status.textContent = t('release.done', { serial: done.serial });
      status.hidden = false;
      await loadRegister();
    } catch (e) {
      if (!showFieldErrors(form, e, err, { codes: RELEASE_CODES })) showError(err, e);
    }
  });
  setTimeout(() => form.querySelector('input').focus(), 0);
}

// -- reconciliation -------------------------------------------------------------------------

async function loadReconcile() {
  tid('reconcile-result').hidden = true;
  try {
    st.recon = (await api('api/items/reconciliation')).items;
  } catch (e) {
    showError(tid('reconcile-result'), e);
    return;
  }
  tid('reconcile-list').replaceChildren(...st.recon.map((i) => h('li', {
    testid: 'reconcile-item', 'data-serial': i.serial },
  h('label', { cls: 'desk-check' },
    h('input', { type: 'checkbox', name: 'seen', value: i.serial,
                 testid: `seen-${i.serial}` }),
    h('span', { cls: 'mono' }, `${i.location}  ${i.serial}`),
    h('span', {}, ` ${i.unit} · ${t(`kind.${i.kind}`)} × ${i.pieces}`)))));
  tid('reconcile-empty').hidden = st.recon.length > 0;
}

async function onReconcile(ev) {
  ev.preventDefault();
  const seen = new FormData(ev.currentTarget).getAll('seen');
  const out = tid('reconcile-result');
  try {
    const r = await api('api/items/reconciliation', { method: 'POST', json: { seen } });
    const lines = [r.missing.length
      ? t('reconcile.missing', { n: r.missing.length, list: r.missing.join(', ') })
      : t('reconcile.clean', { n: r.checked })];
    if (r.unexpected.length) lines.push(t('reconcile.unexpected', { list: r.unexpected.join(', ') }));
    out.textContent = lines.join(' ');
    out.dataset.state = r.clean ? 'clean' : 'missing';
    out.classList.toggle('form-info', r.missing.length === 0);
    out.hidden = false;
  } catch (e) {
    showError(out, e);
  }
}

// -- start ----------------------------------------------------------------------------------

build();
on('session', onSession);
on('signout', onSignedOut); // leave with the signed-out session, and take the code along
on('language', translate);
