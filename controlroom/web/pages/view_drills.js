/* Estate Butler console: drills in the test-mode view (issue 17) — start one on a building
 * (maintenance, supervisors, admins), and each drill's report: the plan's steps with when each
 * was ticked, by whom and how long it took, and the roll of flats reached. */
import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { format as fmtTime } from '../lib/format.js';
import { buildingLabel, kindLabel } from './board_state.js';
import { dash, secs, t } from './view_parts.js';

export const fetchDrills = () => api('api/drills');

async function start(ev, reload) {
  ev.preventDefault();
  const f = ev.currentTarget;
  const err = f.querySelector('[data-testid="drill-error"]');
  try {
    await api('api/drills', { method: 'POST', json: { building: f.elements.building.value.trim(), kind: f.elements.kind.value, minutes: 60, note: f.elements.note.value } });
    err.hidden = true;
    reload();
  } catch (e) {
    err.hidden = false;
    err.textContent = e.detail || e.message;
  }
}

export function drillsSection(drills, may, reload) {
  const form = h('form', { class: 'test-form', testid: 'drill-form', noValidate: true, onsubmit: (ev) => start(ev, reload) },
    h('label', {}, h('span', { text: t('drill.building') }), h('input', { name: 'building', testid: 'drill-building', maxLength: 16, disabled: !may })),
    h('label', {}, h('span', { text: t('drill.kind') }),
      h('select', { name: 'kind', testid: 'drill-kind', disabled: !may }, ['incident', 'fire'].map((k) => h('option', { value: k, text: kindLabel(k) })))),
    h('label', { class: 'grow' }, h('span', { text: t('tm.reason') }), h('input', { name: 'note', testid: 'drill-note', maxLength: 500, disabled: !may })),
    h('button', { type: 'submit', class: 'btn btn-primary', testid: 'drill-submit', disabled: !may, text: t('drill.start') }),
    h('p', { class: 'form-error', testid: 'drill-error', role: 'alert', hidden: true }));
  const reports = drills.map((d) => h('div', { class: 'drill', testid: 'drill-report', 'data-drill-id': d.id, 'data-alert-id': d.alert_id },
    h('h4', { text: t('drill.title', { id: d.id, kind: kindLabel(d.kind), b: buildingLabel(d.building), t: fmtTime(d.started_at, 'full'), who: d.started_by }) }),
    h('p', { class: 'view-sub', testid: 'drill-roll', text: t('drill.roll', { n: d.roll_reached, total: d.roll_total }) }),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ['drill.col.step', 'drill.col.ticked', 'drill.col.by', 'drill.col.took'].map((k) => h('th', { text: t(k) })))),
      h('tbody', {}, d.steps.map((st) => h('tr', { testid: 'drill-step', 'data-step': st.n, 'data-took': st.took_s === null ? '' : String(st.took_s) },
        h('td', { text: `${st.n}. ${st.zh}` }),
        h('td', { class: 'mono', text: st.ticked_at ? fmtTime(st.ticked_at, 'full') : dash }),
        h('td', { text: st.ticked_by || dash }),
        h('td', { class: 'mono', testid: 'drill-took', text: st.took_s === null ? dash : secs(st.took_s) })))))));
  return [
    h('h3', { testid: 'drills-heading', text: t('drill.heading') }),
    form,
    ...(reports.length ? reports : [h('p', { class: 'view-empty', testid: 'drills-empty', text: t('drill.none') })]),
  ];
}
