/* Estate Butler console: the quarantine view (issue 17) — the last messages the gateway
 * rejected, per reason: when, where from (topic, serial port or network peer), which device,
 * why, and the payload (its first 1 KiB, escaped by the control room, shown as text). For
 * maintenance and integrators chasing a misbehaving device (GET /api/quarantine). */
import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { format as fmtTime } from '../lib/format.js';
import { dash, heading, t, table } from './view_parts.js';

export const QUARANTINE_ROLES = ['maintenance', 'supervisor', 'admin']; // api/routes/quarantine.py

export const quarantineView = {
  fetch: () => api('api/quarantine'),
  render(data) {
    const reasons = Object.keys(data.counts).sort();
    const total = reasons.reduce((s, r) => s + data.counts[r], 0);
    const sections = reasons.map((reason) => {
      const rows = data.data.filter((e) => e.reason === reason).map((e) => h('tr', { testid: 'quarantine-entry', 'data-reason': e.reason, 'data-id': e.id },
        h('td', { class: 'mono', title: e.at, text: fmtTime(e.at, 'full') }),
        h('td', { class: 'mono', testid: 'quarantine-source', text: e.source }),
        h('td', { class: 'mono', text: e.device || dash }),
        h('td', { testid: 'quarantine-detail', text: e.detail }),
        h('td', {}, h('code', { class: 'q-payload', testid: 'quarantine-payload', text: e.payload || dash }),
          e.cut ? h('span', { class: 'q-cut', text: t('q.cut', { n: e.size }) }) : null)));
      return h('section', { class: 'q-reason', testid: 'quarantine-reason', 'data-reason': reason },
        h('h3', {}, h('span', { class: 'mono', text: reason }), ` · ${t('q.count', { n: data.counts[reason] })}`),
        table(`quarantine-${reason}`, ['q.col.at', 'q.col.source', 'q.col.device', 'q.col.detail', 'q.col.payload'], rows, t('common.none')));
    });
    return [
      heading('q.heading'),
      h('p', { class: 'view-sub', testid: 'quarantine-sub', text: t('q.sub', { k: data.keep_per_reason, n: total }) }),
      sections.length ? sections : h('p', { class: 'view-empty', testid: 'quarantine-empty', text: t('q.empty') }),
    ];
  },
};
