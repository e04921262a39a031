/* Estate Butler console: the concierge desk — lost and found (recorded with photo and place,
 * handed over against ID), wake-up calls (each call's outcome; two unanswered send the
 * butler), bookable services by time slot, and today's visitors (registered here or announced
 * by the resident at the kiosk). API: routes/concierge.py.
 * Words: i18n/concierge.json. Test hooks: data-testid; rows carry data-id / data-state.
 */
import WORDS from '../i18n/concierge.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { format, fromLocalInput } from '../lib/format.js';
import { translateTree, translator } from '../lib/i18n.js';
import { rolePage } from '../lib/page.js';
import { on, session } from '../lib/session.js';

const t = translator(WORDS);
const ROLES = ['frontdesk', 'supervisor', 'admin'];
const SERVICES = ['clubhouse', 'tennis', 'home-cleaning'];
const el = {};
const photos = new Map(); // item id -> data: URL (the console's CSP allows data: images, not blob:)

const field = (key, input) => h('label', { cls: 'desk-field' }, h('span', { i18n: key, text: t(key) }), input);
const btn = (key, testid, onclick) => h('button', { type: 'button', cls: 'btn btn-small', testid, text: t(key), onclick });

function say(text, isError) {
  el.status.textContent = text;
  el.status.classList.toggle('form-info', !isError);
  el.status.hidden = !text;
}

async function guarded(fn) {
  try {
    await fn();
    say('');
  } catch (e) {
    say(e.detail, true);
  }
}

// -- lost and found ----------------------------------------------------------------------------

async function loadFound() {
  const items = (await api('api/lost-found')).data;
  el.found.replaceChildren(...items.map((i) => {
    const img = h('img', { cls: 'lf-photo', testid: 'lf-photo', alt: i.description, width: 64, hidden: !i.has_photo });
    if (i.has_photo) loadPhoto(i.id, img);
    const claim = h('form', { cls: 'desk-row', testid: 'lf-claim-form' },
      field('f.claimant', h('input', { name: 'claimant', size: 10 })),
      field('f.idNumber', h('input', { name: 'id_number', size: 18 })),
      h('button', { type: 'submit', cls: 'btn btn-small', text: t('lf.claim') }));
    claim.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = new FormData(claim);
      guarded(async () => {
        await api(`api/lost-found/${i.id}/claim`, { method: 'POST', json: {
          claimant: String(f.get('claimant') || '').trim(), id_number: String(f.get('id_number') || '').trim() } });
        await loadFound();
      });
    });
    return h('li', { testid: 'lf-item', 'data-id': i.id, cls: 'lf-item' }, img,
      h('span', { text: `${i.description} · ${i.place} · ${format(i.found_at, 'minute')} · ${i.found_by}${i.storage ? ` · ${i.storage}` : ''}` }),
      claim);
  }));
  el.foundEmpty.hidden = items.length > 0;
}

async function loadPhoto(id, img) {
  if (!photos.has(id)) {
    const res = await api(`api/lost-found/${id}/photo`, { raw: true });
    const blob = await res.blob();
    photos.set(id, await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    }));
  }
  img.src = photos.get(id);
}

async function onRecord(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const body = new FormData(form);
  if (!(body.get('photo') || {}).name) body.delete('photo');
  await guarded(async () => {
    await api('api/lost-found', { method: 'POST', multipart: body });
    form.reset();
    await loadFound();
  });
}

// -- wake-up calls -----------------------------------------------------------------------------

async function loadWakeups() {
  const calls = (await api('api/wakeups')).data;
  el.wakeups.replaceChildren(...calls.map((c) => h('li', { testid: 'wk-call', 'data-id': c.id, 'data-state': c.state },
    h('span', { cls: 'mono', text: `${format(c.at, 'minute')} · ${c.unit} ${c.note ? `· ${c.note}` : ''} · ${t('wk.attempts', { n: c.attempts })}` }),
    btn('wk.answered', 'wk-answered', () => attempt(c, true)),
    btn('wk.unanswered', 'wk-unanswered', () => attempt(c, false)),
    btn('wk.cancel', 'wk-cancel', () => guarded(async () => { await api(`api/wakeups/${c.id}/cancel`, { method: 'POST' }); await loadWakeups(); })))));
  el.wakeEmpty.hidden = calls.length > 0;
}

function attempt(c, answered) {
  return guarded(async () => {
    await api(`api/wakeups/${c.id}/attempts`, { method: 'POST', json: { answered } });
    await loadWakeups();
  });
}

async function onBookWakeup(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const f = new FormData(form);
  await guarded(async () => {
    await api('api/wakeups', { method: 'POST', json: { unit: String(f.get('unit') || '').trim(),
      at: fromLocalInput(f.get('at')), note: String(f.get('note') || '').trim() } });
    form.reset();
    await loadWakeups();
  });
}

// -- bookings ----------------------------------------------------------------------------------

async function loadSlots() {
  const f = new FormData(el.slotForm);
  const service = f.get('service');
  const day = f.get('day');
  if (!day) return;
  const out = await api(`api/bookings/slots?service=${encodeURIComponent(service)}&day=${day}`);
  el.slots.replaceChildren(...out.slots.map((s) => h('li', { testid: 'bk-slot', 'data-free': String(s.free) },
    h('span', { cls: 'mono', text: `${format(s.start, 'minute')} – ${format(s.end, 'minute').slice(-5)} ${s.free ? t('bk.free') : t('bk.taken')}` }),
    s.free ? btn('bk.book', 'bk-book', () => book(service, s.start)) : '')));
}

function book(service, start) {
  const unit = String(new FormData(el.slotForm).get('unit') || '').trim();
  return guarded(async () => {
    await api('api/bookings', { method: 'POST', json: { service, start, unit } });
    await loadSlots();
  });
}

// -- visitors: who is expected today ----------------------------------------------------------

async function loadVisitors() {
  const rows = (await api('api/visitors')).data;
  el.visitors.replaceChildren(...rows.map((v) => {
    const step = (key, s) => btn(key, `vs-${s}`, () => guarded(async () => {
      const idNumber = s === 'arrive' ? (window.prompt(t('vs.askId')) || '') : '';
      await api(`api/visitors/${v.id}`, { method: 'POST', json: { step: s, id_number: idNumber } });
      await loadVisitors();
    }));
    return h('li', { testid: 'vs-row', 'data-id': v.id, 'data-state': v.state },
      h('span', { text: `${format(v.expected_at, 'minute')} · ${v.unit} · ${v.name}${v.purpose ? ` · ${v.purpose}` : ''} · ${t(`vs.${v.source}`)} · ${t(`vs.s.${v.state}`)}` }),
      v.state === 'expected' ? step('vs.arrive', 'arrive') : '', v.state === 'arrived' ? step('vs.leave', 'leave') : '');
  }));
}

async function onRegisterVisitor(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const f = new FormData(form);
  const s = (k) => String(f.get(k) || '').trim();
  await guarded(async () => {
    await api('api/visitors', { method: 'POST', json: { unit: s('unit'), name: s('name'),
      expected_at: fromLocalInput(s('expected_at')), purpose: s('purpose') } });
    form.reset();
    await loadVisitors();
  });
}

// -- the page ----------------------------------------------------------------------------------

function build() {
  el.view = h('section', { cls: 'desk', testid: 'concierge-view', hidden: true, 'data-words': 'concierge' });
  tid('desk-view').after(el.view);
  el.status = h('p', { cls: 'form-error', testid: 'concierge-status', role: 'status', hidden: true });
  const record = h('form', { cls: 'desk-row', testid: 'lf-form' },
    field('f.description', h('input', { name: 'description', testid: 'lf-description', size: 18 })),
    field('f.place', h('input', { name: 'place', testid: 'lf-place', size: 14 })),
    field('f.foundBy', h('input', { name: 'found_by', testid: 'lf-found-by', size: 10 })),
    field('f.storage', h('input', { name: 'storage', testid: 'lf-storage', size: 6 })),
    field('lf.photo', h('input', { name: 'photo', type: 'file', accept: 'image/*', testid: 'lf-photo-file' })),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'lf-submit', text: t('lf.record') }));
  record.addEventListener('submit', onRecord);
  el.found = h('ul', { cls: 'desk-recon', testid: 'lf-list' });
  el.foundEmpty = h('p', { cls: 'desk-empty', i18n: 'lf.empty', text: t('lf.empty') });
  const wake = h('form', { cls: 'desk-row', testid: 'wk-form' },
    field('f.unit', h('input', { name: 'unit', testid: 'wk-unit', size: 11 })),
    field('f.at', h('input', { name: 'at', type: 'datetime-local', testid: 'wk-at' })),
    field('f.note', h('input', { name: 'note', testid: 'wk-note', size: 16 })),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'wk-submit', text: t('wk.book') }));
  wake.addEventListener('submit', onBookWakeup);
  el.wakeups = h('ul', { cls: 'desk-recon', testid: 'wk-list' });
  el.wakeEmpty = h('p', { cls: 'desk-empty', i18n: 'wk.empty', text: t('wk.empty') });
  el.slotForm = h('form', { cls: 'desk-row', testid: 'bk-form' },
    field('bk.service', h('select', { name: 'service', testid: 'bk-service' },
      ...SERVICES.map((s) => h('option', { value: s, i18n: `s.${s}`, text: t(`s.${s}`) })))),
    field('bk.day', h('input', { name: 'day', type: 'date', testid: 'bk-day' })),
    field('f.unit', h('input', { name: 'unit', testid: 'bk-unit', size: 11 })));
  el.slotForm.addEventListener('change', () => guarded(loadSlots));
  el.slotForm.addEventListener('submit', (ev) => { ev.preventDefault(); guarded(loadSlots); });
  el.slots = h('ul', { cls: 'desk-recon', testid: 'bk-slots' });
  const visit = h('form', { cls: 'desk-row', testid: 'vs-form' },
    field('f.unit', h('input', { name: 'unit', testid: 'vs-unit', size: 11 })),
    field('vs.name', h('input', { name: 'name', testid: 'vs-name', size: 12 })),
    field('vs.when', h('input', { name: 'expected_at', type: 'datetime-local', testid: 'vs-when' })),
    field('vs.purpose', h('input', { name: 'purpose', testid: 'vs-purpose', size: 16 })),
    h('button', { type: 'submit', cls: 'btn btn-primary btn-small', testid: 'vs-submit', text: t('vs.register') }));
  visit.addEventListener('submit', onRegisterVisitor);
  el.visitors = h('ul', { cls: 'desk-recon', testid: 'vs-list' });
  el.view.append(el.status,
    h('h2', { i18n: 'vs.heading' }), visit, el.visitors,
    h('h2', { i18n: 'lf.heading' }), record, el.found, el.foundEmpty,
    h('h2', { i18n: 'wk.heading' }), wake, el.wakeups, el.wakeEmpty,
    h('h2', { i18n: 'bk.heading' }), el.slotForm, el.slots);
  translateTree(el.view, t);
}

const loadAll = () => guarded(async () => { await Promise.all([loadVisitors(), loadFound(), loadWakeups()]); });

export const conciergePage = rolePage({
  id: 'concierge', roles: ROLES, label: () => t('nav.concierge'), view: () => el.view, load: loadAll,
});

build();
on('signout', () => {
  photos.clear();
  el.found.replaceChildren();
  el.visitors.replaceChildren();
  el.wakeups.replaceChildren();
  el.slots.replaceChildren();
  conciergePage.hide();
});
on('language', () => { translateTree(el.view, t); if (session() && !el.view.hidden) conciergePage.show(); });
