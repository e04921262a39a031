/* Estate Butler console: the alarm board's rows — one <tbody class="alert"> per alert, cloned
 * from index.html's template, kept in board order — and what an operator does on a row
 * (acknowledge, dispatch, resolve). Rows carry data-alert-id, data-kind, data-priority,
 * data-state and data-condition for tests. */
import { api } from '../lib/api.js';
import { $, byTestId, h, setText } from '../lib/dom.js';
import { elapsed, format as fmtTime, toMs as ms } from '../lib/format.js';
import { wordsH } from '../lib/i18n.js';
import { lang, session } from '../lib/session.js';
import { select } from './alert_details.js';
import { primeAudio } from './alarm_sound.js';
import { applyAlert, reload } from './board.js';
import { placeBoard } from './board_groups.js';
import {
  buildingLabel, canAct, conditionLabel, el, isAlarming, kindLabel, priorityLabel,
  state, stateLabel, t,
} from './board_state.js';

export function upsertRow(a, fresh) {
  let tb = state.rows.get(a.id);
  if (!tb) {
    tb = el.tplAlert.content.firstElementChild.cloneNode(true);
    wireRow(tb, a.id);
    state.rows.set(a.id, tb);
    if (fresh) {
      tb.classList.add('is-new');
      setTimeout(() => tb.classList.remove('is-new'), 4000);
    }
  }
  fillRow(tb, a);
}

export function fillRow(tb, a) {
  if (!tb) return;
  const tr = $('tr.alert-row', tb);
  tb.dataset.alertId = String(a.id);
  tr.dataset.alertId = String(a.id);
  tr.dataset.kind = a.kind;
  tr.dataset.priority = String(a.priority);
  tr.dataset.state = a.state;
  tr.dataset.condition = a.condition;
  tr.dataset.test = a.test ? 'true' : 'false';
  for (const p of [1, 2, 3, 4]) tr.classList.toggle(`p${p}`, a.priority === p);
  tr.classList.toggle('flashing', isAlarming(a));
  tr.classList.toggle('is-restored', a.condition === 'restored');
  tr.classList.toggle('is-selected', state.selected === a.id);
  tr.setAttribute('aria-selected', state.selected === a.id ? 'true' : 'false');

  const pri = byTestId('alert-priority', tr);
  setText(pri, `P${a.priority} ${priorityLabel(a.priority)}`);
  pri.className = `pri pri-${a.priority}`;

  const kind = byTestId('alert-kind', tr);
  setText(kind, kindLabel(a.kind));
  kind.title = a.kind;
  const tags = $('.tags', tr);
  const wanted = [];
  if (a.escalation > 0) wanted.push(['tag-esc', t('tag.escalated', { n: a.escalation })]);
  if (a.test) wanted.push(['tag-test', t('tag.test')]);
  tags.replaceChildren(...wanted.map(([cls, text]) => h('span', { class: `tag ${cls}`, text })));

  // A building-level alert (panel, incident) has no unit: name the building there.
  setText(byTestId('alert-unit', tr), a.unit || (a.building ? buildingLabel(a.building) : '—'));
  setText(byTestId('alert-building', tr), buildingLabel(a.building));
  setText(byTestId('alert-device', tr), a.device || '—');
  const lel = a.detail && a.detail.lel !== undefined && a.detail.lel !== null ? a.detail.lel : null;
  const lelCell = byTestId('alert-lel', tr);
  setText(lelCell, lel === null ? '' : Number(lel).toFixed(1));
  lelCell.classList.toggle('lel-high', lel !== null && Number(lel) >= 25);

  const st = byTestId('alert-state', tr);
  setText(st, stateLabel(a.state));
  st.className = `state state-${a.state}`;
  let sub = '';
  if (a.state === 'dispatched' && a.dispatched_to) sub = `→ ${a.dispatched_to}`;
  else if (a.state === 'acknowledged' && a.acknowledged_by) sub = a.acknowledged_by;
  setText($('.state-sub', tr), sub);

  const cond = byTestId('alert-condition', tr);
  setText(cond, conditionLabel(a.condition));
  cond.className = `cond cond-${a.condition}`;
  setText(byTestId('alert-occurrences', tr), a.occurrences > 1 ? `×${a.occurrences}` : '1');
  const raised = byTestId('alert-raised', tr);
  setText(raised, fmtTime(a.raised_at));
  raised.title = fmtTime(a.raised_at, 'full');
  setText(byTestId('alert-elapsed', tr), elapsed(a.raised_at));

  const act = canAct();
  const ack = byTestId('ack-button', tr);
  ack.hidden = a.state !== 'open';
  const dispatchBtn = byTestId('dispatch-button', tr);
  const resolveBtn = byTestId('resolve-button', tr);
  for (const b of [ack, dispatchBtn, resolveBtn]) {
    if (!b.classList.contains('busy')) b.disabled = !act;
    b.title = act ? '' : t('action.noRight');
  }
  tb.querySelectorAll('.form-row').forEach((row) => {
    if (!act) row.remove();
  });
}

/** Put the row nodes in board order, moving only those out of place (keeps focus). */
export function placeRows() {
  // Each raise time parsed once, not in every comparison (a flood sorts a thousand alerts).
  const keyed = [...state.alerts.values()].map((a) => [a, ms(a.raised_at)]);
  keyed.sort((x, y) => (x[0].priority - y[0].priority) || (x[1] - y[1]) || (x[0].id - y[0].id));
  const sorted = keyed.map((x) => x[0]);
  placeBoard(sorted.filter((a) => !a.test), placeIn);
  const tests = sorted.filter((a) => a.test);
  placeIn(el.testBoard, tests, null);
  el.boardEmpty.hidden = sorted.some((a) => !a.test);
  byTestId('test-section').hidden = tests.length === 0;
}

function placeIn(table, alerts, anchor) {
  const isAlertBody = (n) => n && n.tagName === 'TBODY' && n.classList.contains('alert');
  let cursor = [...table.children].find(isAlertBody) || null;
  for (const a of alerts) {
    const node = state.rows.get(a.id);
    if (!node) continue;
    if (node === cursor) {
      cursor = isAlertBody(cursor.nextElementSibling) ? cursor.nextElementSibling : null;
    } else {
      table.insertBefore(node, cursor || anchor);
    }
  }
}

/** Resolved while the device was still in alarm: listed until the device restores. */

// Row actions
// ---------------------------------------------------------------------------------------

function wireRow(tb, id) {
  const tr = $('tr.alert-row', tb);
  tr.addEventListener('click', (ev) => {
    if (ev.target.closest('button, input, select, form')) return;
    select(id);
  });
  tr.addEventListener('keydown', (ev) => {
    if (ev.target !== tr) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      select(id);
    }
  });
  byTestId('ack-button', tr).addEventListener('click', () => acknowledge(id, byTestId('ack-button', tr)));
  byTestId('dispatch-button', tr).addEventListener('click', () => toggleForm(tb, id, 'dispatch'));
  byTestId('resolve-button', tr).addEventListener('click', () => toggleForm(tb, id, 'resolve'));
}

async function act(id, action, body, button) {
  if (button) {
    button.disabled = true;
    button.classList.add('busy');
  }
  try {
    const alert = await api(`api/alerts/${id}/${action}`, { method: 'POST', json: body });
    hideActionError();
    applyAlert(alert);
    return { ok: true, alert };
  } catch (err) {
    if (err.status === 409 || err.status === 404) reload();
    return { ok: false, err };
  } finally {
    if (button) {
      button.classList.remove('busy');
      button.disabled = !canAct();
    }
  }
}

async function acknowledge(id, button) {
  primeAudio();
  const r = await act(id, 'ack', { note: '' }, button);
  if (!r.ok && session()) showActionError(id, r.err.detail);
}

const hw = wordsH(t);
const CAUSES = ['real', 'false_alarm', 'test', 'device_fault', 'other'];

function formFields(which) {
  if (which === 'dispatch') {
    return [
      h('label', {}, hw('span', { i18n: 'dispatch.to' }),
        h('input', { name: 'to', testid: 'dispatch-to', list: 'dispatch-suggestions', maxlength: '128', required: true,
          i18nPh: 'dispatch.toPlaceholder', placeholder: t('dispatch.toPlaceholder') })),
      h('label', { class: 'grow' }, hw('span', { i18n: 'form.note' }),
        h('input', { name: 'note', testid: 'dispatch-note', maxlength: '2000' })),
    ];
  }
  return [
    h('label', {}, hw('span', { i18n: 'resolve.cause' }),
      h('select', { name: 'cause', testid: 'resolve-cause', required: true },
        hw('option', { value: '', i18n: 'resolve.choose' }),
        CAUSES.map((c) => hw('option', { value: c, i18n: `cause.${c}` })))),
    h('label', { class: 'grow' }, hw('span', { i18n: 'resolve.note' }),
      h('input', { name: 'note', testid: 'resolve-note', maxlength: '2000', required: true,
        i18nPh: 'resolve.notePlaceholder', placeholder: t('resolve.notePlaceholder') })),
  ];
}

/** The inline form under a row: dispatch (who was sent) or resolve (cause and what happened). */
function rowForm(which) {
  return h('tr', { class: `form-row form-${which}`, testid: `${which}-form-row` },
    h('td', { colspan: '12' },
      h('form', { class: 'inline-form', testid: `${which}-form`, novalidate: true },
        hw('span', { class: 'inline-title', i18n: `${which}.title` }),
        formFields(which),
        hw('button', { type: 'submit', class: 'btn btn-small btn-primary', testid: `${which}-submit`, i18n: `${which}.submit` }),
        hw('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'form-cancel', i18n: 'common.cancel' }),
        h('span', { class: 'form-error', testid: 'form-error', role: 'alert', hidden: true }))));
}

function toggleForm(tb, id, which) {
  primeAudio();
  const existing = $('.form-row', tb);
  const same = existing && existing.classList.contains(`form-${which}`);
  if (existing) existing.remove();
  if (same) return;
  const row = rowForm(which);
  row.dataset.alertId = String(id);
  const form = $('form', row);
  const err = byTestId('form-error', row);
  byTestId('form-cancel', row).addEventListener('click', () => row.remove());
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') row.remove();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    let body;
    if (which === 'dispatch') {
      const to = String(data.get('to') || '').trim();
      if (!to) {
        err.hidden = false;
        setText(err, t('dispatch.missing'));
        $('[name=to]', form).focus();
        return;
      }
      body = { to, note: String(data.get('note') || '').trim() };
    } else {
      const cause = String(data.get('cause') || '');
      const note = String(data.get('note') || '').trim();
      if (!cause || !note) {
        err.hidden = false;
        setText(err, t('resolve.missing'));
        (cause ? $('[name=note]', form) : $('[name=cause]', form)).focus();
        return;
      }
      body = { cause, note };
      const cur = state.alerts.get(id);
      if (cur && cur.device && cur.condition === 'active' && form.dataset.confirmed !== 'true') {
        askStillActive(form, cur);
        return;
      }
    }
    const submit = $('button[type=submit]', form);
    const r = await act(id, which, body, submit);
    if (r.ok) {
      row.remove();
    } else if (session()) {
      err.hidden = false;
      setText(err, r.err.detail);
    }
  });
  tb.appendChild(row);
  $('input, select', form).focus();
}

/** Resolving leaves the device in alarm: say so, and resolve only when the operator says. */
function askStillActive(form, a) {
  const old = byTestId('resolve-confirm-box', form);
  if (old) old.remove();
  const lel = a.detail && a.detail.lel !== undefined && a.detail.lel !== null
    ? (lang() === 'zh' ? `（LEL ${Number(a.detail.lel).toFixed(1)}%）` : ` (${Number(a.detail.lel).toFixed(1)} %LEL)`) : '';
  const yes = h('button', { type: 'button', class: 'btn btn-small btn-ack', testid: 'resolve-confirm', text: t('resolve.confirm') });
  const no = h('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'resolve-keep', text: t('resolve.keep') });
  const box = h('div', { class: 'resolve-confirm', testid: 'resolve-confirm-box', role: 'alertdialog' },
    h('p', { text: t('resolve.stillActive', { kind: kindLabel(a.kind), lel }) }));
  yes.addEventListener('click', () => {
    form.dataset.confirmed = 'true';
    box.remove();
    form.requestSubmit();
  });
  no.addEventListener('click', () => {
    box.remove();
    $('[name=note]', form).focus();
  });
  box.append(yes, no);
  form.append(box);
  no.focus();
}

function showActionError(id, detail) {
  const box = byTestId('action-error');
  box.hidden = false;
  setText($('.banner-text', box), t('err.action', { id, detail }));
}

export function hideActionError() {
  byTestId('action-error').hidden = true;
}

