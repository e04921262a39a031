/* Estate Butler console: the selected alert — its facts, the work bar (assignment, notes),
 * the action plan, the flat (flat_panel.js) and the history in the operator's words. */
import { api } from '../lib/api.js';
import { $, byTestId, h, setText } from '../lib/dom.js';
import { format as fmtTime } from '../lib/format.js';
import { lang, session } from '../lib/session.js';
import { details as detailWords, note as noteWords } from './alert_words.js';
import {
  ASSIGNABLE_ROLES, buildingLabel, canAct, causeLabel, conditionLabel, kindLabel, priorityLabel,
  state, stateLabel, t,
} from './board_state.js';
import { fillRow } from './board_rows.js';
import { renderFlat } from './flat_panel.js';
import { renderCommands } from './device_commands.js';
import { renderRoll } from './roll_call.js';

export function select(id) {
  const prev = state.selected;
  state.selected = id;
  state.selectedAlert = state.alerts.get(id) ? { ...state.alerts.get(id), history: null } : null;
  if (prev !== id) {
    state.plan = null;
    state.flat = null;
    hideWorkError();
  }
  for (const rid of [prev, id]) {
    const a = state.alerts.get(rid);
    if (a) fillRow(state.rows.get(rid), a);
  }
  renderDetails();
  loadDetails(id);
}

export function closeDetails() {
  const prev = state.selected;
  state.selected = null;
  state.selectedAlert = null;
  state.plan = null;
  state.flat = null;
  state.detailsGen += 1;
  const a = state.alerts.get(prev);
  if (a) fillRow(state.rows.get(prev), a);
  renderDetails();
}

let detailsTimer = null;
export function refreshDetails(a) {
  // Show the new fields now; fetch the history shortly (changes come in bursts).
  state.selectedAlert = { ...a, history: state.selectedAlert ? state.selectedAlert.history : null };
  renderDetails();
  clearTimeout(detailsTimer);
  detailsTimer = setTimeout(() => loadDetails(a.id), 150);
}

export async function loadDetails(id) {
  const gen = ++state.detailsGen;
  const planReq = api(`api/alerts/${id}/plan`).catch(() => null);
  try {
    const full = await api(`api/alerts/${id}`);
    if (gen !== state.detailsGen || state.selected !== id) return;
    state.selectedAlert = full;
  } catch (err) {
    if (gen !== state.detailsGen || state.selected !== id) return;
    state.selectedAlert = { ...(state.selectedAlert || { id }), historyError: err.detail };
  }
  const plan = await planReq;
  if (gen !== state.detailsGen || state.selected !== id) return;
  if (plan) state.plan = plan;
  const unit = state.selectedAlert && state.selectedAlert.unit;
  if (unit && (!state.flat || state.flat.unit !== unit)) loadFlat(id, unit);
  renderDetails();
}

/** The flat of the selected alert: residents shown by role (names masked for some). */
async function loadFlat(id, unit) {
  state.flat = { unit, data: null, error: null };
  let data = null;
  let error = null;
  try {
    data = await api(`api/units/${encodeURIComponent(unit)}`);
  } catch (err) {
    error = err.detail;
  }
  if (state.selected !== id || !state.flat || state.flat.unit !== unit) return;
  state.flat = { unit, data, error };
  renderDetails();
}

// Working the selected alert: assignment, the action plan, notes.

function showWorkError(detail) {
  const box = byTestId('work-error');
  box.hidden = false;
  setText(box, detail);
}

export function hideWorkError() {
  const box = byTestId('work-error');
  if (box) box.hidden = true;
}

async function work(id, path, body, button) {
  if (button) button.disabled = true;
  try {
    const res = await api(`api/alerts/${id}/${path}`, { method: 'POST', json: body });
    hideWorkError();
    return res;
  } catch (err) {
    if (session() && state.selected === id) showWorkError(t('err.action', { id, detail: err.detail }));
    if (err.status === 409 && state.selected === id) loadDetails(id);
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}

async function tickStep(id, n, button) {
  const plan = await work(id, `plan/${n}/tick`, undefined, button);
  if (plan && state.selected === id) {
    state.plan = plan;
    renderDetails();
  }
}

export async function assignToMe(button) {
  const id = state.selected;
  if (id === null || !session()) return;
  const full = await work(id, 'assign', { to: session().username }, button);
  if (full && state.selected === id) {
    state.selectedAlert = full;
    renderDetails();
  }
}

export async function onNoteSubmit(ev) {
  ev.preventDefault();
  const id = state.selected;
  if (id === null) return;
  const input = byTestId('note-input');
  const note = input.value.trim();
  if (!note) {
    showWorkError(t('note.missing'));
    input.focus();
    return;
  }
  const full = await work(id, 'note', { note }, byTestId('note-submit'));
  if (full && state.selected === id) {
    input.value = '';
    state.selectedAlert = full;
    renderDetails();
  }
}

function renderWork(a) {
  const assigned = a.detail && a.detail.assigned_to;
  const label = byTestId('assigned-to');
  setText(label, assigned ? t('work.assigned', { who: assigned }) : t('work.unassigned'));
  label.classList.toggle('is-unassigned', !assigned);
  const me = byTestId('assign-me');
  const mine = !!session() && assigned === session().username;
  me.hidden = !session() || !ASSIGNABLE_ROLES.includes(session().role) || mine ||
    a.state === 'resolved';
  const noteForm = byTestId('note-form');
  noteForm.hidden = !canAct();
}

function renderPlan(a) {
  const section = byTestId('plan-section');
  const plan = state.plan && state.plan.alert_id === a.id ? state.plan : null;
  section.hidden = !plan;
  if (!plan) return;
  setText(byTestId('plan-progress'), plan.total ? t('plan.progress', { done: plan.done, total: plan.total }) : '');
  const list = byTestId('plan-list');
  if (!plan.steps.length) {
    list.dataset.sig = '';
    list.replaceChildren(h('li', { class: 'plan-none', text: t('plan.none') }));
    return;
  }
  const act = canAct() && a.state !== 'resolved';
  // Re-render only on a change: the answer to a tick and the stream's echo of it both come
  // here, and rebuilding the list under the operator's finger would swallow the next click.
  const sig = JSON.stringify([plan.alert_id, plan.steps, lang(), act]);
  if (list.dataset.sig === sig) return;
  list.dataset.sig = sig;
  const zh = lang() === 'zh';
  list.replaceChildren(...plan.steps.map((st) => {
    const li = h('li', { class: st.ticked_at ? 'is-ticked' : '', testid: 'plan-step', 'data-step': String(st.n),
      'data-ticked': st.ticked_at ? 'true' : 'false' },
    h('span', { class: 'plan-n', text: st.ticked_at ? '✓' : String(st.n) }),
    h('span', { class: 'plan-text', testid: 'plan-text', text: zh ? st.zh : st.en, title: zh ? st.en : st.zh }));
    if (st.ticked_at) {
      li.append(h('time', { class: 'plan-when mono', testid: 'plan-ticked', datetime: st.ticked_at,
        text: t('plan.ticked', { t: fmtTime(st.ticked_at, 'full'), who: st.ticked_by || '?' }) }));
    } else if (act) {
      const b = h('button', { type: 'button', class: 'btn btn-small plan-tick', testid: 'plan-tick', text: t('plan.tick') });
      b.addEventListener('click', () => tickStep(a.id, st.n, b));
      li.append(b);
    }
    return li;
  }));
}

export function renderDetails() {
  const pane = byTestId('details-pane');
  const body = $('.details-body', pane);
  const empty = byTestId('details-empty');
  const a = state.selectedAlert;
  body.hidden = !a;
  empty.hidden = !!a;
  pane.hidden = !a; // the board gets the whole width until an alert is selected
  pane.classList.toggle('is-open', !!a);
  if (!a) {
    delete pane.dataset.alertId;
    renderCommands(null);
    renderRoll(null);
    return;
  }
  pane.dataset.alertId = String(a.id);
  setText(byTestId('details-title'), t('details.title', { id: a.id, kind: a.kind ? kindLabel(a.kind) : '' }));

  const facts = [];
  const add = (key, value, cls) => {
    if (value === null || value === undefined || value === '') return;
    facts.push([t(key), String(value), cls || '']);
  };
  if (a.priority) add('fact.priority', `P${a.priority} ${priorityLabel(a.priority)}`, `pri-text-${a.priority}`);
  if (a.state) add('fact.state', stateLabel(a.state));
  if (a.condition) add('fact.condition', conditionLabel(a.condition));
  add('fact.unit', a.unit);
  if (a.building) add('fact.building', buildingLabel(a.building));
  add('fact.device', a.device);
  if (a.detail && a.detail.lel !== undefined && a.detail.lel !== null) add('fact.lel', `${a.detail.lel} %LEL`);
  if (a.raised_at) add('fact.raised', fmtTime(a.raised_at, 'full'));
  if (a.acknowledged_at) add('fact.acknowledged', t('fact.by', { t: fmtTime(a.acknowledged_at, 'full'), who: a.acknowledged_by || '?' }));
  // Dispatch records who was SENT on site (free text); the owner is the operator who works
  // the alert in the control room (detail.assigned_to, the work bar): two different things.
  if (a.dispatched_at) add('fact.dispatched', t('fact.sent', { t: fmtTime(a.dispatched_at, 'full'), to: a.dispatched_to || '?' }));
  if (a.resolved_at) add('fact.resolved', t('fact.by', { t: fmtTime(a.resolved_at, 'full'), who: a.resolved_by || '?' }));
  if (a.cause) add('fact.cause', causeLabel(a.cause));
  if (a.occurrences) add('fact.occurrences', a.occurrences);
  if (a.escalation) add('fact.escalation', a.escalation);
  if (a.test) add('fact.test', t('fact.yes'));
  if (a.updated_at) add('fact.updated', fmtTime(a.updated_at, 'full'));
  if (a.detail && a.detail.observed_at) add('fact.observed', fmtTime(a.detail.observed_at, 'full'));
  for (const [k, v, field] of detailWords(a.detail, { lang: lang(), fmtTime })) {
    facts.push([k, v, `fact-${field}`]);
  }
  const dl = byTestId('details-facts');
  dl.replaceChildren(...facts.flatMap(([k, v, cls]) => [h('dt', { text: k }), h('dd', { class: cls || null, text: v })]));
  renderWork(a);
  renderPlan(a);
  renderFlat(a);
  renderCommands(a);
  renderRoll(a);

  renderHistory(a);
}

function renderHistory(a) {
  const muted = (text) => h('li', { class: 'history-muted', text });
  let items;
  if (a.historyError) items = [h('li', { class: 'history-error', text: a.historyError })];
  else if (!a.history) items = [muted(t('details.loading'))];
  else if (a.history.length === 0) items = [muted(t('details.noHistory'))];
  else {
    const plan = state.plan && state.plan.alert_id === a.id ? state.plan : null;
    items = a.history.map((e) => h('li', { testid: 'history-item', 'data-action': e.action, 'data-actor': e.actor },
      h('time', { class: 'mono', datetime: e.at, text: fmtTime(e.at, 'full') }),
      h('span', { class: `h-action h-${e.action}`, text: t.or(`history.${e.action}`, e.action) }),
      h('span', { class: 'h-actor', text: e.actor }),
      e.note ? h('p', { class: 'h-note', text: noteWords(e, { lang: lang(), causeLabel, plan }) }) : null));
  }
  byTestId('history-list').replaceChildren(...items);
}
