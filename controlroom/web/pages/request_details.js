/* One service request in the details pane: its facts, promises, ratings and history. */

import { api } from '../lib/api.js';
import { lang } from '../lib/session.js';
import { el, fmtTime, node, noteTimes, renderRows, st, t, title } from './requests.js';

// ---------------------------------------------------------------------------------------
// One request: promises and history
// ---------------------------------------------------------------------------------------

export function select(id) {
  st.selected = id;
  st.detail = null;
  document.querySelectorAll('[data-testid="request-row"]').forEach((n) => {
    n.classList.toggle('is-selected', n.dataset.requestId === String(id));
  });
  refreshDetails();
}

export async function refreshDetails() {
  const id = st.selected;
  try {
    const r = await api(`api/requests/${id}`);
    if (st.selected !== id) return;
    st.detail = r;
  } catch (_) {
    st.detail = null;
  }
  renderDetails();
}

export function renderDetails() {
  const pane = el.details;
  if (!pane) return;
  const r = st.detail;
  pane.hidden = !st.selected;
  if (!r) {
    pane.replaceChildren(node('div', { class: 'details-empty', i18n: 'details.empty' }));
    return;
  }
  pane.dataset.requestId = String(r.id);
  const facts = node('dl', { class: 'facts', testid: 'request-facts' });
  const fact = (k, v) => facts.append(node('dt', { text: t(`fact.${k}`) }), node('dd', { text: v || '—' }));
  fact('number', r.number);
  fact('unit', r.unit);
  fact('type', `${t.or(`type.${r.type}`, r.type)} · ${title(r)}`);
  if (r.type === 'complaint') fact('severity', t(`severity.${r.severity}`));
  fact('channel', t(`channel.${r.channel}`));
  fact('owner', r.owner);
  fact('assignee', r.assignee);
  fact('department', r.department);
  fact('created', fmtTime(r.created_at));
  fact('description', r.description);
  const promises = node('ul', { class: 'rq-promises', testid: 'request-promises' },
    ...r.promises.map((p) => node('li', {
      class: `rq-promise${p.escalated ? ' is-escalated' : ''}${p.met_at ? ' is-met' : ''}`,
      testid: 'request-promise', 'data-name': p.name,
    }, node('b', { text: lang() === 'zh' ? p.label_zh : p.label_en }), ' ',
    node('span', { text: p.met_at ? t('promise.met', { t: fmtTime(p.met_at) }) : t('promise.open', { t: fmtTime(p.due) }) }),
    p.escalated ? node('span', { class: 'tag rq-tag-overdue', text: t('promise.escalated') }) : null)));
  const history = node('ol', { class: 'history', testid: 'request-history' },
    ...r.history.map((h) => node('li', { testid: 'request-history-item', 'data-action': h.action },
      node('time', { class: 'mono', datetime: h.at, text: fmtTime(h.at, 'full') }),
      node('span', { class: 'h-action', text: t(`act.${h.action}`) }),
      node('span', { class: 'h-actor', text: h.actor }),
      h.note ? node('p', { class: 'h-note', text: noteTimes(h.note) }) : null)));
  const parts = [
    node('div', { class: 'details-head' },
      node('h2', { testid: 'request-details-title', text: `${r.number} · ${t.or(`state.${r.state}`, r.state)}` }),
      node('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'request-details-close', i18n: 'common.close',
        onclick: () => { st.selected = null; st.detail = null; renderDetails(); renderRows(); } })),
    facts,
    node('h3', { i18n: 'details.promises' }), promises,
  ];
  if (r.ratings) {
    parts.push(node('h3', { i18n: 'details.ratings' }), node('p', { testid: 'request-ratings', text:
      `${t('form.attitude')} ${r.ratings.attitude} · ${t('form.quality')} ${r.ratings.quality} · ${t('form.punctuality')} ${r.ratings.punctuality}` }));
  }
  parts.push(node('h3', { i18n: 'details.history' }), history);
  pane.replaceChildren(...parts);
}

