/* Estate Butler console: what the views beside the board share — their words (t: the
 * views' table over the board's), figures in words, a table and a view's heading. */
import BOARD_WORDS from '../i18n/board.json' with { type: 'json' };
import VIEW_WORDS from '../i18n/views.json' with { type: 'json' };
import { h } from '../lib/dom.js';
import { format as fmtTime, toMs as ms } from '../lib/format.js';
import { translator } from '../lib/i18n.js';

export const t = translator(VIEW_WORDS, BOARD_WORDS);

export const dash = '—';
export const pct = (v) => (v === null || v === undefined ? dash : `${(v * 100).toFixed(1)}%`);
export function secs(v) {
  if (v === null || v === undefined) return dash;
  if (v < 90) return `${Math.round(v)} s`;
  if (v < 5400) return `${Math.floor(v / 60)} min ${Math.round(v % 60)} s`;
  return `${(v / 3600).toFixed(1)} h`;
}
export function ago(iso) {
  const v = ms(iso);
  if (Number.isNaN(v)) return t('dev.never');
  return t('dev.ago', { d: secs(Math.max(0, (Date.now() - v) / 1000)) });
}
export const devKind = (k) => t.or(`devkind.${k}`, k);

export function table(testid, heads, rows, empty) {
  if (!rows.length) return h('p', { class: 'view-empty', testid: `${testid}-empty`, text: empty });
  return h('table', { class: 'grid', testid },
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', { text: t(x) })))),
    h('tbody', {}, rows));
}

export function heading(key, extra) {
  return h('div', { class: 'view-head' }, h('h2', { text: t(key) }), extra || null,
    h('span', { class: 'view-updated', text: t('common.updated', { t: fmtTime(new Date().toISOString()) }) }));
}
