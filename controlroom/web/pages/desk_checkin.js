/* Estate Butler console: the front desk's check-in pane — the intake form, and the claim stub
 * that shows the pickup code once with the resident's text message as the outbox has it.
 * The page itself is desk.js. */
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { clear as clearFields } from '../lib/fielderrors.js';
import { lang } from '../lib/session.js';
import { field, KINDS, showError, showFieldErrors, t } from './desk_state.js';

const FLAGS = ['dangerous', 'perishable', 'insect_prone', 'smelly', 'cash', 'valuables'];
// A flat's door key is not checked in here: it goes to key custody, with its declaration.
const INTAKE_KINDS = KINDS.filter((k) => k !== 'key');

const CHECKIN_HINTS = { location: () => t('f.locationHint') };

export function buildCheckin() {
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

export function clearStub() {
  // The code is never left on screen: it goes as soon as the desk moves on.
  const stub = tid('stub');
  if (!stub) return;
  stub.hidden = true;
  clearTimeout(smsTimer);
  tid('stub-code').textContent = '';
}
