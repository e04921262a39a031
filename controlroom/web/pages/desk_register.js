/* Estate Butler console: the front desk's register pane — the held items, filtered by state,
 * flat and kind, and their release at the desk (code, collector, ID) in a form under the row.
 * Rows carry data-item-id and data-serial. The page itself is desk.js. */
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { clear as clearFields } from '../lib/fielderrors.js';
import { format } from '../lib/format.js';
import { field, KINDS, showError, showFieldErrors, st, t } from './desk_state.js';

const RELEASE_CODES = {
  id_required: ['id_number', () => t('release.idRequired')],
  not_entitled: ['collector', () => t('release.notEntitled')],
  pieces_mismatch: ['pieces', () => t('release.piecesMismatch')],
};

/** The site's time, `YYYY-MM-DD HH:mm` (lib/format.js: the console's one format). */
const fmt = (iso) => (iso ? format(iso, 'minute') : '');

function days(iso) {
  return Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
}

export function buildRegister() {
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

export async function loadRegister() {
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

export function renderRegister() {
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
