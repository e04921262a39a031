/* Estate Butler console: key custody at the front desk (seed 003).
 *
 * A flat's door key is taken only with its signed custody declaration (its number and date, who
 * signed it, the ID checked — type and last 4 characters only — and either a scan of the paper
 * or the signature drawn here on the canvas, sent as PNG);
 * every movement — lent out (to whom, why), back, returned to the owner — is logged and shown.
 * API: /api/keys (routes/keys.py). Words: i18n/keys.json. Test hooks: data-testid; rows carry
 * data-key-id, data-unit and data-state.
 */
import WORDS from '../i18n/keys.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { format } from '../lib/format.js';
import { translateTree, translator } from '../lib/i18n.js';
import { rolePage, tell } from '../lib/page.js';
import { on } from '../lib/session.js';

const t = translator(WORDS);
const ROLES = ['frontdesk', 'supervisor', 'admin'];
const el = {};
let keys = [];
const moves = new Map(); // key id -> movements, once asked for

const field = (key, input) => h('label', { cls: 'desk-field' }, h('span', { i18n: key }), input);

const say = (text, isError) => tell(el.status, text, isError);

function build() {
  el.view = h('section', { cls: 'desk', testid: 'keys-view', hidden: true, 'data-words': 'keys' });
  tid('desk-view').after(el.view);
  const form = h('form', { cls: 'desk-form', testid: 'key-form', novalidate: true },
    h('h2', { i18n: 'keys.take' }),
    h('div', { cls: 'desk-row' },
      field('f.unit', h('input', { name: 'unit', testid: 'key-unit', size: 11 })),
      field('f.label', h('input', { name: 'label', testid: 'key-label', size: 12 })),
      field('f.declaration', h('input', { name: 'declaration_ref', testid: 'key-declaration', size: 14 })),
      field('f.signed', h('input', { name: 'declaration_signed_at', type: 'date', testid: 'key-signed' })),
      field('f.purpose', h('input', { name: 'purpose', testid: 'key-purpose', size: 24 }))),
    h('div', { cls: 'desk-row' },
      field('f.signer', h('input', { name: 'signer_name', testid: 'key-signer', size: 14 })),
      field('f.idType', h('select', { name: 'signer_id_type', testid: 'key-id-type' },
        ...ID_TYPES.map((x) => h('option', { value: x, i18n: `id.${x}` })))),
      field('f.idLast4', h('input', { name: 'signer_id_last4', testid: 'key-id-last4', size: 5,
                                      maxlength: 4, autocomplete: 'off' })),
      field('f.scan', h('input', { name: 'scan', type: 'file', testid: 'key-scan',
                                   accept: 'image/jpeg,image/png,application/pdf' }))),
    buildPad(),
    h('button', { type: 'submit', cls: 'btn btn-primary', testid: 'key-submit', i18n: 'keys.take' }));
  form.addEventListener('submit', onTake);
  form.addEventListener('reset', () => clearPad());
  const cols = ['unit', 'label', 'declaration', 'state', 'holder', 'moves', 'actions'];
  el.body = h('tbody', { testid: 'keys-body' });
  el.status = h('p', { cls: 'form-error', testid: 'keys-status', role: 'status', hidden: true });
  el.empty = h('p', { cls: 'desk-empty', testid: 'keys-empty', i18n: 'keys.empty', hidden: true });
  el.view.append(h('h2', { i18n: 'keys.heading' }), el.status, form,
    h('table', { cls: 'board desk-table', testid: 'keys-table' },
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { i18n: `col.${c}` })))), el.body),
    el.empty, buildLent());
  translateTree(el.view, t);
}

// -- the declaration signed on the desk's screen (or a scan of the paper one) -------------------

const ID_TYPES = ['id_card', 'passport', 'permit', 'other'];
const pad = { drawn: false, last: null };

function buildPad() {
  pad.canvas = h('canvas', { cls: 'sign-pad', testid: 'key-sign-pad', width: 360, height: 120,
    style: { border: '1px solid #888', background: '#fff', touchAction: 'none', cursor: 'crosshair' } });
  const ctx = pad.canvas.getContext('2d');
  const at = (ev) => {
    const r = pad.canvas.getBoundingClientRect();
    return [(ev.clientX - r.left) * (pad.canvas.width / r.width), (ev.clientY - r.top) * (pad.canvas.height / r.height)];
  };
  pad.canvas.addEventListener('pointerdown', (ev) => { pad.last = at(ev); pad.canvas.setPointerCapture(ev.pointerId); });
  pad.canvas.addEventListener('pointermove', (ev) => {
    if (!pad.last) return;
    const p = at(ev);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.strokeStyle = '#000';
    ctx.beginPath();
    ctx.moveTo(...pad.last);
    ctx.lineTo(...p);
    ctx.stroke();
    pad.last = p;
    pad.drawn = true;
  });
  const end = () => { pad.last = null; };
  pad.canvas.addEventListener('pointerup', end);
  pad.canvas.addEventListener('pointerleave', end);
  return h('div', { cls: 'desk-row' }, h('span', { i18n: 'f.signHere' }), pad.canvas,
    h('button', { type: 'button', cls: 'btn btn-small', testid: 'key-sign-clear', i18n: 'keys.clearSign', onclick: clearPad }));
}

function clearPad() {
  pad.canvas.getContext('2d').clearRect(0, 0, pad.canvas.width, pad.canvas.height);
  pad.drawn = false;
}

const readFile = (file) => new Promise((resolve, reject) => {
  const r = new FileReader();
  r.onload = () => resolve(r.result);
  r.onerror = () => reject(r.error);
  r.readAsDataURL(file);
});

// The scan if one was chosen, else the signature drawn on the screen, else nothing (refused).
async function declarationFile(f) {
  const file = f.get('scan');
  if (file && file.size) return { declaration_kind: 'scan', declaration_file: await readFile(file) };
  if (pad.drawn) return { declaration_kind: 'drawn', declaration_file: pad.canvas.toDataURL('image/png') };
  return {};
}

const docs = new Map(); // key id -> URL of its declaration file ('' while it loads)

async function loadDoc(k) {
  if (docs.has(k.id) || !k.declaration_media_type) return;
  docs.set(k.id, '');
  try {
    const blob = await (await api(`api/keys/${k.id}/declaration`, { raw: true })).blob();
    // Images as data: URLs (the console's CSP allows img-src data:); a PDF opens as a blob.
    docs.set(k.id, blob.type.startsWith('image/') ? await readFile(blob) : URL.createObjectURL(blob));
    render();
  } catch (_) { docs.delete(k.id); }
}

function declarationCell(k) {
  const url = docs.get(k.id);
  const doc = !url ? '' : k.declaration_media_type.startsWith('image/')
    ? h('img', { src: url, testid: 'key-signature', alt: t(`kind.${k.declaration_kind}`), 'data-kind': k.declaration_kind,
                 style: { maxWidth: '180px', maxHeight: '60px', display: 'block', background: '#fff' } })
    : h('a', { href: url, target: '_blank', testid: 'key-signature', 'data-kind': k.declaration_kind, text: t('kind.scan') });
  return h('td', { testid: 'key-declaration-cell' },
    h('div', { text: `${k.declaration_ref} (${k.declaration_signed_at})` }),
    k.signer_name ? h('div', { testid: 'key-signer-name', text: `${t('f.signer')}: ${k.signer_name}` }) : '',
    k.signer_id_last4 ? h('div', { testid: 'key-id-checked',
      text: `${t('idChecked')}: ${t(`id.${k.signer_id_type}`)} …${k.signer_id_last4}` }) : '',
    doc);
}

// -- lent items (trolley, toolbox): followed up after 3 days ------------------------------------

const FOLLOW_UP_MS = 3 * 86400000;

function buildLent() {
  const form = h('form', { cls: 'desk-row', testid: 'lent-form' },
    field('f.unit', h('input', { name: 'unit', testid: 'lent-unit', size: 11 })),
    field('f.item', h('input', { name: 'item', testid: 'lent-item', size: 14, list: 'lent-kinds' })),
    field('f.quantity', h('input', { name: 'quantity', type: 'number', min: 1, max: 20, value: 1,
                                     testid: 'lent-quantity', cls: 'narrow' })),
    field('f.note', h('input', { name: 'note', testid: 'lent-note', size: 20 })),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'lent-submit', i18n: 'lent.lend' }),
    h('datalist', { id: 'lent-kinds' }, h('option', { value: '手推车 trolley' }), h('option', { value: '工具箱 toolbox' })));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    try {
      await api('api/lent', { method: 'POST', json: { unit: String(f.get('unit') || '').trim(),
        item: String(f.get('item') || '').trim(), quantity: Number(f.get('quantity') || 1),
        note: String(f.get('note') || '').trim() } });
      form.reset();
      await loadLent();
    } catch (e) {
      say(e.detail, true);
    }
  });
  el.lent = h('ul', { cls: 'desk-recon', testid: 'lent-list' });
  return h('div', { testid: 'lent-section' }, h('h2', { i18n: 'lent.heading' }), form, el.lent);
}

async function loadLent() {
  let rows;
  try {
    rows = await api('api/lent');
  } catch (e) {
    say(e.detail, true);
    return;
  }
  el.lent.replaceChildren(...rows.map((x) => {
    const late = Date.now() - new Date(x.lent_at).getTime() >= FOLLOW_UP_MS;
    const back = h('button', { type: 'button', cls: 'btn btn-small', testid: 'lent-return', text: t('lent.return'),
      onclick: async () => {
        try {
          await api(`api/lent/${x.id}/return`, { method: 'POST', json: {} });
          await loadLent();
        } catch (e) {
          say(e.detail, true);
        }
      } });
    return h('li', { testid: 'lent-row', 'data-id': x.id, 'data-follow-up': String(late), cls: late ? 'lent-late' : '' },
      h('span', { text: `${x.unit} · ${x.item} × ${x.quantity} · ${format(x.lent_at, 'minute')}${late ? ` · ${t('lent.followUp')}` : ''}` }),
      ' ', back);
  }));
}

async function load() {
  loadLent();
  try {
    keys = await api('api/keys');
  } catch (e) {
    say(e.detail, true);
    return;
  }
  await Promise.all([...moves.keys()].map(loadMoves));
  render();
}

async function loadMoves(id) {
  try {
    moves.set(id, (await api(`api/keys/${id}`)).movements);
  } catch (_) { /* the row still shows */ }
}

function movesList(id) {
  const list = moves.get(id);
  if (!list) return '';
  return h('ul', { cls: 'key-moves', testid: 'key-moves' }, ...list.map((m) => h('li', {
    testid: 'key-move', 'data-direction': m.direction,
    text: `${format(m.at, 'minute')} ${t(`move.${m.direction}`)}${m.to_whom ? ` → ${m.to_whom}` : ''}${m.why ? `（${m.why}）` : ''} · ${m.by}` })));
}

function render() {
  el.body.replaceChildren(...keys.map((k) => {
    const act = (key, fn) => h('button', { type: 'button', cls: 'btn btn-small', testid: `key-${key}`,
      text: t(`act.${key}`), onclick: () => fn(k) });
    const actions = [];
    if (k.state === 'in') actions.push(act('lend', lend), act('return', (x) => move(x, 'returned')));
    if (k.state === 'out') actions.push(act('back', (x) => move(x, 'back')));
    actions.push(act('history', async (x) => { await loadMoves(x.id); render(); }));
    return h('tr', { testid: 'key-row', 'data-key-id': k.id, 'data-unit': k.unit, 'data-state': k.state },
      h('td', { cls: 'mono', text: k.unit }), h('td', { cls: 'mono', text: k.label }),
      declarationCell(k),
      h('td', { testid: 'key-state', text: t(`state.${k.state}`) }), h('td', { text: k.holder || '' }),
      h('td', {}, movesList(k.id)), h('td', {}, actions));
  }));
  el.empty.hidden = keys.length > 0;
  keys.forEach(loadDoc);
}

async function onTake(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const f = new FormData(form);
  const s = (k) => String(f.get(k) || '').trim();
  try {
    const k = await api('api/keys', { method: 'POST', json: {
      unit: s('unit'), label: s('label'), declaration_ref: s('declaration_ref'),
      declaration_signed_at: s('declaration_signed_at') || null, purpose: s('purpose'),
      signer_name: s('signer_name'), signer_id_type: s('signer_id_type'),
      signer_id_last4: s('signer_id_last4'), ...(await declarationFile(f)) } });
    say(t('done.take', { label: k.label }));
    form.reset();
    moves.set(k.id, []);
    await load();
  } catch (e) {
    say(e.detail, true);
  }
}

function lend(k) {
  const tr = el.body.querySelector(`[data-key-id="${k.id}"]`);
  const form = h('form', { cls: 'desk-row', testid: 'lend-form' },
    field('f.toWhom', h('input', { name: 'to_whom', testid: 'lend-to', size: 20 })),
    field('f.why', h('input', { name: 'why', testid: 'lend-why', size: 30 })),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'lend-submit', text: t('act.lend') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    move(k, 'out', String(f.get('to_whom') || '').trim(), String(f.get('why') || '').trim());
  });
  tr.after(h('tr', {}, h('td', { colspan: 7 }, form)));
  setTimeout(() => form.querySelector('input').focus(), 0);
}

async function move(k, direction, toWhom, why) {
  try {
    await api(`api/keys/${k.id}/movements`, { method: 'POST', json: { direction, to_whom: toWhom || '', why: why || '' } });
    moves.set(k.id, moves.get(k.id) || []);
    await load();
  } catch (e) {
    say(e.detail, true);
  }
}

export const keysPage = rolePage({
  id: 'keys', roles: ROLES, label: () => t('nav.keys'), view: () => el.view, load,
});

build();
on('signout', () => {
  keys = [];
  moves.clear();
  docs.forEach((u) => u.startsWith('blob:') && URL.revokeObjectURL(u));
  docs.clear();
  el.body.replaceChildren();
  keysPage.hide();
});
on('language', () => { translateTree(el.view, t); render(); });
