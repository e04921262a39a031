/* Estate Butler console: the alarm board (ARCHITECTURE §6–§7).
 *
 * The board is loaded with GET /api/alerts and kept live with the /api/alerts/stream
 * Server-Sent Events; every `alert` event carries the whole alert, so the board simply
 * upserts by id and drops resolved alerts. This module holds the stream, the reloads, the
 * summary chips and the "still in alarm" list; board_rows.js draws the rows,
 * alert_details.js the selected alert, alarm_sound.js the tone. app.js (the shell) calls
 * initBoard, enterBoard, leaveBoard, renderBoardWords and tickBoard.
 */
import { api } from '../lib/api.js';
import { $, byTestId, h, setText } from '../lib/dom.js';
import { format as fmtTime, elapsed, toMs as ms } from '../lib/format.js';
import { emit, lang, session } from '../lib/session.js';
import { closeDetails, onNoteSubmit, assignToMe, refreshDetails, renderDetails, select } from './alert_details.js';
import { beepSoon, maybeBeep, primeAudio, renderSound, silence } from './alarm_sound.js';
import { fillRow, hideActionError, placeRows, upsertRow } from './board_rows.js';
import { floodSoon, stopFlood } from './board_groups.js';
import {
  buildingLabel, causeLabel, compareAlerts, el, isAlarming, kindLabel, readsBoard, state, t,
} from './board_state.js';

const RESYNC_MS = 60000; // a full reload now and then, in case a stream dies silently

/** Find the board's elements and wire its buttons (once, at start). */
export function initBoard() {
  el.muteToggle = byTestId('mute-toggle');
  el.board = byTestId('alert-board');
  el.boardEmpty = byTestId('board-empty');
  el.testBoard = byTestId('test-board');
  el.tplAlert = document.getElementById('tpl-alert');
  el.testBoard.appendChild($('thead', el.board).cloneNode(true));
  el.muteToggle.addEventListener('click', () => {
    primeAudio();
    silence();
  });
  byTestId('details-close').addEventListener('click', closeDetails);
  byTestId('assign-me').addEventListener('click', (ev) => assignToMe(ev.currentTarget));
  byTestId('note-form').addEventListener('submit', onNoteSubmit);
  byTestId('action-error-close').addEventListener('click', hideActionError);
}

/** Signed in with the board: show the first snapshot (or load one) and go live. */
export function enterBoard(firstSnapshot) {
  if (firstSnapshot) applySnapshot(firstSnapshot, new Map());
  else reload();
  openStream();
  scheduleResync();
  renderSound();
  renderBoardStatus();
  floodSoon();
}

/** Signed out: close the stream and forget every alert. */
export function leaveBoard() {
  closeStream();
  stopFlood();
  clearTimeout(state.resyncTimer);
  state.resyncTimer = null;
  state.reloadGen += 1;
  state.detailsGen += 1;
  for (const row of state.rows.values()) row.remove();
  state.rows.clear();
  state.alerts.clear();
  state.still.clear();
  renderStill();
  state.seen.clear();
  state.silenced.clear();
  state.selected = null;
  state.selectedAlert = null;
  state.boardState = 'loading';
  setConn('offline');
  hideActionError();
  renderDetails();
  renderTitle();
}

/** The language changed (or the site's zone arrived): draw the board's words again. */
export function renderBoardWords() {
  for (const a of state.alerts.values()) fillRow(state.rows.get(a.id), a);
  renderStill();
  renderSummary();
  renderBoardStatus();
  renderDetails();
  renderSound();
  renderConn();
  renderTitle();
}

export function renderTitle() {
  const n = [...state.alerts.values()].filter(isAlarming).length;
  const site = state.site ? (lang() === 'zh' ? state.site.name_zh : state.site.name_en) : '';
  const base = [site, t('doc.title'), 'Estate Butler'].filter(Boolean).join(' · ');
  document.title = n > 0 && session() ? `(${n}) ⚠ ${base}` : base;
}

function setConn(c) {
  state.conn = c;
  renderConn();
}

export function renderConn() {
  const node = byTestId('connection-status');
  node.hidden = !readsBoard(); // the alarm stream: not for desk accounts
  node.dataset.state = state.conn;
  setText($('.conn-text', node), t(`conn.${state.conn}`));
}

// The live stream and reloads

function openStream() {
  closeStream();
  if (!session()) return;
  const url = `api/alerts/stream?access_token=${encodeURIComponent(session().token)}`;
  let es;
  try {
    es = new EventSource(url);
  } catch (_) {
    setConn('reconnecting');
    scheduleReconnect();
    return;
  }
  state.es = es;
  setConn('connecting');
  es.addEventListener('open', () => {
    if (state.es !== es) return;
    state.reconnectDelay = 1000;
    setConn('live');
    // Anything between the last load and this connection: load the board afresh.
    reload();
  });
  es.addEventListener('alert', (ev) => {
    if (state.es !== es) return;
    let alert;
    try {
      alert = JSON.parse(ev.data);
    } catch (_) {
      return;
    }
    for (const m of state.collecting) m.set(alert.id, alert);
    applyAlert(alert);
    emit('alert', alert);
  });
  es.addEventListener('error', () => {
    if (state.es !== es) return;
    setConn('reconnecting');
    // CONNECTING: the browser retries by itself (and replays by Last-Event-ID).
    // CLOSED: the server refused (e.g. the token expired): find out why, then retry.
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      state.es = null;
      scheduleReconnect();
    }
  });
}

function closeStream() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  if (state.es) {
    state.es.close();
    state.es = null;
  }
}

function scheduleReconnect() {
  clearTimeout(state.reconnectTimer);
  const delay = state.reconnectDelay;
  state.reconnectDelay = Math.min(state.reconnectDelay * 2, 10000);
  state.reconnectTimer = setTimeout(async () => {
    if (!session()) return;
    try {
      await api('api/alerts?state=open&priority=1'); // a 401 here signs out
    } catch (err) {
      if (!session()) return;
    }
    if (session()) openStream();
  }, delay);
}

function scheduleResync() {
  clearTimeout(state.resyncTimer);
  state.resyncTimer = setTimeout(() => {
    if (!session()) return;
    reload().finally(scheduleResync);
  }, RESYNC_MS);
}

/** Load the whole board; stream events that arrive meanwhile are merged over it. */
export async function reload() {
  if (!session()) return;
  const gen = ++state.reloadGen;
  const during = new Map();
  state.collecting.add(during);
  let data;
  let still;
  try {
    [data, still] = await Promise.all([api('api/alerts?state=open&limit=5000'),
      api('api/alerts?state=resolved&condition=active&test=false&limit=200')]);
  } catch (err) {
    if (gen === state.reloadGen && session()) {
      state.boardState = 'error';
      state.boardError = err.detail;
      renderBoardStatus();
    }
    return;
  } finally {
    state.collecting.delete(during);
  }
  if (gen !== state.reloadGen || !session()) return;
  state.still = new Map(still.data.map((a) => [a.id, a]));
  for (const a of during.values()) noteStill(a);
  applySnapshot(data, during);
}

function applySnapshot(data, during) {
  const next = new Map();
  for (const a of data.data) next.set(a.id, a);
  for (const a of during.values()) {
    const have = next.get(a.id);
    if (have && ms(have.updated_at) > ms(a.updated_at)) continue;
    if (a.state === 'resolved') next.delete(a.id);
    else next.set(a.id, a);
  }
  for (const id of [...state.alerts.keys()]) {
    if (!next.has(id)) removeAlert(id);
  }
  for (const a of next.values()) applyAlert(a, { quiet: true, batch: true });
  state.boardState = 'ready';
  state.boardError = '';
  state.syncedAt = new Date().toISOString();
  renderBoard();
}

/** Upsert one alert version (from the stream, a reload or an action's answer). */
export function applyAlert(a, opts) {
  const o = opts || {};
  const at = ms(a.updated_at);
  const seen = state.seen.get(a.id);
  if (seen !== undefined && seen > at) return; // an older version than we hold
  state.seen.set(a.id, at);
  const prev = state.alerts.get(a.id);
  const isNew = !prev;
  // Escalated while still unacknowledged (§6: 30 s, 60 s): sound again even if silenced.
  const escalated = !!prev && a.escalation > prev.escalation && isAlarming(a);
  if (escalated) state.silenced.delete(a.id);
  if (a.state === 'resolved') {
    removeAlert(a.id);
  } else {
    state.alerts.set(a.id, a);
    upsertRow(a, isNew && !o.quiet);
  }
  if (!isAlarming(a)) state.silenced.delete(a.id);
  noteStill(a);
  if (state.selected === a.id) refreshDetails(a);
  if (isNew && !o.quiet && !a.test) floodSoon();
  if (o.batch) return;
  renderSoon();
  if ((isNew || escalated) && isAlarming(a) && !o.quiet) beepSoon();
}

// In a flood the stream brings hundreds of alerts a second: draw the board at most every
// RENDER_EVERY_MS (the first change after a quiet spell at once), not once per alert.
const RENDER_EVERY_MS = 100;
let renderTimer = null;
let renderedAt = 0;

function renderSoon() {
  if (renderTimer !== null) return;
  renderTimer = setTimeout(() => {
    renderTimer = null;
    renderedAt = Date.now();
    renderBoard();
  }, Math.max(0, renderedAt + RENDER_EVERY_MS - Date.now()));
}

function renderBoard() {
  placeRows();
  renderStill();
  renderSummary();
  renderBoardStatus();
  renderTitle();
  renderSound();
}

function removeAlert(id) {
  state.alerts.delete(id);
  state.silenced.delete(id);
  const row = state.rows.get(id);
  if (row) row.remove();
  state.rows.delete(id);
}


function noteStill(a) {
  // A building's incident has no device that could restore it: never "still in alarm".
  if (a.state === 'resolved' && a.condition === 'active' && !a.test && a.device) state.still.set(a.id, a);
  else state.still.delete(a.id);
}

function renderStill() {
  let box = byTestId('still-section');
  if (!box) {
    box = h('div', { class: 'still-section', testid: 'still-section', role: 'status' }, h('h3'), h('ul'));
    el.board.after(box);
  }
  const rows = [...state.still.values()].sort(compareAlerts);
  box.hidden = rows.length === 0;
  setText($('h3', box), t('still.heading'));
  $('ul', box).replaceChildren(...rows.map((a) => {
    const lel = a.detail && a.detail.lel !== undefined && a.detail.lel !== null
      ? ` · LEL ${Number(a.detail.lel).toFixed(1)}%` : '';
    const parts = [['still-badge', t('still.badge')],
      ['still-where mono', a.unit || (a.building ? buildingLabel(a.building) : '—')],
      ['still-kind', `${kindLabel(a.kind)}${lel}`], ['still-device mono', a.device || ''],
      ['still-by', t('still.resolved', { who: a.resolved_by || '?', t: fmtTime(a.resolved_at), cause: causeLabel(a.cause) })]];
    const li = h('li', { testid: 'still-row', 'data-alert-id': String(a.id), 'data-unit': a.unit || '', tabindex: '0' },
      parts.map(([cls, text]) => h('span', { class: cls, text })));
    li.addEventListener('click', () => select(a.id));
    li.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') select(a.id);
    });
    return li;
  }));
}

function renderSummary() {
  const counts = { 1: 0, 2: 0, 3: 0, 4: 0 };
  let unack = 0;
  for (const a of state.alerts.values()) {
    if (a.test) continue;
    counts[a.priority] = (counts[a.priority] || 0) + 1;
    if (a.state === 'open') unack += 1;
  }
  for (const p of [1, 2, 3, 4]) {
    const chip = byTestId(`summary-p${p}`);
    setText($('b', chip), counts[p]);
    chip.classList.toggle('is-zero', counts[p] === 0);
  }
  const u = byTestId('summary-unack');
  setText($('b', u), unack);
  u.classList.toggle('is-zero', unack === 0);
}

export function renderBoardStatus() {
  const node = byTestId('board-status');
  node.dataset.state = state.boardState;
  node.dataset.count = String([...state.alerts.values()].filter((a) => !a.test).length);
  if (state.boardState === 'loading') setText(node, t('board.loading'));
  else if (state.boardState === 'error') setText(node, t('board.error', { detail: state.boardError }));
  else setText(node, t('board.count', { n: node.dataset.count, t: fmtTime(state.syncedAt) }));
}

/** Every half second: the elapsed times, and the tone while a critical alarm waits. */
export function tickBoard() {
  for (const a of state.alerts.values()) {
    const tb = state.rows.get(a.id);
    // Rows of a closed group are not in the page: drawn when it opens.
    if (tb && tb.isConnected) setText(byTestId('alert-elapsed', tb), elapsed(a.raised_at));
  }
  maybeBeep();
}
