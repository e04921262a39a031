/* Estate Butler console: the estate manager's monthly report (supervisor, admin).
 *
 * Pick a month; the figures come from GET /api/reports/monthly (each defined in
 * controlroom/reports/monthly.py); the same report downloads as PDF or Excel.
 * Words: i18n/reports.json. Test hooks: data-testid, figures carry data-figure.
 */
import WORDS from '../i18n/reports.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { translateTree, translator } from '../lib/i18n.js';
import { rolePage } from '../lib/page.js';
import { on } from '../lib/session.js';

const t = translator(WORDS);
const ROLES = ['supervisor', 'admin'];
const el = {};
let report = null;

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

function lastMonth() {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

function table(key, head, rows, params) {
  return h('section', { cls: 'report-section', testid: `report-${key}` },
    h('h3', { text: t(`rep.${key}`, params) }),
    h('table', { cls: 'board desk-table' },
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { text: c })))),
      h('tbody', {}, ...rows.map((r) => h('tr', { 'data-figure': r[0] },
        ...r.map((c) => h('td', { text: String(c) })))))));
}

function render() {
  if (!report) { el.out.replaceChildren(); return; }
  const r = report;
  const kv = (o) => Object.entries(o);
  const types = [...new Set(Object.values(r.by_building_type).flatMap((v) => Object.keys(v)))].sort();
  el.out.replaceChildren(
    table('requests', [t('col.name'), t('col.count')], [...kv(r.by_type), [t('rep.total'), r.requests_total]]),
    table('buildings', ['', ...types, t('rep.total')],
      kv(r.by_building_type).map(([b, v]) => [b, ...types.map((x) => v[x] || 0), r.by_building[b]])),
    table('sla', [t('col.name'), t('col.kept'), t('col.broken'), t('col.pending'), t('col.compliance')],
      r.sla.map((p) => [p.promise, p.kept, p.broken, p.pending, pct(p.compliance)])),
    table('overdue', [t('col.count'), ''], [[r.overdue.length, r.overdue.join(', ')]]),
    table('complaints', [t('col.name'), t('col.count')], kv(r.complaints)),
    table('visits', [t('col.name'), ''], [['closed', r.closed], ['rated', r.rated],
      ['ratio', pct(r.return_visit_ratio)], ...kv(r.rating_avg).map(([k, v]) => [k, v ?? '—'])]),
    table('items', [t('col.name'), t('col.count')], [...kv(r.items_received),
      ['released', r.items_released], ['held_at_end', r.items_held_at_end],
      ['held_14d', r.items_held_14d], ['held_30d', r.items_held_30d], ['keys_taken', r.keys_taken],
      ['keys_lent', r.keys_lent], ['keys_in_custody', r.keys_in_custody]]),
    table('alarms', ['P', t('col.count'), t('col.w30'), t('col.w60')],
      [...r.alarms.map((a) => [`P${a.priority}`, a.count, pct(a.within_30s), pct(a.within_60s)]),
        [t('rep.total'), r.alarms_total, '', '']], { n: r.test_events_excluded }));
}

async function load() {
  const month = el.month.value;
  el.error.hidden = true;
  try {
    report = await api(`api/reports/monthly?month=${encodeURIComponent(month)}`);
  } catch (e) {
    report = null;
    el.error.textContent = e.detail;
    el.error.hidden = false;
  }
  el.view.dataset.state = report ? 'ready' : 'error';
  render();
}

async function download(ext) {
  const month = el.month.value;
  try {
    const res = await api(`api/reports/monthly.${ext}?month=${encodeURIComponent(month)}`, { raw: true });
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: `report-${month}.${ext}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    el.error.textContent = e.detail;
    el.error.hidden = false;
  }
}

function build() {
  el.view = h('section', { cls: 'desk', testid: 'reports-view', hidden: true, 'data-words': 'reports' });
  tid('desk-view').after(el.view);
  el.month = h('input', { type: 'month', testid: 'report-month', value: lastMonth() });
  const form = h('form', { cls: 'desk-row' },
    h('label', { cls: 'desk-field' }, h('span', { i18n: 'rep.month' }), el.month),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'report-show', i18n: 'rep.show' }),
    h('button', { type: 'button', cls: 'btn btn-small', testid: 'report-pdf', i18n: 'rep.pdf',
                  onclick: () => download('pdf') }),
    h('button', { type: 'button', cls: 'btn btn-small', testid: 'report-xlsx', i18n: 'rep.xlsx',
                  onclick: () => download('xlsx') }));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  el.error = h('p', { cls: 'form-error', testid: 'report-error', role: 'alert', hidden: true });
  el.out = h('div', { cls: 'report', testid: 'report-figures' });
  el.view.append(h('h2', { i18n: 'rep.heading' }), form, el.error, el.out);
  translateTree(el.view, t);
}

export const reportsPage = rolePage({
  id: 'reports', roles: ROLES, label: () => t('nav.reports'), view: () => el.view, load,
});

build();
on('signout', () => { report = null; render(); reportsPage.hide(); });
on('language', () => { translateTree(el.view, t); render(); });
