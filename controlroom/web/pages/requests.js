/* Estate Butler control-room console: the service-request queue (DOMAIN.md "Service requests").
 *
 * For the front desk and the butlers: requests sorted by SLA deadline, overdue first and in
 * red (GET /api/requests), assignment and progress through the lifecycle
 * (POST /api/requests/{id}/{step}), the history of one request. An ES module: the page
 * (requestsPage) tells app.js which roles it serves; it hears the session, language and
 * time-zone changes through lib/session.js events. Words: i18n/requests.json.
 *
 * Test hooks: data-testid on every element a test needs; rows carry data-request-id,
 * data-state and data-overdue.
 */
import REQUEST_WORDS from '../i18n/requests.json' with { type: 'json' };
import { api, VOCABULARY } from '../lib/api.js';
import { $, byTestId } from '../lib/dom.js';
import { format } from '../lib/format.js';
import { translateTree, translator, wordsH } from '../lib/i18n.js';
import { lang, on, session } from '../lib/session.js';
import { buildNewForm, onNewSubmit, openForm, toggleNewForm } from './request_forms.js';
import { refreshDetails, renderDetails, select } from './request_details.js';

// State and type labels come from the control room (lib/api.js VOCABULARY); until they have
// arrived a state shows as its code.
export const t = translator(VOCABULARY, REQUEST_WORDS);
export const node = wordsH(t);
// controlroom/request_flow.py: who acts, the steps from each state, the technician's steps.
const ACT_ROLES = ['frontdesk', 'supervisor', 'admin'];
const READ_ROLES = [...ACT_ROLES, 'maintenance', 'operator'];
const TECH_STEPS = ['start', 'wait_parts', 'complete'];
const STEPS_FROM = {
  received: ['assign', 'cancel'],
  assigned: ['start', 'complete', 'assign', 'cancel'],
  in_progress: ['wait_parts', 'complete', 'cancel'],
  waiting_parts: ['start', 'cancel'],
  completed: ['accept', 'reopen'],
  accepted: ['return_visit'],
  return_visit: ['close'],
};
// A complaint is also given feedback (its 24-hour promise) and judged while it is worked.
const COMPLAINT_STEPS = ['feedback', 'judge'];
const WORKING = ['received', 'assigned', 'in_progress', 'waiting_parts'];
const PATHS = { wait_parts: 'wait-parts', return_visit: 'return-visit' };
const FORM_STEPS = ['assign', 'return_visit', 'close', 'cancel', 'feedback', 'judge'];
const POLL_MS = 5000;

export const st = {
  view: 'board',
  rows: [],
  choices: null,
  filters: { state: 'open', overdue: false, mine: false, building: '' },
  status: 'loading',
  error: '',
  syncedAt: null,
  selected: null,
  detail: null,
  openForm: null, // {id, step}
  poll: null,
  gen: 0,
};

const role = () => (session() ? session().role : '');

/** The site's time, `YYYY-MM-DD HH:mm` (lib/format.js: the console's one format). */
export const fmtTime = (iso, mode) => format(iso, mode || 'minute');

/** A server note's ISO times (e.g. an assignment's deadline) as the site's times. */
export const noteTimes = (text) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g,
  (iso) => fmtTime(iso, 'minute'));

function fmtSpan(ms) {
  const m = Math.floor(Math.abs(ms) / 60000);
  if (m < 60) return lang() === 'zh' ? `${m} 分` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return lang() === 'zh' ? `${h} 时 ${m % 60} 分` : `${h} h ${m % 60} min`;
  return lang() === 'zh' ? `${Math.floor(h / 24)} 天` : `${Math.floor(h / 24)} d`;
}

function promiseLabel(r, name) {
  const p = (r.promises || []).find((x) => x.name === name);
  return p ? (lang() === 'zh' ? p.label_zh : p.label_en) : '—';
}

export const title = (r) => (lang() === 'zh' ? r.title_zh : r.title_en);

function mayStep(r, step) {
  if (ACT_ROLES.includes(role())) return true;
  return role() === 'maintenance' && TECH_STEPS.includes(step) && r.assignee === session().username;
}

// ---------------------------------------------------------------------------------------
// The page's skeleton (built once)
// ---------------------------------------------------------------------------------------

export const el = {};

function build() {
  const view = byTestId('requests-view');
  view.dataset.words = 'requests'; // its labels are translated here (translateTree)
  el.view = view;
  el.status = node('span', { class: 'board-status', testid: 'requests-status', 'data-state': 'loading' });
  el.stateSel = node('select', { testid: 'filter-state', onchange: onFilter },
    node('option', { value: 'open', i18n: 'rq.filter.open' }),
    node('option', { value: 'all', i18n: 'rq.filter.all' }));
  el.buildingSel = node('select', { testid: 'filter-building', onchange: onFilter },
    node('option', { value: '', i18n: 'rq.filter.allBuildings' }));
  el.overdueBox = node('input', { type: 'checkbox', testid: 'filter-overdue', onchange: onFilter });
  el.mineBox = node('input', { type: 'checkbox', testid: 'filter-mine', onchange: onFilter });
  el.newBtn = node('button', { type: 'button', class: 'btn btn-small btn-primary', testid: 'new-request',
    i18n: 'rq.new', onclick: toggleNewForm });
  el.error = node('p', { class: 'banner banner-error', testid: 'requests-error', role: 'alert', hidden: true });
  el.newForm = node('form', { class: 'inline-form rq-new', testid: 'new-request-form', hidden: true, novalidate: true,
    onsubmit: onNewSubmit });
  el.tbody = node('tbody', { testid: 'requests-body' });
  el.empty = node('p', { class: 'rq-empty', testid: 'requests-empty', i18n: 'rq.empty', hidden: true });
  const cols = ['number', 'unit', 'type', 'title', 'state', 'owner', 'assignee', 'next', 'due', 'actions'];
  const table = node('table', { class: 'board rq-table', testid: 'requests-table' },
    node('thead', {}, node('tr', {}, ...cols.map((c) => node('th', { class: `rq-c-${c}`, i18n: `col.${c}` })))),
    el.tbody);
  el.details = node('aside', { class: 'details rq-details', testid: 'request-details', hidden: true });
  view.append(
    node('div', { class: 'board-wrap rq-wrap' },
      node('div', { class: 'board-head' }, node('h2', { i18n: 'rq.heading' }), el.status),
      node('div', { class: 'rq-filters', testid: 'requests-filters' },
        el.stateSel, el.buildingSel,
        node('label', {}, el.overdueBox, node('span', { i18n: 'rq.filter.overdue' })),
        node('label', {}, el.mineBox, node('span', { i18n: 'rq.filter.mine' })),
        el.newBtn),
      el.newForm, el.error, table, el.empty),
    el.details);
}

function translate() {
  translateTree(el.view, t);
  if (st.choices) fillBuildings();
  if (!st.openForm) renderRows();
  renderStatus();
  renderDetails();
  if (!el.newForm.hidden) buildNewForm();
}

// ---------------------------------------------------------------------------------------
// Which page shows
// ---------------------------------------------------------------------------------------

function onSession(s) {
  if (!s || !READ_ROLES.includes(s.role)) {
    hide();
    st.rows = [];
    st.selected = null;
    st.detail = null;
    st.openForm = null;
    return;
  }
  el.newBtn.hidden = !ACT_ROLES.includes(s.role);
}

// app.js shows one page at a time and draws the navigation.
function show() {
  st.view = 'requests';
  el.view.hidden = false;
  loadChoices();
  load();
  startPolling();
}

function hide() {
  st.view = null;
  el.view.hidden = true;
  stopPolling();
}

export const requestsPage = { id: 'requests', roles: READ_ROLES, label: () => t('nav.requests'), show, hide };

function startPolling() {
  stopPolling();
  st.poll = setInterval(() => {
    if (!st.openForm) load();
  }, POLL_MS);
}

function stopPolling() {
  clearInterval(st.poll);
  st.poll = null;
}

// ---------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------

async function loadChoices() {
  if (st.choices) return;
  try {
    st.choices = await api('api/requests/choices');
    fillBuildings();
  } catch (_) { /* the queue still works; the forms show what they can */ }
}

function fillBuildings() {
  const cur = el.buildingSel.value;
  const opts = [node('option', { value: '', i18n: 'rq.filter.allBuildings' })];
  for (const b of st.choices.buildings) {
    opts.push(node('option', { value: b.id, text: lang() === 'zh' ? b.name_zh : b.name_en }));
  }
  el.buildingSel.replaceChildren(...opts);
  el.buildingSel.value = cur;
}

function onFilter() {
  st.filters = {
    state: el.stateSel.value,
    building: el.buildingSel.value,
    overdue: el.overdueBox.checked,
    mine: el.mineBox.checked,
  };
  load();
}

export async function load() {
  if (!session()) return;
  const gen = ++st.gen;
  const q = new URLSearchParams({ state: st.filters.state });
  if (st.filters.building) q.set('building', st.filters.building);
  if (st.filters.overdue) q.set('overdue', 'true');
  if (st.filters.mine) q.set('owner', session().username);
  try {
    const data = await api(`api/requests?${q}`);
    if (gen !== st.gen) return;
    st.rows = data.data;
    st.status = 'ready';
    st.error = '';
    st.syncedAt = new Date();
  } catch (err) {
    if (gen !== st.gen) return;
    st.status = 'error';
    st.error = err.detail;
  }
  if (!st.openForm) renderRows();
  renderStatus();
  if (st.selected) refreshDetails();
}

// ---------------------------------------------------------------------------------------
// The queue
// ---------------------------------------------------------------------------------------

function renderStatus() {
  if (!el.status) return;
  el.status.dataset.state = st.status;
  el.status.textContent = st.status === 'loading' ? t('rq.loading')
    : st.status === 'error' ? t('rq.error', { detail: st.error })
      : t('rq.ready', { n: st.rows.length, time: st.syncedAt ? fmtTime(st.syncedAt, 'time') : '' });
}

export function renderRows() {
  if (!el.tbody) return;
  el.tbody.replaceChildren(...st.rows.map(row));
  el.empty.hidden = st.rows.length > 0 || st.status !== 'ready';
  tick();
}

function row(r) {
  const tr = node('tr', {
    class: `rq-row${r.overdue ? ' is-overdue' : ''}${st.selected === r.id ? ' is-selected' : ''}`,
    testid: 'request-row', 'data-request-id': String(r.id), 'data-state': r.state,
    'data-overdue': r.overdue ? 'true' : 'false', tabindex: '0',
    onclick: (ev) => { if (!ev.target.closest('button')) select(r.id); },
  });
  const due = node('td', { class: 'rq-c-due mono', testid: 'request-due' });
  if (r.next_due) {
    due.append(node('span', { class: 'rq-due-at', text: fmtTime(r.next_due) }),
      node('span', { class: 'rq-due-left', testid: 'request-due-left', 'data-due': r.next_due }));
  } else {
    due.textContent = t('due.none');
  }
  const stateCell = node('td', { class: 'rq-c-state' },
    node('span', { class: `rq-state rq-state-${r.state}`, testid: 'request-state', text: t.or(`state.${r.state}`, r.state) }));
  if (r.overdue) stateCell.append(node('span', { class: 'tag rq-tag-overdue', testid: 'request-overdue', text: t('overdue') }));
  const actions = node('td', { class: 'rq-c-actions' });
  const steps = [...(STEPS_FROM[r.state] || [])];
  if (r.type === 'complaint' && WORKING.includes(r.state)) steps.push(...COMPLAINT_STEPS);
  for (const step of steps) {
    if (!mayStep(r, step)) continue;
    actions.append(node('button', {
      type: 'button', class: `btn btn-small${step === 'assign' || step === 'start' ? ' btn-primary' : ''}`,
      testid: `step-${step}`, text: t(`act.${step}`), onclick: (ev) => onStep(r, step, ev.currentTarget),
    }));
  }
  tr.append(
    node('td', { class: 'rq-c-number mono', testid: 'request-number', text: r.number }),
    node('td', { class: 'rq-c-unit', testid: 'request-unit', text: r.unit }),
    node('td', { class: 'rq-c-type', testid: 'request-type', text: t.or(`type.${r.type}`, r.type) }),
    node('td', { class: 'rq-c-title', testid: 'request-title', text: title(r) }),
    stateCell,
    node('td', { class: 'rq-c-owner', testid: 'request-owner', text: r.owner || '—' }),
    node('td', { class: 'rq-c-assignee', testid: 'request-assignee', text: r.assignee || '—' }),
    node('td', { class: 'rq-c-next', testid: 'request-next', text: r.next_promise ? promiseLabel(r, r.next_promise) : '—' }),
    due, actions);
  return tr;
}

function tick() {
  const now = Date.now();
  document.querySelectorAll('[data-testid="request-due-left"]').forEach((n) => {
    const left = new Date(n.dataset.due).getTime() - now;
    n.textContent = left >= 0 ? t('due.left', { d: fmtSpan(left) }) : t('due.late', { d: fmtSpan(left) });
    n.classList.toggle('is-late', left < 0);
  });
}

// ---------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------

function showError(detail) {
  el.error.hidden = !detail;
  el.error.textContent = detail || '';
}

export async function send(r, step, body, button) {
  if (button) button.disabled = true;
  try {
    const updated = await api(`api/requests/${r.id}/${PATHS[step] || step}`, { method: 'POST', json: body || {} });
    showError('');
    closeForm();
    if (st.selected === r.id) st.detail = updated;
    await load();
    return true;
  } catch (err) {
    showError(err.detail);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

function onStep(r, step, button) {
  if (FORM_STEPS.includes(step)) openForm(r, step);
  else send(r, step, {}, button);
}

export function closeForm() {
  st.openForm = null;
  const open = $('.rq-form-row', el.tbody);
  if (open) open.remove();
}

// ---------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------

build();
on('session', onSession);
on('language', translate);
on('vocabulary', translate);
on('timezone', translate); // the site's zone arrived: redraw times
setInterval(tick, 1000);
