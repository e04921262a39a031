/* Estate Butler control-room console: the views beside the alarm board (issue 5).
 *
 *   devices    device health: the offline list, the low-battery list (GET /api/devices) and
 *              the lobby kiosks' heartbeats (view_kiosks.js)
 *   incidents  building incidents with the alarms they link (GET /api/alerts?kind=incident)
 *   testmode   put a device, flat or building on test, end it, read the walk-test report
 *   kpis       the current shift's live gauges against the EN 50518 norms, the flood meter,
 *              counts, noisy devices, CSV download
 *   quarantine the last rejected messages per reason (maintenance; view_quarantine.js)
 *
 * An ES module: each view is a page of the console (viewPages, drawn by app.js); it hears
 * sign-out, language changes and the alert stream through lib/session.js events. Each view
 * loads when shown and refreshes while it is shown. Words: i18n/views.json (and the board's).
 */
import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { format as fmtTime, toMs as ms } from '../lib/format.js';
import { emit, on, session } from '../lib/session.js';
import { select } from './alert_details.js';
import { buildingLabel, kindLabel, stateLabel } from './board_state.js';
import { kioskSection } from './view_kiosks.js';
import { kpisView } from './view_kpis.js';
import { QUARANTINE_ROLES, quarantineView } from './view_quarantine.js';
import { drillsSection, fetchDrills } from './view_drills.js';
import { ago, dash, devKind, heading, secs, t, table } from './view_parts.js';

const role = () => (session() ? session().role : null);
const LOW_BATTERY = 20; // %: below this a device is on the low-battery list
const REFRESH_MS = 10000;
const TEST_ROLES = ['maintenance', 'supervisor', 'admin']; // controlroom/api/routes/test_mode.py
const VIEWS = ['board', 'devices', 'incidents', 'testmode', 'kpis', 'quarantine'];


// -- the views ---------------------------------------------------------------------------------

/** The views as pages of the console, for app.js. */
export const viewPages = [];
const panels = {};
const loaders = {};
let current = 'board';
let refreshTimer = null;

// Each view is a page of the console (app.js draws one navigation and shows one page at a
// time): the alarm board is app.js's own page, these four sit beside it.
const READ_ROLES = ['operator', 'supervisor', 'maintenance', 'admin'];

function build() {
  const main = document.querySelector('main');
  for (const v of VIEWS.slice(1)) {
    panels[v] = h('section', { class: 'view', testid: `view-${v}`, hidden: true, 'data-state': 'idle' });
    main.append(panels[v]);
    viewPages.push({
      id: v, testid: `view-tab-${v}`, roles: v === 'quarantine' ? QUARANTINE_ROLES : READ_ROLES, label: () => t(`view.${v}`),
      show: () => show(v), hide: () => hide(v),
    });
  }
}

function show(v) {
  current = v;
  for (const [name, p] of Object.entries(panels)) p.hidden = name !== v;
  clearInterval(refreshTimer);
  refreshTimer = null;
  if (session()) {
    load(v);
    refreshTimer = setInterval(() => load(v), REFRESH_MS);
  }
}

function hide(v) {
  panels[v].hidden = true;
  if (current !== v) return;
  current = 'board';
  clearInterval(refreshTimer);
  refreshTimer = null;
}

const loading = {};
async function load(v) {
  if (!session() || !loaders[v]) return;
  const p = panels[v];
  if (p.dataset.state === 'idle') {
    p.dataset.state = 'loading';
    p.replaceChildren(h('p', { class: 'view-empty', text: t('common.loading') }));
  }
  const gen = (loading[v] = (loading[v] || 0) + 1);
  try {
    const data = await loaders[v].fetch();
    if (gen !== loading[v] || current !== v) return;
    p._data = data;
    render(v);
    p.dataset.state = 'ready';
  } catch (err) {
    if (gen !== loading[v]) return;
    p.dataset.state = 'error';
    p.replaceChildren(h('p', { class: 'view-error', testid: 'view-error', text: t('common.error', { detail: err.detail || err.message }) }));
  }
}

function render(v) {
  const p = panels[v];
  if (!p._data) return;
  // Keep what the user is typing (the test-mode form) across refreshes.
  const keep = loaders[v].keep ? loaders[v].keep(p) : null;
  p.replaceChildren(...loaders[v].render(p._data, p).flat().filter((n) => n !== null && n !== undefined && n !== false));
  if (keep) keep();
}

// -- device health -----------------------------------------------------------------------------

loaders.devices = {
  async fetch() {
    const [devices, kiosks] = await Promise.all([api('api/devices'), api('api/devices/kiosks')]);
    return { ...devices, kiosks: kiosks.data };
  },
  render(data) {
    const devs = data.data;
    const offline = devs.filter((d) => d.online === false)
      .sort((a, b) => (ms(a.last_seen) || 0) - (ms(b.last_seen) || 0));
    const low = devs.filter((d) => d.battery !== null && d.battery < LOW_BATTERY)
      .sort((a, b) => a.battery - b.battery);
    const unknown = devs.filter((d) => d.online === null).length;
    const stat = (key, n, cls, testid) => h('div', { class: `stat ${cls || ''}`, testid },
      h('b', { text: String(n) }), h('span', { text: t(key) }));
    const row = (d, testid) => h('tr', { testid, 'data-device': d.id },
      h('td', { class: 'mono', text: d.id }), h('td', { text: devKind(d.kind) }),
      h('td', { class: 'mono', text: d.unit || dash }), h('td', { text: buildingLabel(d.building) }),
      h('td', { class: 'mono', title: d.last_seen || '', text: d.last_seen ? `${fmtTime(d.last_seen, 'full')} · ${ago(d.last_seen)}` : t('dev.never') }),
      h('td', { class: `mono ${d.battery !== null && d.battery < LOW_BATTERY ? 'bad' : ''}`, text: d.battery === null ? dash : `${d.battery}%` }),
      h('td', { class: 'mono', text: d.lel === null ? dash : String(d.lel) }));
    const heads = ['dev.col.device', 'dev.col.kind', 'dev.col.unit', 'dev.col.building', 'dev.col.lastSeen', 'dev.col.battery', 'dev.col.lel'];
    return [
      heading('dev.heading'),
      h('div', { class: 'stats', testid: 'device-stats' },
        stat('dev.total', devs.length, '', 'stat-total'),
        stat('dev.online', devs.filter((d) => d.online === true).length, 'ok', 'stat-online'),
        stat('dev.offline', offline.length, offline.length ? 'bad' : '', 'stat-offline'),
        stat('dev.lowBattery', low.length, low.length ? 'warn' : '', 'stat-low'),
        stat('dev.unknown', unknown, 'muted', 'stat-unknown')),
      h('h3', { text: t('dev.offlineHeading') }),
      table('offline-list', heads, offline.map((d) => row(d, 'offline-device')), t('dev.noneOffline')),
      h('h3', { text: t('dev.lowHeading', { n: LOW_BATTERY }) }),
      table('low-battery-list', heads, low.map((d) => row(d, 'low-battery-device')), t('dev.noneLow')),
      ...kioskSection(data.kiosks),
    ];
  },
};

// -- incidents ---------------------------------------------------------------------------------

loaders.incidents = {
  async fetch() {
    const list = await api('api/alerts?kind=incident&state=all&limit=50');
    // Newest first; each with the alarms it links (a handful each).
    const incidents = list.data.slice().sort((a, b) => ms(b.raised_at) - ms(a.raised_at));
    await Promise.all(incidents.map(async (inc) => {
      const ids = ((inc.detail && inc.detail.alerts) || []).slice(0, 30);
      inc.linked = await Promise.all(ids.map((id) => api(`api/alerts/${id}`).catch(() => ({ id, missing: true }))));
    }));
    return incidents;
  },
  render(incidents) {
    const cards = incidents.map((inc) => {
      const units = (inc.detail && inc.detail.units) || [];
      const rows = inc.linked.map((a) => h('tr', { testid: 'linked-alert', 'data-alert-id': a.id },
        h('td', { class: 'mono', text: `#${a.id}` }), h('td', { class: 'mono', text: a.unit || dash }),
        h('td', { text: a.kind ? kindLabel(a.kind) : dash }),
        h('td', {}, a.state ? h('span', { class: `state state-${a.state}`, text: stateLabel(a.state) }) : dash),
        h('td', { class: 'mono', text: a.raised_at ? fmtTime(a.raised_at, 'full') : dash }),
        h('td', { class: 'mono', text: a.acknowledged_at ? `${fmtTime(a.acknowledged_at)} (${a.acknowledged_by || '?'})` : dash })));
      const open = inc.state !== 'resolved';
      return h('article', { class: `incident ${open ? 'is-open' : ''}`, testid: 'incident', 'data-alert-id': inc.id, 'data-state': inc.state },
        h('header', { class: 'incident-head' },
          h('span', { class: 'pri pri-1', text: 'P1' }),
          h('b', { class: 'incident-title', text: `${buildingLabel(inc.building)} · ${kindLabel('incident')}` }),
          h('span', { class: `state state-${inc.state}`, testid: 'incident-state', text: stateLabel(inc.state) }),
          open ? h('button', { type: 'button', class: 'btn btn-small', testid: 'incident-open', text: t('inc.open'), onclick: () => { emit('show-page', 'board'); select(inc.id); } }) : null),
        h('dl', { class: 'facts' },
          h('dt', { text: t('inc.raised') }), h('dd', { class: 'mono', text: fmtTime(inc.raised_at, 'full') }),
          h('dt', { text: t('inc.units') }), h('dd', { class: 'mono', testid: 'incident-units', text: units.join(', ') || dash }),
          inc.detail && inc.detail.reason ? [h('dt', { text: '' }), h('dd', { text: inc.detail.reason })] : null),
        h('h4', { text: t('inc.linked', { n: inc.linked.length }) }),
        table('linked-alerts', ['inc.col.id', 'inc.col.unit', 'inc.col.kind', 'inc.col.state', 'inc.col.raised', 'inc.col.ack'], rows, t('common.none')));
    });
    return [heading('inc.heading'), cards.length ? h('div', { class: 'incidents' }, cards)
      : h('p', { class: 'view-empty', testid: 'incidents-empty', text: t('inc.empty') })];
  },
};

// -- test mode ---------------------------------------------------------------------------------

let report = null; // {window, data...} of the report shown
// The report's kind filter ('' = every kind), kept while signed in: a button walk test lists
// buttons only, report after report. Each window's kinds come from its unfiltered report.
let reportKind = '';
const reportKinds = new Map(); // window id -> [device kind]
loaders.testmode = {
  async fetch() {
    const [active, all, drills] = await Promise.all([api('api/test-mode?active=true'), api('api/test-mode?active=false'), fetchDrills()]);
    const recent = all.data.filter((w) => !active.data.some((a) => a.id === w.id)).slice(0, 10);
    return { active: active.data, recent, drills: drills.data };
  },
  keep(p) {
    const form = p.querySelector('form');
    if (!form) return null;
    const values = Object.fromEntries(new FormData(form));
    const error = p.querySelector('[data-testid="test-form-error"]');
    const msg = error && !error.hidden ? error.textContent : null;
    return () => {
      const f = p.querySelector('form');
      for (const [k, v] of Object.entries(values)) if (f.elements[k]) f.elements[k].value = v;
      if (msg) showFormError(p, msg);
    };
  },
  render(data, p) {
    const may = TEST_ROLES.includes(role());
    const form = h('form', { class: 'test-form', testid: 'test-form', noValidate: true, onsubmit: (ev) => startTest(ev, p) },
      h('label', {}, h('span', { text: t('tm.scope') }),
        h('select', { name: 'scope', testid: 'test-scope', disabled: !may },
          ['unit', 'device', 'building'].map((s) => h('option', { value: s, text: t(`tm.scope.${s}`) })))),
      h('label', {}, h('span', { text: t('tm.target') }),
        h('input', { name: 'target', testid: 'test-target', maxLength: 64, placeholder: t('tm.targetPlaceholder'), disabled: !may })),
      h('label', {}, h('span', { text: t('tm.minutes') }),
        h('input', { name: 'minutes', testid: 'test-minutes', type: 'number', min: 1, max: 480, value: '30', disabled: !may })),
      h('label', { class: 'grow' }, h('span', { text: t('tm.reason') }),
        h('input', { name: 'reason', testid: 'test-reason', maxLength: 500, placeholder: t('tm.reasonPlaceholder'), disabled: !may })),
      h('button', { type: 'submit', class: 'btn btn-primary', testid: 'test-submit', disabled: !may, text: t('tm.submit') }),
      h('p', { class: 'form-error', testid: 'test-form-error', role: 'alert', hidden: true }));
    const now = Date.now();
    const activeRows = data.active.map((w) => h('tr', { testid: 'test-window', 'data-window-id': w.id },
      h('td', { class: 'mono', text: `#${w.id}` }),
      h('td', { text: `${t(`tm.scope.${w.scope}`)} ${w.target}` }), h('td', { text: w.reason }),
      h('td', { text: w.started_by }), h('td', { class: 'mono', text: fmtTime(w.started_at) }),
      h('td', { class: 'mono', text: fmtTime(w.ends_at) }),
      h('td', { class: 'mono', testid: 'test-left', text: secs(Math.max(0, (ms(w.ends_at) - now) / 1000)) }),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-small', testid: 'test-report', text: t('tm.report'), onclick: () => showReport(w.id, p) }),
        may ? h('button', { type: 'button', class: 'btn btn-small btn-danger', testid: 'test-end', text: t('tm.end'), onclick: (ev) => endTest(w.id, ev.currentTarget, p) }) : null)));
    const recentRows = data.recent.map((w) => h('tr', { testid: 'test-window-ended', 'data-window-id': w.id },
      h('td', { class: 'mono', text: `#${w.id}` }),
      h('td', { text: `${t(`tm.scope.${w.scope}`)} ${w.target}` }), h('td', { text: w.reason }),
      h('td', { text: w.started_by }), h('td', { class: 'mono', text: fmtTime(w.started_at) }),
      h('td', { class: 'mono', text: fmtTime(w.ended_at || w.ends_at) }),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-small', testid: 'test-report', text: t('tm.report'), onclick: () => showReport(w.id, p) }))));
    return [
      heading('tm.heading'),
      h('h3', { text: t('tm.start') }),
      may ? null : h('p', { class: 'view-note', testid: 'test-no-right', text: t('tm.noRight') }),
      form,
      h('h3', { text: t('tm.active') }),
      table('active-tests', ['tm.col.id', 'tm.col.what', 'tm.col.reason', 'tm.col.by', 'tm.col.started', 'tm.col.ends', 'tm.col.left', ''], activeRows, t('tm.noneActive')),
      h('h3', { text: t('tm.recent') }),
      table('recent-tests', ['tm.col.id', 'tm.col.what', 'tm.col.reason', 'tm.col.by', 'tm.col.started', 'tm.col.ended', ''], recentRows, t('tm.noneRecent')),
      report ? renderReport(report) : null,
      ...drillsSection(data.drills, may, () => load('testmode')),
    ];
  },
};

function showFormError(p, msg) {
  const box = p.querySelector('[data-testid="test-form-error"]');
  box.hidden = !msg;
  box.textContent = msg || '';
}

async function startTest(ev, p) {
  ev.preventDefault();
  const f = ev.currentTarget;
  const body = {
    scope: f.elements.scope.value, target: f.elements.target.value.trim(),
    minutes: Number(f.elements.minutes.value), reason: f.elements.reason.value.trim(),
  };
  if (!body.target || !body.reason || !(body.minutes >= 1 && body.minutes <= 480)) {
    showFormError(p, t('tm.missing'));
    return;
  }
  const button = f.querySelector('[type="submit"]');
  button.disabled = true;
  try {
    const w = await api('api/test-mode', { method: 'POST', json: body });
    f.reset();
    showFormError(p, null);
    report = null;
    await load('testmode');
    const row = p.querySelector(`[data-testid="test-window"][data-window-id="${w.id}"]`);
    if (row) row.classList.add('is-new');
  } catch (err) {
    showFormError(p, err.detail);
  } finally {
    button.disabled = false;
  }
}

async function endTest(id, button, p) {
  button.disabled = true;
  try {
    await api(`api/test-mode/${id}/end`, { method: 'POST' });
    await showReport(id, p);
  } catch (err) {
    showFormError(p, err.detail);
    button.disabled = false;
  }
}

async function showReport(id, p) {
  try {
    const q = reportKind ? `?kind=${encodeURIComponent(reportKind)}` : '';
    const [r, whole] = await Promise.all([api(`api/test-mode/${id}/report${q}`),
      reportKind && !reportKinds.has(id) ? api(`api/test-mode/${id}/report`) : null]);
    const all = reportKind ? whole : r;
    if (all) reportKinds.set(id, [...new Set(all.data.map((d) => d.kind))].sort());
    report = r;
  } catch (err) {
    showFormError(p, err.detail);
    return;
  }
  await load('testmode');
  const box = p.querySelector('[data-testid="walk-test-report"]');
  if (box) box.scrollIntoView({ block: 'nearest' });
}

function renderReport(r) {
  const w = r.window;
  const rows = r.data.map((d) => h('tr', { testid: 'report-device', 'data-device': d.device, 'data-reported': d.reported ? 'true' : 'false', class: d.reported ? '' : 'silent' },
    h('td', { class: 'mono', text: d.device }), h('td', { class: 'mono', text: d.unit }),
    h('td', { text: devKind(d.kind) }),
    h('td', { class: d.reported ? 'ok' : 'bad', text: d.reported ? `✓ ${t('tm.yes')}` : `✗ ${t('tm.no')}` }),
    h('td', { class: 'mono', text: d.first_at ? fmtTime(d.first_at) : dash }),
    h('td', { class: 'mono', text: d.signals.join(', ') || dash })));
  const kinds = [...new Set([...(reportKinds.get(w.id) || []), ...(reportKind ? [reportKind] : [])])];
  const filter = h('label', { class: 'report-filter' }, h('span', { text: t('tm.kind') }),
    h('select', { testid: 'report-kind', onchange: (ev) => { reportKind = ev.currentTarget.value; showReport(w.id, panels.testmode); } },
      h('option', { value: '', text: t('tm.kindAll'), selected: !reportKind }),
      kinds.map((k) => h('option', { value: k, text: devKind(k), selected: k === reportKind }))));
  return h('section', { class: 'report', testid: 'walk-test-report', 'data-window-id': w.id, 'data-kind': reportKind },
    h('h3', { text: t('tm.reportHeading', { id: w.id, scope: t(`tm.scope.${w.scope}`), target: w.target }) }),
    filter,
    h('p', { testid: 'report-summary', class: 'report-summary', text: t('tm.reportSummary', { n: r.devices, r: r.reported, s: r.silent.length }) }),
    r.silent.length ? h('p', { class: 'report-silent', testid: 'report-silent' }, h('b', { text: t('tm.silent') }), r.silent.join(', '))
      : h('p', { class: 'ok', testid: 'report-silent', text: t('tm.allReported') }),
    table('report-table', ['tm.col.device', 'tm.col.unit', 'tm.col.kind', 'tm.col.reported', 'tm.col.first', 'tm.col.signals'], rows, t('common.none')));
}

loaders.kpis = kpisView;
loaders.quarantine = quarantineView;

// -- wiring ----------------------------------------------------------------------------------

let alertTimer = null;
function onAlert() {
  // A change on the stream: the incidents and the figures follow within a second.
  if (current !== 'incidents' && current !== 'kpis') return;
  clearTimeout(alertTimer);
  alertTimer = setTimeout(() => load(current), 700);
}

build();
on('signout', () => {
  report = null;
  reportKind = '';
  reportKinds.clear();
  for (const [v, p] of Object.entries(panels)) {
    p._data = null;
    p.dataset.state = 'idle';
    p.replaceChildren();
    hide(v);
  }
});
on('language', () => {
  if (current !== 'board') render(current);
});
on('alert', onAlert);
