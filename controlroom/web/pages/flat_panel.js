/* Estate Butler console: the selected alert's flat — its residents (shown by role, names
 * masked for some), their emergency contacts, the door key in custody and the flat's devices. */
import { $, byTestId, h } from '../lib/dom.js';
import { state, t } from './board_state.js';

const tel = (phone, cls, testid) => h('a', { class: cls, testid, href: `tel:${phone.replace(/[^0-9+]/g, '')}`, text: phone });

function residentCard(r) {
  const head = h('div', { class: 'resident-head' },
    h('span', { class: 'resident-name', testid: 'resident-name', text: r.name }),
    r.phone ? tel(r.phone, 'resident-phone mono', 'resident-phone') : null,
    r.elderly_alone ? h('span', { class: 'badge badge-elderly', testid: 'elderly-alone', text: t('flat.elderly') }) : null);
  const contacts = r.emergency_contacts.length ? h('ul', { class: 'contacts', testid: 'emergency-contacts', 'aria-label': t('flat.contacts') },
    r.emergency_contacts.map((c) => h('li', {},
      h('span', { text: `${t('flat.contacts')}：${c.name}${c.relation ? `（${c.relation}）` : ''}` }),
      c.phone ? [' ', tel(c.phone, 'mono')] : null))) : null;
  return h('div', { class: 'resident', testid: 'resident' }, head, contacts);
}

/** The flat's door key in the desk's custody (gas plan: entry with the key from custody). */
function keyLine(k) {
  if (!k) return h('p', { class: 'flat-muted', testid: 'flat-key', 'data-key-state': 'none', text: t('flat.keyNone') });
  const where = k.state === 'out' ? t('flat.keyOut', { who: k.holder || '?' }) : t('flat.keyIn');
  return h('p', { class: 'flat-key', testid: 'flat-key', 'data-key-state': k.state,
    text: `${t('flat.key')}：${k.label} · ${where} · ${t('flat.keyDeclaration', { ref: k.declaration_ref })}` });
}

function deviceList(devices) {
  return h('ul', { class: 'flat-devices', testid: 'flat-devices' }, devices.map((dev) => {
    const health = dev.online === true ? 'online' : dev.online === false ? 'offline' : 'unknown';
    const parts = [dev.id, t(`flat.${health}`)];
    if (dev.battery !== null && dev.battery !== undefined) parts.push(t('flat.battery', { n: dev.battery }));
    return h('li', { 'data-health': health, text: parts.join(' · ') });
  }));
}

export function renderFlat(a) {
  const panel = byTestId('flat-panel');
  const f = state.flat && a.unit && state.flat.unit === a.unit ? state.flat : null;
  panel.hidden = !f;
  if (!f) return;
  const p = (cls, text) => h('p', { class: cls, text });
  const nodes = [];
  if (f.error) {
    nodes.push(p('flat-error', f.error));
  } else if (!f.data) {
    nodes.push(p('flat-muted', t('flat.loading')));
  } else {
    const d = f.data;
    if (d.masked) nodes.push(p('flat-muted', t('flat.masked')));
    if (!d.residents.length) nodes.push(p('flat-muted', t('flat.none')));
    nodes.push(...d.residents.map(residentCard));
    nodes.push(keyLine(d.key));
    if (d.devices.length) nodes.push(p('flat-sub', t('flat.devices')), deviceList(d.devices));
  }
  $('.flat-body', panel).replaceChildren(...nodes);
}
