/* Estate Butler console: the resident register (the front desk).
 *
 * The living residents by flat (with the history on request), a move-in form, per resident:
 * edit phones / language / contacts / elderly-alone, move out, issue a card, report it lost,
 * reset the PIN (a one-time code goes to the resident's phone); an import from CSV or Excel
 * with a dry run that lists every refused row. API: /api/residents (routes/residents.py).
 * Words: i18n/residents.json. Test hooks: data-testid; rows carry data-resident-id.
 */
import WORDS from '../i18n/residents.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { translateTree, translator } from '../lib/i18n.js';
import { rolePage } from '../lib/page.js';
import { on } from '../lib/session.js';

const t = translator(WORDS);
const ROLES = ['frontdesk', 'supervisor', 'admin'];
const el = {};
let rows = [];

const field = (key, input) => h('label', { cls: 'desk-field' }, h('span', { i18n: key }), input);
const contactsText = (cs) => (cs || []).map((c) => `${c.role}:${c.name}:${c.phone}`).join('; ');

function parseContacts(text) {
  return String(text || '').split(/[;；]/).map((s) => s.trim()).filter(Boolean).map((s) => {
    const [role, name, phone] = s.split(/[:：]/).map((x) => (x || '').trim());
    return { role, name, phone };
  });
}

function say(text, isError) {
  el.status.textContent = text;
  el.status.classList.toggle('form-info', !isError);
  el.status.dataset.kind = isError ? 'error' : 'info';
  el.status.hidden = false;
}

function build() {
  el.view = h('section', { cls: 'desk', testid: 'residents-view', hidden: true,
                           'data-words': 'residents' });
  tid('desk-view').after(el.view);
  const filters = h('form', { cls: 'desk-row desk-filters', testid: 'res-filters' },
    field('res.search', h('input', { name: 'q', testid: 'res-q', size: 14 })),
    h('label', { cls: 'desk-check' }, h('input', { type: 'checkbox', name: 'history',
      testid: 'res-history' }), h('span', { i18n: 'res.history' })),
    h('button', { type: 'submit', cls: 'btn btn-small', testid: 'res-refresh',
                  i18n: 'res.refresh' }));
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  el.filters = filters;

  const form = h('form', { cls: 'desk-form', testid: 'movein-form', novalidate: true },
    h('h2', { i18n: 'res.movein' }),
    h('div', { cls: 'desk-row' },
      field('f.unit', h('input', { name: 'unit', testid: 'movein-unit', size: 11 })),
      field('f.name', h('input', { name: 'name', testid: 'movein-name', size: 10 })),
      field('f.phone', h('input', { name: 'phone', testid: 'movein-phone', size: 14 })),
      field('f.phone2', h('input', { name: 'phone2', testid: 'movein-phone2', size: 14 })),
      field('f.language', h('select', { name: 'language', testid: 'movein-language' },
        h('option', { value: 'zh', i18n: 'lang.zh' }), h('option', { value: 'en', i18n: 'lang.en' }))),
      field('f.card', h('input', { name: 'card', testid: 'movein-card', size: 12 }))),
    h('div', { cls: 'desk-row' },
      field('f.contacts', h('input', { name: 'contacts', testid: 'movein-contacts', size: 50 })),
      h('label', { cls: 'desk-check' }, h('input', { type: 'checkbox', name: 'elderly_alone',
        testid: 'movein-elderly' }), h('span', { i18n: 'f.elderly' }))),
    h('button', { type: 'submit', cls: 'btn btn-primary', testid: 'movein-submit',
                  i18n: 'res.movein' }));
  form.addEventListener('submit', onMoveIn);

  const imp = h('form', { cls: 'desk-row', testid: 'import-form' },
    field('res.import', h('input', { type: 'file', name: 'file', testid: 'import-file',
                                     accept: '.csv,.xlsx' })),
    h('button', { type: 'submit', cls: 'btn btn-small', testid: 'import-dry', 'data-dry': '1',
                  i18n: 'res.dryrun' }),
    h('button', { type: 'submit', cls: 'btn btn-small', testid: 'import-go', 'data-dry': '0',
                  i18n: 'res.doimport' }));
  imp.addEventListener('submit', onImport);
  el.importOut = h('ul', { cls: 'desk-recon', testid: 'import-refused' });

  const cols = ['unit', 'name', 'phone', 'lang', 'elderly', 'contacts', 'card', 'pin', 'since',
                'out', 'actions'];
  el.body = h('tbody', { testid: 'res-body' });
  el.status = h('p', { cls: 'form-error', testid: 'res-status', role: 'status', hidden: true });
  el.empty = h('p', { cls: 'desk-empty', testid: 'res-empty', i18n: 'res.empty', hidden: true });
  el.view.append(h('h2', { i18n: 'res.heading' }), el.status, form, imp, el.importOut, filters,
    h('table', { cls: 'board desk-table', testid: 'res-table' },
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { i18n: `col.${c}` })))), el.body),
    el.empty);
  translateTree(el.view, t);
}

async function load() {
  const f = new FormData(el.filters);
  const q = String(f.get('q') || '').trim();
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (f.get('history')) params.set('history', 'true');
  try {
    rows = (await api(`api/residents?${params}`)).data;
  } catch (e) {
    say(e.detail, true);
    return;
  }
  render();
}

function render() {
  el.body.replaceChildren(...rows.map((r) => {
    const act = (key, fn) => h('button', { type: 'button', cls: 'btn btn-small',
      testid: `res-${key}`, text: t(`act.${key}`), onclick: () => fn(r) });
    const pin = r.pin_reset_pending ? 'pin.pending' : r.has_pin ? 'pin.set' : 'pin.none';
    return h('tr', { testid: 'res-row', 'data-resident-id': r.id, 'data-unit': r.unit,
                     'data-moved-out': r.moved_out ? 'true' : 'false' },
      h('td', { cls: 'mono', text: r.unit }), h('td', { text: r.name }),
      h('td', { cls: 'mono', text: [r.phone, r.phone2].filter(Boolean).join(' / ') }),
      h('td', { text: t(`lang.${r.language}`) }),
      h('td', { text: r.elderly_alone ? t('yes') : '' }),
      h('td', { text: contactsText(r.contacts) }),
      h('td', { cls: 'mono', text: r.card || '' }), h('td', { text: t(pin) }),
      h('td', { cls: 'mono', text: r.moved_in }), h('td', { cls: 'mono', text: r.moved_out || '' }),
      h('td', {}, r.moved_out ? '' : [act('edit', edit), act('card', issueCard),
        r.card ? act('lost', (x) => post(`${x.id}/card-lost`)) : '',
        act('pin', resetPin), act('moveout', moveOut)]));
  }));
  el.empty.hidden = rows.length > 0;
}

async function post(path, json) {
  try {
    const out = await api(`api/residents/${path}`, { method: 'POST', json: json || {} });
    await load();
    return out;
  } catch (e) {
    say(e.detail, true);
    return null;
  }
}

async function onMoveIn(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const f = new FormData(form);
  const s = (k) => String(f.get(k) || '').trim();
  try {
    const r = await api('api/residents', { method: 'POST', json: {
      unit: s('unit'), name: s('name'), phone: s('phone'), phone2: s('phone2'),
      language: s('language') || 'zh', elderly_alone: !!f.get('elderly_alone'),
      contacts: parseContacts(s('contacts')), card: s('card') || null } });
    say(t('done.movein', { name: r.name, unit: r.unit }));
    form.reset();
    await load();
  } catch (e) {
    say(e.detail, true);
  }
}

async function onImport(ev) {
  ev.preventDefault();
  const dry = ev.submitter ? ev.submitter.dataset.dry !== '0' : true;
  const file = new FormData(ev.currentTarget).get('file');
  if (!file || !file.name) return;
  const body = new FormData();
  body.append('file', file);
  try {
    const r = await api(`api/residents/import?dry_run=${dry}`, { method: 'POST', multipart: body });
    say(t('res.importResult', { file: r.filename, rows: r.rows, created: r.created,
      updated: r.updated, unchanged: r.unchanged, refused: r.refused.length }));
    el.importOut.replaceChildren(...r.refused.map((x) => h('li', { testid: 'import-refused-row',
      'data-row': x.row, text: t('res.refusedRow', x) })));
    if (!dry) await load();
  } catch (e) {
    say(e.detail, true);
  }
}

function edit(r) {
  const tr = el.body.querySelector(`[data-resident-id="${r.id}"]`);
  const form = h('form', { cls: 'desk-row', testid: 'res-edit-form' },
    field('f.phone', h('input', { name: 'phone', value: r.phone, size: 14 })),
    field('f.phone2', h('input', { name: 'phone2', value: r.phone2, size: 14 })),
    field('f.language', h('select', { name: 'language' },
      ...['zh', 'en'].map((l) => h('option', { value: l, selected: l === r.language, text: t(`lang.${l}`) })))),
    field('f.contacts', h('input', { name: 'contacts', value: contactsText(r.contacts), size: 40 })),
    h('label', { cls: 'desk-check' }, h('input', { type: 'checkbox', name: 'elderly_alone',
      checked: r.elderly_alone }), h('span', { text: t('f.elderly') })),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'res-edit-save', text: t('act.save') }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    try {
      await api(`api/residents/${r.id}`, { method: 'PATCH', json: {
        phone: String(f.get('phone')).trim(), phone2: String(f.get('phone2')).trim(),
        language: f.get('language'), elderly_alone: !!f.get('elderly_alone'),
        contacts: parseContacts(f.get('contacts')) } });
      say(t('done.saved'));
      await load();
    } catch (e) {
      say(e.detail, true);
    }
  });
  tr.after(h('tr', {}, h('td', { colspan: 11 }, form)));
}

async function issueCard(r) {
  const card = window.prompt(t('ask.card'));
  if (card) await post(`${r.id}/card`, { card: card.trim() });
}

async function resetPin(r) {
  const out = await post(`${r.id}/pin-reset`);
  if (out) say(t('done.pin', { phone: out.sent_to }));
}

async function moveOut(r) {
  if (window.confirm(t('ask.moveout', { name: r.name, unit: r.unit }))) await post(`${r.id}/move-out`);
}

export const residentsPage = rolePage({
  id: 'residents', roles: ROLES, label: () => t('nav.residents'), view: () => el.view, load,
});

build();
on('signout', () => { rows = []; el.body.replaceChildren(); residentsPage.hide(); });
on('language', () => { translateTree(el.view, t); render(); });
