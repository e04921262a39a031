/* Estate Butler console: the alarm board in a flood (issue 15).
 *
 * With more than GROUP_AT open alerts the board groups its rows by building: a header per
 * building (its counts by priority, its open building incident, "acknowledge all" behind a
 * confirmation — POST /api/alerts/group/acknowledge, each alert audited on its own). Only the
 * top group's rows are in the page until the operator opens another, so a thousand alerts
 * stay quick. The flood banner shows what the ISA-18.2 meter says (GET /api/kpis/flood, the
 * KPI page's source). */
import { api } from '../lib/api.js';
import { $, byTestId, h, setText } from '../lib/dom.js';
import { reload } from './board.js';
import { placeRows } from './board_rows.js';
import { buildingLabel, canAct, el, state, t } from './board_state.js';

export const GROUP_AT = 30; // more open alerts than this: grouped by building
const FLOOD_EVERY_MS = 2000; // the meter asked at most this often while alerts arrive
const FLOOD_IDLE_MS = 30000; // and this often when quiet (a flood ends by itself)

const heads = new Map(); // building -> <tbody class="group-head">
const opened = new Map(); // building -> true/false, as the operator toggled it
let shownFirst = null; // the building whose group opened by itself (the top one)

const isBody = (n) => n && n.tagName === 'TBODY' && (n.classList.contains('alert') || n.classList.contains('group-head'));

function groupsOf(sorted) {
  const groups = new Map();
  for (const a of sorted) {
    const key = a.building || '-';
    let g = groups.get(key);
    if (!g) {
      g = { key, alerts: [], counts: { 1: 0, 2: 0, 3: 0, 4: 0 }, unack: 0, incident: null };
      groups.set(key, g);
    }
    g.alerts.push(a);
    g.counts[a.priority] = (g.counts[a.priority] || 0) + 1;
    if (a.state === 'open') g.unack += 1;
    if (a.kind === 'incident' && !g.incident) g.incident = a;
  }
  return [...groups.values()]; // in the order of each group's most urgent alert
}

/** The board's rows in order: flat (few alerts) or grouped by building (many). */
export function placeBoard(sorted, placeIn) {
  if (sorted.length <= GROUP_AT) {
    for (const head of heads.values()) head.remove();
    el.board.dataset.grouped = 'false';
    placeIn(el.board, sorted, el.boardEmpty);
    return;
  }
  el.board.dataset.grouped = 'true';
  const groups = groupsOf(sorted);
  if (shownFirst !== groups[0].key) shownFirst = groups[0].key;
  const nodes = [];
  for (const g of groups) {
    const open = opened.has(g.key) ? opened.get(g.key) : g.key === shownFirst;
    nodes.push(drawHead(g, open));
    if (open) for (const a of g.alerts) if (state.rows.has(a.id)) nodes.push(state.rows.get(a.id));
  }
  const want = new Set(nodes);
  for (const n of [...el.board.children]) if (isBody(n) && !want.has(n)) n.remove();
  for (const [key, head] of heads) if (!want.has(head)) heads.delete(key);
  let cursor = [...el.board.children].find(isBody) || null;
  for (const node of nodes) {
    if (node === cursor) cursor = isBody(cursor.nextElementSibling) ? cursor.nextElementSibling : null;
    else el.board.insertBefore(node, cursor || el.boardEmpty);
  }
}

function drawHead(g, open) {
  let head = heads.get(g.key);
  if (!head) {
    head = makeHead(g.key);
    heads.set(g.key, head);
  }
  head.dataset.building = g.key;
  head.dataset.count = String(g.alerts.length);
  head.dataset.open = String(open);
  const toggle = byTestId('group-toggle', head);
  toggle.setAttribute('aria-expanded', String(open));
  setText(toggle, `${open ? '▾' : '▸'} ${buildingLabel(g.key === '-' ? '' : g.key)}`);
  setText(byTestId('group-count', head), t('group.count', { n: g.alerts.length, u: g.unack }));
  for (const p of [1, 2, 3, 4]) {
    const chip = byTestId(`group-p${p}`, head);
    setText(chip, `P${p} ${g.counts[p]}`);
    chip.hidden = g.counts[p] === 0;
  }
  const inc = byTestId('group-incident', head);
  inc.hidden = !g.incident;
  if (g.incident) setText(inc, t('group.incident', { n: (g.incident.detail && g.incident.detail.alerts || []).length }));
  const ack = byTestId('group-ack', head);
  ack.disabled = !canAct() || g.unack === 0 || ack.classList.contains('busy');
  ack.title = canAct() ? '' : t('action.noRight');
  setText(ack, t('group.ackAll', { n: g.unack }));
  head.groupUnack = g.unack;
  return head;
}

function makeHead(key) {
  const toggle = h('button', { type: 'button', class: 'btn btn-small btn-ghost group-toggle', testid: 'group-toggle' });
  const ack = h('button', { type: 'button', class: 'btn btn-small btn-ack', testid: 'group-ack' });
  const head = h('tbody', { class: 'group-head', testid: 'alert-group' },
    h('tr', {}, h('td', { colspan: '12' },
      h('div', { class: 'group-line' }, toggle,
        h('span', { class: 'group-count', testid: 'group-count' }),
        [1, 2, 3, 4].map((p) => h('span', { class: `pri pri-${p}`, testid: `group-p${p}` })),
        h('span', { class: 'tag tag-esc', testid: 'group-incident', hidden: true }),
        h('span', { class: 'grow' }), ack,
        h('span', { class: 'group-result', testid: 'group-result', role: 'status' })))));
  toggle.addEventListener('click', () => {
    opened.set(key, head.dataset.open !== 'true');
    placeRows();
  });
  ack.addEventListener('click', () => confirmAck(head, key));
  return head;
}

function confirmAck(head, key) {
  const line = $('.group-line', head);
  const old = byTestId('group-confirm-box', head);
  if (old) old.remove();
  const yes = h('button', { type: 'button', class: 'btn btn-small btn-ack', testid: 'group-ack-confirm', text: t('group.confirmYes') });
  const no = h('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'group-ack-cancel', text: t('common.cancel') });
  const box = h('div', { class: 'resolve-confirm', testid: 'group-confirm-box', role: 'alertdialog' },
    h('p', { text: t('group.confirm', { n: head.groupUnack, b: buildingLabel(key) }) }), yes, no);
  no.addEventListener('click', () => box.remove());
  yes.addEventListener('click', async () => {
    box.remove();
    const ack = byTestId('group-ack', head);
    ack.disabled = true;
    ack.classList.add('busy');
    try {
      const r = await api('api/alerts/group/acknowledge', { method: 'POST', json: { building: key } });
      setText(byTestId('group-result', head), t('group.done', { n: r.count, s: r.skipped.length }));
    } catch (err) {
      setText(byTestId('group-result', head), t('group.error', { detail: err.detail }));
    } finally {
      ack.classList.remove('busy');
      reload();
    }
  });
  line.after(box);
  no.focus();
}

// The flood banner

let floodAt = 0;
let floodTimer = null;

function banner() {
  let b = byTestId('flood-banner');
  if (!b) {
    b = h('p', { class: 'banner banner-error banner-flood', testid: 'flood-banner', role: 'alert', hidden: true });
    byTestId('action-error').before(b);
  }
  return b;
}

async function askFlood() {
  floodAt = Date.now();
  clearTimeout(floodTimer);
  floodTimer = setTimeout(askFlood, FLOOD_IDLE_MS);
  let f;
  try {
    f = await api('api/kpis/flood');
  } catch (_) {
    return;
  }
  const b = banner();
  b.hidden = !f.flood;
  b.dataset.current = String(f.current);
  setText(b, t('flood.banner', { n: f.current, max: f.threshold, m: f.window_minutes }));
}

/** New alerts arrived (or the board loaded): ask the meter soon, not for every alert. */
export function floodSoon() {
  const wait = Math.max(0, floodAt + FLOOD_EVERY_MS - Date.now());
  clearTimeout(floodTimer);
  floodTimer = setTimeout(askFlood, wait);
}

export function stopFlood() {
  clearTimeout(floodTimer);
  floodTimer = null;
  banner().hidden = true;
  heads.clear();
  opened.clear();
}
