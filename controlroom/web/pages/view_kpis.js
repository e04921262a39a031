/* Estate Butler console: the KPI view — the current shift's live gauges against the EN 50518
 * norms, the flood meter, counts by priority, kind and cause, noisy devices, CSV download. */
import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { format as fmtTime, zone } from '../lib/format.js';
import { causeLabel, kindLabel, priorityLabel } from './board_state.js';
import { dash, heading, pct, secs, t, table } from './view_parts.js';

export const kpisView = {
  async fetch() {
    const [shift, flood] = await Promise.all([api('api/kpis/shift'), api('api/kpis/flood')]);
    return { shift, flood };
  },
  render({ shift, flood }) {
    const f = shift.figures;
    // The norms are about alarms: priority 1 alone against them, priorities 2-4 apart (issue 17).
    const cls = (name) => shift.gauges.find((g) => g.name === name) || { count: 0, ack_within_30s: null, ack_within_60s: null };
    const gauge = (key, c, share, target, testid) => {
      const n = c.count;
      const meets = share !== null && share >= target - 1e-9;
      const k = share === null ? 0 : Math.round(share * n);
      return h('div', { class: `gauge ${share === null ? 'is-empty' : meets ? 'is-ok' : 'is-behind'}`, testid, 'data-share': share === null ? '' : share.toFixed(4), 'data-meets': share === null ? '' : String(meets), 'data-count': String(n) },
        h('div', { class: 'gauge-label', text: t(key) }),
        h('div', { class: 'gauge-value', testid: 'gauge-value', text: share === null ? dash : pct(share) }),
        h('div', { class: 'gauge-bar' },
          h('div', { class: 'gauge-fill', style: { width: `${share === null ? 0 : (share * 100).toFixed(1)}%` } }),
          h('div', { class: 'gauge-target', style: { left: `${(target * 100).toFixed(1)}%` }, title: pct(target) })),
        h('div', { class: 'gauge-foot' },
          h('span', { text: share === null ? t('kpi.noAlerts') : t('kpi.ofN', { k, n }) }),
          h('span', { class: 'gauge-norm', text: `${t('kpi.target', { p: pct(target) })}${share === null ? '' : ` · ${t(meets ? 'kpi.meets' : 'kpi.behind')}`}` })));
    };
    const p1 = cls('alarms');
    const rest = cls('others');
    const backlog = h('div', { class: `gauge gauge-backlog ${shift.open_unacknowledged ? 'is-behind' : 'is-ok'}`, testid: 'gauge-backlog' },
      h('div', { class: 'gauge-label', text: t('kpi.backlog') }),
      h('div', { class: 'gauge-value', testid: 'gauge-value', text: String(shift.open_unacknowledged) }),
      h('div', { class: 'gauge-foot', text: shift.oldest_unacknowledged_s === null ? '' : t('kpi.oldest', { d: secs(shift.oldest_unacknowledged_s) }) }));
    const prioRows = f.priorities.map((p) => h('tr', { testid: 'kpi-priority', 'data-priority': p.priority },
      h('td', {}, h('span', { class: `pri pri-${p.priority}`, text: `P${p.priority}` }), ` ${priorityLabel(p.priority)}`),
      h('td', { class: 'mono', text: String(p.count) }),
      h('td', { class: 'mono', testid: 'ack-median', text: secs(p.ack_median_s) }),
      h('td', { class: 'mono', testid: 'ack-p90', text: secs(p.ack_p90_s) }),
      h('td', { class: `mono ${p.ack_within_30s !== null && p.ack_within_30s < shift.targets.ack_within_30s ? 'bad' : ''}`, testid: 'within-30', text: pct(p.ack_within_30s) }),
      h('td', { class: `mono ${p.ack_within_60s !== null && p.ack_within_60s < shift.targets.ack_within_60s ? 'bad' : ''}`, testid: 'within-60', text: pct(p.ack_within_60s) }),
      h('td', { class: 'mono', text: secs(p.resolve_median_s) }),
      h('td', { class: 'mono', text: secs(p.resolve_p90_s) })));
    const counts = (testid, obj, label) => {
      const entries = Object.entries(obj);
      const max = Math.max(1, ...entries.map(([, v]) => v));
      return entries.length ? h('ul', { class: 'bars', testid }, entries.map(([k, v]) => h('li', { testid: `${testid}-item`, 'data-key': k },
        h('span', { class: 'bar-label', text: label(k) }),
        h('span', { class: 'bar' }, h('span', { class: 'bar-fill', style: { width: `${(100 * v / max).toFixed(1)}%` } })),
        h('span', { class: 'bar-n mono', text: String(v) }))))
        : h('p', { class: 'view-empty', text: t('common.none') });
    };
    const noisy = f.devices.map((d) => h('tr', { testid: 'noisy-device', 'data-device': d.device },
      h('td', { class: 'mono', text: d.device }), h('td', { class: 'mono', text: String(d.resolved) }),
      h('td', { class: 'mono', text: String(d.false_alarms) }),
      h('td', { class: `mono ${d.rate >= 0.5 ? 'bad' : ''}`, text: pct(d.rate) })));
    const maxBucket = Math.max(flood.threshold + 1, ...flood.buckets.map((b) => b.count));
    const floodBox = h('div', { class: `flood ${flood.flood ? 'is-flood' : ''}`, testid: 'flood-meter', 'data-flood': String(flood.flood), 'data-current': String(flood.current) },
      h('div', { class: 'flood-head' },
        h('span', { class: `badge ${flood.flood ? 'badge-bad' : 'badge-ok'}`, testid: 'flood-state', text: t(flood.flood ? 'kpi.flooding' : 'kpi.calm') }),
        h('span', { text: t('kpi.floodNow', { n: flood.current, max: flood.threshold }) })),
      h('div', { class: 'flood-bars' },
        h('div', { class: 'flood-limit', style: { bottom: `${(100 * flood.threshold / maxBucket).toFixed(1)}%` } }),
        flood.buckets.map((b) => h('div', { class: `flood-bar ${b.count > flood.threshold ? 'over' : ''}`, title: `${fmtTime(b.start)}–${fmtTime(b.end)}: ${b.count}` },
          h('div', { class: 'flood-fill', style: { height: `${(100 * b.count / maxBucket).toFixed(1)}%` } }),
          h('span', { class: 'flood-n mono', text: String(b.count) }),
          h('span', { class: 'flood-t mono', text: fmtTime(b.end, 'time').slice(0, 5) })))));
    const csv = h('button', { type: 'button', class: 'btn btn-small', testid: 'kpi-csv', text: t('kpi.csv'), onclick: (ev) => downloadCsv(shift, ev.currentTarget) });
    return [
      heading('kpi.heading', csv),
      h('p', { class: 'view-sub', testid: 'kpi-shift', text: `${t('kpi.shift', { a: fmtTime(shift.shift_start, 'minute'), b: fmtTime(shift.shift_end, 'time').slice(0, 5), tz: zone() })} · ${t('kpi.testExcluded')}` }),
      h('h3', { testid: 'kpi-p1-heading', text: t('kpi.p1Gauges') }),
      h('div', { class: 'gauges', testid: 'kpi-gauges' },
        gauge('kpi.within30', p1, p1.ack_within_30s, shift.targets.ack_within_30s, 'gauge-30'),
        gauge('kpi.within60', p1, p1.ack_within_60s, shift.targets.ack_within_60s, 'gauge-60'),
        backlog),
      h('h3', { testid: 'kpi-rest-heading', text: t('kpi.restGauges') }),
      h('div', { class: 'gauges gauges-rest', testid: 'kpi-gauges-rest' },
        gauge('kpi.within30', rest, rest.ack_within_30s, shift.targets.ack_within_30s, 'gauge-rest-30'),
        gauge('kpi.within60', rest, rest.ack_within_60s, shift.targets.ack_within_60s, 'gauge-rest-60')),
      h('h3', { text: t('kpi.perPriority') }),
      table('kpi-priorities', ['kpi.col.priority', 'kpi.col.count', 'kpi.col.ackMedian', 'kpi.col.ackP90', 'kpi.col.w30', 'kpi.col.w60', 'kpi.col.resMedian', 'kpi.col.resP90'], prioRows, t('kpi.noAlerts')),
      h('div', { class: 'kpi-cols' },
        h('div', {}, h('h3', { text: t('kpi.byKind') }), counts('by-kind', f.by_kind, kindLabel)),
        h('div', {}, h('h3', { text: t('kpi.byCause') }), counts('by-cause', f.by_cause, causeLabel)),
        h('div', {}, h('h3', { text: t('kpi.flood') }), floodBox)),
      h('h3', { text: t('kpi.noisy') }),
      table('noisy-devices', ['kpi.col.device', 'kpi.col.resolved', 'kpi.col.false', 'kpi.col.rate'], noisy, t('common.none')),
    ];
  },
};

async function downloadCsv(shift, button) {
  button.disabled = true;
  try {
    const q = new URLSearchParams({ since: shift.shift_start, until: new Date().toISOString() });
    const res = await api(`api/kpis.csv?${q}`, { raw: true });
    const blob = await res.blob();
    const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
    const a = h('a', { href: URL.createObjectURL(blob), download: m ? m[1] : 'kpis.csv' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } finally {
    button.disabled = false;
  }
}
