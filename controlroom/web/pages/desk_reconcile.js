/* Estate Butler console: the front desk's reconciliation pane — the items held, ticked off as
 * seen on the shelves, and what is missing or unexpected. The page itself is desk.js. */
import { api } from '../lib/api.js';
import { byTestId as tid, h } from '../lib/dom.js';
import { showError, st, t } from './desk_state.js';

export function buildReconcile() {
  const form = h('form', { testid: 'reconcile-form', novalidate: true },
    h('ul', { cls: 'desk-recon', testid: 'reconcile-list' }),
    h('p', { cls: 'desk-empty', testid: 'reconcile-empty', i18n: 'reconcile.empty',
             hidden: true }),
    h('button', { type: 'submit', cls: 'btn btn-primary', testid: 'reconcile-submit',
                  i18n: 'reconcile.submit' }));
  form.addEventListener('submit', onReconcile);
  return h('div', { cls: 'desk-pane', testid: 'desk-reconcile', 'data-tab': 'reconcile' },
    h('h2', { i18n: 'reconcile.heading' }), h('p', { cls: 'desk-hint', i18n: 'reconcile.hint' }),
    form,
    h('div', { cls: 'form-error', testid: 'reconcile-result', role: 'status', hidden: true }));
}

export async function loadReconcile() {
  tid('reconcile-result').hidden = true;
  try {
    st.recon = (await api('api/items/reconciliation')).items;
  } catch (e) {
    showError(tid('reconcile-result'), e);
    return;
  }
  tid('reconcile-list').replaceChildren(...st.recon.map((i) => h('li', {
    testid: 'reconcile-item', 'data-serial': i.serial },
  h('label', { cls: 'desk-check' },
    h('input', { type: 'checkbox', name: 'seen', value: i.serial,
                 testid: `seen-${i.serial}` }),
    h('span', { cls: 'mono' }, `${i.location}  ${i.serial}`),
    h('span', {}, ` ${i.unit} · ${t(`kind.${i.kind}`)} × ${i.pieces}`)))));
  tid('reconcile-empty').hidden = st.recon.length > 0;
}

async function onReconcile(ev) {
  ev.preventDefault();
  const seen = new FormData(ev.currentTarget).getAll('seen');
  const out = tid('reconcile-result');
  try {
    const r = await api('api/items/reconciliation', { method: 'POST', json: { seen } });
    const lines = [r.missing.length
      ? t('reconcile.missing', { n: r.missing.length, list: r.missing.join(', ') })
      : t('reconcile.clean', { n: r.checked })];
    if (r.unexpected.length) lines.push(t('reconcile.unexpected', { list: r.unexpected.join(', ') }));
    out.textContent = lines.join(' ');
    out.dataset.state = r.clean ? 'clean' : 'missing';
    out.classList.toggle('form-info', r.missing.length === 0);
    out.hidden = false;
  } catch (e) {
    showError(out, e);
  }
}
