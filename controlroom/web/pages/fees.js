/* Estate Butler console: fees at the front desk — the arrears list, a flat's statements and
 * payments, and recording a payment (the arrears list follows at once).
 * API: /api/fees (routes/fees.py). Words: i18n/fees.json. Test hooks: data-testid; arrears
 * rows carry data-unit, paid-order rows data-state and data-request.
 */
import WORDS from '../i18n/fees.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { format } from '../lib/format.js';
import { translateTree, translator } from '../lib/i18n.js';
import { lang, on } from '../lib/session.js';

const t = translator(WORDS);
const ROLES = ['frontdesk', 'supervisor', 'admin'];
const METHODS = ['cash', 'wechat', 'alipay', 'bank', 'card'];
const el = {};
let arrears = { data: [], total: 0 };
let account = null;

const field = (key, input) => h('label', { cls: 'desk-field' }, h('span', { i18n: key, text: t(key) }), input);
const money = (x) => Number(x).toFixed(2);
const table = (testid, cols, rows) => h('table', { cls: 'board desk-table', testid },
  h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { text: t(`col.${c}`) })))), h('tbody', {}, ...rows));

function say(text, isError) {
  el.status.textContent = text;
  el.status.classList.toggle('form-info', !isError);
  el.status.hidden = false;
}

function build() {
  el.view = h('section', { cls: 'desk', testid: 'fees-view', hidden: true, 'data-words': 'fees' });
  tid('desk-view').after(el.view);
  el.open = h('form', { cls: 'desk-row', testid: 'fees-open-form' },
    field('f.unit', h('input', { name: 'unit', testid: 'fees-unit', size: 11 })),
    h('button', { type: 'submit', cls: 'btn btn-small', testid: 'fees-open', i18n: 'fees.open' }));
  el.open.addEventListener('submit', (ev) => {
    ev.preventDefault();
    openAccount(String(new FormData(el.open).get('unit') || '').trim());
  });
  el.status = h('p', { cls: 'form-error', testid: 'fees-status', role: 'status', hidden: true });
  el.arrears = h('div', { testid: 'fees-arrears' });
  el.account = h('div', { testid: 'fees-account' });
  el.view.append(h('h2', { i18n: 'fees.heading' }), el.status, el.open, el.arrears, el.account);
  translateTree(el.view, t);
}

async function loadArrears() {
  try {
    arrears = await api('api/fees');
  } catch (e) {
    say(e.detail, true);
    return;
  }
  renderArrears();
}

function renderArrears() {
  const rows = arrears.data.map((a) => h('tr', { testid: 'arrear-row', 'data-unit': a.unit },
    h('td', {}, h('button', { type: 'button', cls: 'btn btn-small mono', text: a.unit, onclick: () => openAccount(a.unit) })),
    h('td', { cls: 'mono', testid: 'arrear-amount', text: money(a.arrears) }), h('td', { cls: 'mono', text: money(a.balance) })));
  el.arrears.replaceChildren(h('h3', { text: t('fees.arrears', { total: money(arrears.total) }) }),
    rows.length ? table('arrears-table', ['unit', 'arrears', 'balance'], rows)
      : h('p', { cls: 'desk-empty', testid: 'arrears-none', text: t('fees.none') }));
}

async function openAccount(unit) {
  if (!unit) return;
  try {
    account = await api(`api/fees/${encodeURIComponent(unit)}`);
  } catch (e) {
    account = null;
    say(e.detail, true);
  }
  renderAccount();
}

function renderAccount() {
  if (!account) { el.account.replaceChildren(); return; }
  const a = account;
  const zh = lang() === 'zh';
  const pay = h('form', { cls: 'desk-row', testid: 'pay-form' },
    field('f.amount', h('input', { name: 'amount', type: 'number', step: '0.01', min: '0.01', testid: 'pay-amount',
                                   value: a.arrears > 0 ? money(a.arrears) : '', size: 10 })),
    field('f.method', h('select', { name: 'method', testid: 'pay-method' },
      ...METHODS.map((m) => h('option', { value: m, text: t(`m.${m}`) })))),
    field('f.note', h('input', { name: 'note', testid: 'pay-note', size: 20 })),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'pay-submit', text: t('fees.pay') }));
  pay.addEventListener('submit', (ev) => onPay(ev, a.unit));
  el.account.replaceChildren(
    h('h3', { testid: 'account-head', 'data-arrears': String(a.arrears),
              text: t('fees.account', { unit: a.unit, balance: money(a.balance), arrears: money(a.arrears) }) }),
    pay,
    table('statements-table', ['period', 'charges', 'paid', 'due', 'status'], a.statements.map((s) => h('tr', { 'data-status': s.status },
      h('td', { cls: 'mono', text: s.period }),
      h('td', { text: s.charges.map((c) => `${zh ? c.label_zh : c.label_en} ${money(c.amount)}`).join('; ') }),
      h('td', { cls: 'mono', text: money(s.paid) }), h('td', { cls: 'mono', text: s.due }), h('td', { text: s.status })))),
    table('payments-table', ['at', 'paid', 'method'], a.payments.map((p) => h('tr', {},
      h('td', { cls: 'mono', text: format(p.at, 'minute') }), h('td', { cls: 'mono', text: money(p.amount) }),
      h('td', { text: t(`m.${p.method}`) })))),
    ...orders(a, zh));
}

// Paid orders charged to the flat (pending until the work is done, then billed, or void).
function orders(a, zh) {
  const rows = a.order_charges || [];
  if (!rows.length) return [];
  return [h('h3', { i18n: 'fees.orders', text: t('fees.orders') }),
    table('orders-table', ['order', 'service', 'amount', 'due', 'status'], rows.map((o) => h('tr', {
      'data-state': o.state, 'data-request': String(o.request_id) },
    h('td', { cls: 'mono', text: o.request_number }), h('td', { text: zh ? o.label_zh : o.label_en }),
    h('td', { cls: 'mono', text: money(o.amount) }), h('td', { cls: 'mono', text: o.due || '' }),
    h('td', { text: t(`o.${o.status}`) }))))];
}

async function onPay(ev, unit) {
  ev.preventDefault();
  const f = new FormData(ev.currentTarget);
  try {
    const out = await api(`api/fees/${encodeURIComponent(unit)}/payments`, { method: 'POST', json: {
      amount: Number(f.get('amount')), method: f.get('method'), note: String(f.get('note') || '').trim() } });
    account = out.account;
    say(t('fees.paid', { amount: money(out.payment.amount) }));
    renderAccount();
    await loadArrears();
  } catch (e) {
    say(e.detail, true);
  }
}

function show() {
  el.view.hidden = false;
  loadArrears();
}

function hide() {
  el.view.hidden = true;
}

export const feesPage = { id: 'fees', roles: ROLES, label: () => t('nav.fees'), show, hide };

build();
on('session', (s) => { if (!s || !ROLES.includes(s.role)) hide(); });
on('signout', () => { account = null; arrears = { data: [], total: 0 }; renderAccount(); hide(); });
on('language', () => { translateTree(el.view, t); renderArrears(); renderAccount(); });
