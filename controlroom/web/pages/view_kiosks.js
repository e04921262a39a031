/* The lobby kiosks on the device-health view (issue 18, the kiosk fleet): each kiosk's state
 * from its heartbeats (GET /api/devices/kiosks): online, offline (silent past its window: a
 * maintenance alert is on the board) or never heard; its version, uptime, readers and the
 * last error it reported. */
import { h } from '../lib/dom.js';
import { format as fmtTime } from '../lib/format.js';
import { ago, dash, t, table } from './view_parts.js';

function state(k) {
  if (k.online === null) return ['muted', t('kiosk.never')];
  return k.online ? ['ok', t('kiosk.online')] : ['bad', t('kiosk.offline')];
}

function uptime(s) {
  if (s === null || s === undefined) return dash;
  const hrs = Math.floor(s / 3600);
  const min = Math.floor((s % 3600) / 60);
  return hrs ? `${hrs} h ${min} min` : `${min} min`;
}

/** The kiosks' heading and table, for the device-health view's render. */
export function kioskSection(kiosks) {
  const heads = ['kiosk.col.kiosk', 'kiosk.col.state', 'dev.col.lastSeen', 'kiosk.col.version',
    'kiosk.col.uptime', 'kiosk.col.readers', 'kiosk.col.error'];
  const rows = kiosks.map((k) => {
    const [cls, label] = state(k);
    const readers = Object.entries(k.readers || {}).map(([r, v]) => `${r}: ${v}`).join(', ');
    return h('tr', { testid: 'kiosk-row', 'data-kiosk': k.id, 'data-online': String(k.online) },
      h('td', { class: 'mono', text: k.id }),
      h('td', { class: cls, testid: 'kiosk-state', text: label }),
      h('td', { class: 'mono', title: k.last_seen || '', text: k.last_seen ? `${fmtTime(k.last_seen, 'full')} · ${ago(k.last_seen)}` : t('dev.never') }),
      h('td', { class: 'mono', text: k.version || dash }),
      h('td', { class: 'mono', text: uptime(k.uptime_s) }),
      h('td', { text: readers || dash }),
      h('td', { text: k.last_error || dash }));
  });
  return [h('h3', { text: t('kiosk.heading') }), table('kiosk-list', heads, rows, t('kiosk.none'))];
}
