/* Estate Butler console: notices — write one, schedule it (from, until) and withdraw it; the
 * kiosks show those in force on their attract screen. API: /api/notices (routes/notices.py).
 * Words: i18n/notices.json. Test hooks: data-testid; rows carry data-notice-id and data-state.
 */
import WORDS from '../i18n/notices.json' with { type: 'json' };
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { format, fromLocalInput } from '../lib/format.js';
import { translateTree, translator } from '../lib/i18n.js';
import { rolePage, tell } from '../lib/page.js';
import { lang, on } from '../lib/session.js';

const t = translator(WORDS);
const ROLES = ['frontdesk', 'supervisor', 'admin'];
const KINDS = ['general', 'water', 'power', 'gas'];
const el = {};
let notices = [];

const field = (key, input) => h('label', { cls: 'desk-field' }, h('span', { i18n: key }), input);

const say = (text, isError) => tell(el.status, text, isError);

function build() {
  el.view = h('section', { cls: 'desk', testid: 'notices-view', hidden: true, 'data-words': 'notices' });
  tid('desk-view').after(el.view);
  el.form = h('form', { cls: 'desk-form', testid: 'notice-form', novalidate: true },
    h('h2', { i18n: 'not.write' }),
    h('div', { cls: 'desk-row' },
      field('f.kind', h('select', { name: 'kind', testid: 'notice-kind' },
        ...KINDS.map((k) => h('option', { value: k, i18n: `k.${k}` })))),
      field('f.building', h('input', { name: 'building', testid: 'notice-building', size: 4 })),
      field('f.starts', h('input', { name: 'starts_at', type: 'datetime-local', step: 1, testid: 'notice-starts' })),
      field('f.expires', h('input', { name: 'expires_at', type: 'datetime-local', step: 1, testid: 'notice-expires' }))),
    h('div', { cls: 'desk-row' },
      field('f.titleZh', h('input', { name: 'title_zh', testid: 'notice-title-zh', size: 30 })),
      field('f.titleEn', h('input', { name: 'title_en', testid: 'notice-title-en', size: 30 }))),
    h('div', { cls: 'desk-row' },
      field('f.bodyZh', h('textarea', { name: 'body_zh', testid: 'notice-body-zh', rows: 2, cols: 40 })),
      field('f.bodyEn', h('textarea', { name: 'body_en', testid: 'notice-body-en', rows: 2, cols: 40 }))),
    h('button', { type: 'submit', cls: 'btn btn-primary', testid: 'notice-submit', i18n: 'not.publish' }));
  el.form.addEventListener('submit', onPublish);
  el.status = h('p', { cls: 'form-error', testid: 'notices-status', role: 'status', hidden: true });
  el.body = h('tbody', { testid: 'notices-body' });
  el.view.append(h('h2', { i18n: 'not.heading' }), el.status, el.form,
    h('table', { cls: 'board desk-table', testid: 'notices-table' },
      h('thead', {}, h('tr', {}, ...['title', 'kind', 'building', 'starts', 'expires', 'state', 'actions']
        .map((c) => h('th', { i18n: `col.${c}` })))), el.body));
  translateTree(el.view, t);
}

async function load() {
  try {
    notices = (await api('api/notices')).notices;
  } catch (e) {
    say(e.detail, true);
    return;
  }
  render();
}

function stateOf(n) {
  const now = Date.now();
  if (new Date(n.expires_at).getTime() <= now) return 'expired';
  return new Date(n.starts_at).getTime() > now ? 'scheduled' : 'shown';
}

function render() {
  const zh = lang() === 'zh';
  el.body.replaceChildren(...notices.map((n) => {
    const st = stateOf(n);
    return h('tr', { testid: 'notice-row', 'data-notice-id': n.id, 'data-state': st },
      h('td', { text: zh ? n.title_zh : n.title_en }), h('td', { text: t(`k.${n.kind}`) }),
      h('td', { text: n.building || '' }), h('td', { cls: 'mono', text: format(n.starts_at, 'minute') }),
      h('td', { cls: 'mono', text: format(n.expires_at, 'minute') }), h('td', { text: t(`s.${st}`) }),
      h('td', {}, st === 'expired' ? '' : h('button', { type: 'button', cls: 'btn btn-small', testid: 'notice-withdraw',
        text: t('not.withdraw'), onclick: () => withdraw(n) })));
  }));
}

async function onPublish(ev) {
  ev.preventDefault();
  const f = new FormData(el.form);
  const s = (k) => String(f.get(k) || '').trim();
  try {
    const n = await api('api/notices', { method: 'POST', json: {
      kind: s('kind'), building: s('building') || null, title_zh: s('title_zh'), title_en: s('title_en'),
      body_zh: s('body_zh'), body_en: s('body_en'),
      starts_at: fromLocalInput(s('starts_at')), expires_at: fromLocalInput(s('expires_at')) } });
    say(t('not.done', { from: format(n.starts_at, 'minute'), to: format(n.expires_at, 'minute') }));
    el.form.reset();
    await load();
  } catch (e) {
    say(e.detail, true);
  }
}

async function withdraw(n) {
  try {
    await api(`api/notices/${n.id}`, { method: 'DELETE' });
    await load();
  } catch (e) {
    say(e.detail, true);
  }
}

export const noticesPage = rolePage({
  id: 'notices', roles: ROLES, label: () => t('nav.notices'), view: () => el.view, load,
});

build();
on('signout', () => { notices = []; el.body.replaceChildren(); noticesPage.hide(); });
on('language', () => { translateTree(el.view, t); render(); });
