/* Estate Butler console: what the alarm board's modules share (ARCHITECTURE §6–§7).
 *
 * The board (board.js: the stream and reloads; board_rows.js: the rows and their actions;
 * alert_details.js: the selected alert; alarm_sound.js: the tone) works on one `state`;
 * `el` holds the page's fixed elements (found once by app.js). Words: i18n/board.json.
 */
import BOARD_WORDS from '../i18n/board.json' with { type: 'json' };
import { translator } from '../lib/i18n.js';
import { toMs as ms } from '../lib/format.js';
import { session } from '../lib/session.js';

export const t = translator(BOARD_WORDS);

// Roles the API lets act on alerts (controlroom/api/deps.py ACT_ON_ALERTS). The server
// enforces this; the console only greys the buttons out for the other roles.
const ACT_ROLES = ['operator', 'supervisor', 'admin'];
// Who an alert can be assigned to (controlroom/casework.py ASSIGNABLE_ROLES).
export const ASSIGNABLE_ROLES = ['operator', 'supervisor'];
// Roles that read the alarm board (controlroom/api/deps.py READ_ALERTS). Other roles (the
// front desk) sign in for the console's other pages only.
const BOARD_ROLES = ['operator', 'supervisor', 'maintenance', 'admin'];

export const state = {
  site: null,
  alerts: new Map(), // id -> alert (not resolved)
  still: new Map(), // id -> resolved alert whose condition is still active (not test)
  rows: new Map(), // id -> <tbody class="alert">
  seen: new Map(), // id -> updated_at ms of the newest version seen (resolved too)
  collecting: new Set(), // Maps collecting stream events while a reload is in flight
  reloadGen: 0,
  boardState: 'loading',
  boardError: '',
  syncedAt: null,
  conn: 'offline',
  es: null,
  reconnectTimer: null,
  reconnectDelay: 1000,
  resyncTimer: null,
  selected: null, // alert id in the details pane
  selectedAlert: null, // the alert with history, as last fetched
  plan: null, // {alert_id, kind, steps, done, total} of the selected alert
  flat: null, // {unit, data, error} for the selected alert's unit
  detailsGen: 0,
  audio: null,
  silenced: new Set(), // ids of critical alerts whose tone was silenced
  lastBeep: 0,
};

export const el = {};

export const kindLabel = (kind) => t.or(`kind.${kind}`, kind);
export const stateLabel = (s) => t.or(`state.${s}`, s);
export const conditionLabel = (c) => t.or(`condition.${c}`, c);
export const priorityLabel = (p) => t.or(`priority.${p}`, String(p));
export const causeLabel = (c) => t.or(`cause.${c}`, c);
export const roleLabel = (r) => t.or(`role.${r}`, r);
export const buildingLabel = (b) => (b ? t('building', { b }) : '—');

export const readsBoard = () => !!session() && BOARD_ROLES.includes(session().role);
export const canAct = () => !!session() && ACT_ROLES.includes(session().role);

/** Sounds wanted: critical, live (not test) and nobody has acknowledged yet. */
export function isAlarming(a) {
  return a.priority === 1 && a.state === 'open' && !a.test;
}

export function compareAlerts(a, b) {
  return (a.priority - b.priority) || (ms(a.raised_at) - ms(b.raised_at)) || (a.id - b.id);
}
