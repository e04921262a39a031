/* Estate Butler console: the roll of the building's flats on an incident or a fire (issue 17):
 * during an evacuation the operator ticks each flat as it is reached (or clears a tick), and
 * sees how many are still to be reached. Every tick is audited and in the alert's history. */
import { api } from '../lib/api.js';
import { byTestId, h } from '../lib/dom.js';
import { format as fmtTime } from '../lib/format.js';
import { canAct, t } from './board_state.js';

const KINDS = ['incident', 'fire'];
let shownFor = null;
let roll = null;
let current = null;

function section() {
  let s = byTestId('roll-section');
  if (!s) {
    s = h('section', { class: 'roll-section', testid: 'roll-section', hidden: true });
    const plan = byTestId('plan-section');
    plan.parentNode.insertBefore(s, plan.nextSibling);
  }
  return s;
}

async function load(id) {
  try {
    const r = await api(`api/alerts/${id}/roll`);
    if (shownFor !== id) return;
    roll = r;
  } catch (_) {
    roll = null;
  }
  draw();
}

async function mark(id, unit, reached, button) {
  button.disabled = true;
  try {
    roll = await api(`api/alerts/${id}/roll/${encodeURIComponent(unit)}`, { method: 'POST', json: { reached } });
  } catch (err) {
    button.title = err.detail || err.message;
  }
  draw();
}

function draw() {
  const a = current;
  const s = section();
  if (!a || !roll || roll.alert_id !== a.id) {
    s.hidden = true;
    return;
  }
  s.hidden = false;
  const act = canAct() && a.state !== 'resolved';
  const floors = new Map();
  for (const f of roll.flats) {
    if (!floors.has(f.floor)) floors.set(f.floor, []);
    floors.get(f.floor).push(f);
  }
  const rows = [...floors.entries()].sort((x, y) => y[0] - x[0]).map(([floor, flats]) => h('div', { class: 'roll-floor' },
    h('span', { class: 'roll-floor-n mono', text: `${floor}F` }),
    flats.map((f) => {
      const b = h('button', { type: 'button', class: `roll-flat mono${f.reached ? ' is-reached' : ''}`, testid: 'roll-flat',
        'data-unit': f.unit, 'data-reached': String(f.reached), disabled: !act,
        title: f.reached ? t('roll.reachedBy', { who: f.by || '?', t: fmtTime(f.at, 'full') }) : t('roll.notReached'),
        text: `${f.reached ? '✓ ' : ''}${f.unit}` });
      b.addEventListener('click', () => mark(a.id, f.unit, !f.reached, b));
      return b;
    })));
  s.replaceChildren(
    h('h3', {}, h('span', { text: t('roll.heading') }), ' ',
      h('span', { class: 'mono', testid: 'roll-progress', text: t('roll.progress', { n: roll.reached, total: roll.total }) })),
    h('div', { class: 'roll-grid', testid: 'roll-grid' }, rows));
}

/** Called by the details pane on every render of the selected alert. */
export function renderRoll(a) {
  current = a;
  const id = a && KINDS.includes(a.kind) && a.building ? a.id : null;
  if (id !== shownFor) {
    shownFor = id;
    roll = null;
    if (id) load(id);
  } else if (id && a.history === null) {
    load(id); // the alert changed (a tick from another console): fetch the roll again
  }
  draw();
}
