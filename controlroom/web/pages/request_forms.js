/* Estate Butler console: the service-request queue's forms — a step's inline form under its
 * row (assign, rate the return visit, close, judge, cancel, feedback) and taking a new request
 * at the desk. The queue itself is requests.js. */
import { api } from '../lib/api.js';
import { $, byTestId } from '../lib/dom.js';
import { clear as clearFields, show as showFields } from '../lib/fielderrors.js';
import { fromLocalInput } from '../lib/format.js';
import { lang } from '../lib/session.js';
import { renderDetails } from './request_details.js';
import { closeForm, el, load, node, renderRows, send, st, t } from './requests.js';

function field(labelKey, input) {
  return node('label', {}, node('span', { i18n: labelKey }), input);
}

// No rating is chosen for the caller: an untouched form must not record 5/5/5 (issue 19).
function ratingSelect(name) {
  return node('select', { name, testid: `form-${name}`, required: true },
    node('option', { value: '', text: t('form.choose') }),
    ...[5, 4, 3, 2, 1].map((n) => node('option', { value: String(n), text: String(n) })));
}

/** What a step's form sends, or null (with the reason in `err`) when something is missing. */
function stepBody(r, step, f, err) {
  const body = { note: String(f.get('note') || '') };
  const need = (name, labelKey) => {
    if (f.get(name)) return true;
    err.hidden = false;
    err.textContent = t('form.required', { f: t(labelKey) });
    return false;
  };
  if (step === 'assign') {
    if (!need('assignee', 'form.assignee')) return null;
    body.assignee = String(f.get('assignee'));
    if (f.get('department')) body.department = String(f.get('department'));
    if (f.get('due_at')) body.due_at = fromLocalInput(String(f.get('due_at'))); // site time
  } else if (step === 'return_visit') {
    for (const k of ['attitude', 'quality', 'punctuality']) {
      if (!f.get(k)) {
        err.hidden = false;
        err.textContent = t('form.rate', { f: t(`form.${k}`) });
        return null;
      }
      body[k] = Number(f.get(k));
    }
  } else if (step === 'close') {
    body.resident_confirmed = f.get('resident_confirmed') === 'on';
    if (r.type === 'complaint' && !body.resident_confirmed) {
      err.hidden = false;
      err.textContent = t('form.confirmRequired');
      return null;
    }
  } else if (step === 'judge') {
    body.valid = f.get('valid') === 'on';
    body.serious = f.get('serious') === 'on';
  } else if (step === 'cancel' && !need('note', 'form.reason')) {
    return null;
  } else if (step === 'feedback' && !need('note', 'form.told')) {
    return null;
  }
  return body;
}

/** The fields a step asks for, besides the note. */
function stepFields(r, step) {
  const parts = [];
  if (step === 'assign') {
    const people = (st.choices && st.choices.assignees) || [];
    parts.push(
      field('form.assignee', node('select', { name: 'assignee', testid: 'form-assignee' },
        node('option', { value: '', text: t('form.choose') }),
        ...people.map((p) => node('option', { value: p.username, text: `${p.name} (${p.username})` })))),
      field('form.department', node('input', { name: 'department', testid: 'form-department', value: r.department || '', maxlength: '64' })),
      field('form.dueAt', node('input', { name: 'due_at', type: 'datetime-local', testid: 'form-due-at' })));
  } else if (step === 'return_visit') {
    parts.push(field('form.attitude', ratingSelect('attitude')), field('form.quality', ratingSelect('quality')),
      field('form.punctuality', ratingSelect('punctuality')));
  } else if (step === 'close') {
    const complaint = r.type === 'complaint';
    parts.push(node('label', {}, node('input', { type: 'checkbox', name: 'resident_confirmed', testid: 'form-confirmed', required: complaint }),
      node('span', { i18n: complaint ? 'form.confirmedNeeded' : 'form.confirmed' })));
  } else if (step === 'judge') {
    parts.push(
      node('label', {}, node('input', { type: 'checkbox', name: 'valid', testid: 'form-valid', checked: r.valid !== false }),
        node('span', { i18n: 'form.valid' })),
      node('label', {}, node('input', { type: 'checkbox', name: 'serious', testid: 'form-serious', checked: r.severity === 'serious' }),
        node('span', { i18n: 'form.serious' })));
  }
  return parts;
}

/** A step's inline form under its row. */
export function openForm(r, step) {
  closeForm();
  renderRows();
  st.openForm = { id: r.id, step };
  const err = node('span', { class: 'form-error', testid: 'form-error', role: 'alert', hidden: true });
  const form = node('form', { class: 'inline-form', testid: `${step}-form`, novalidate: true });
  const parts = [node('span', { class: 'inline-title', text: `${t(`act.${step}`)} · ${r.number}` }), ...stepFields(r, step)];
  const noteKey = { cancel: 'form.reason', feedback: 'form.told' }[step] || 'form.note';
  parts.push(node('label', { class: 'grow' }, node('span', { i18n: noteKey }),
    node('input', { name: 'note', testid: 'form-note', maxlength: '2000' })));
  parts.push(
    node('button', { type: 'submit', class: 'btn btn-small btn-primary', testid: 'form-submit', i18n: 'form.submit' }),
    node('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'form-cancel', i18n: 'form.cancel',
      onclick: () => { closeForm(); renderRows(); } }),
    err);
  form.append(...parts);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = stepBody(r, step, new FormData(form), err);
    if (!body) return;
    const ok = await send(r, step, body, $('[data-testid="form-submit"]', form));
    if (!ok) {
      err.hidden = false;
      err.textContent = el.error.textContent;
    }
  });
  const tr = node('tr', { class: 'form-row rq-form-row', testid: `${step}-form-row` },
    node('td', { colspan: '10' }, form));
  const anchor = $(`[data-testid="request-row"][data-request-id="${r.id}"]`, el.tbody);
  if (anchor) anchor.after(tr);
  const first = $('select, input', form);
  if (first) first.focus();
}

// ---------------------------------------------------------------------------------------
// Taking a request at the desk
// ---------------------------------------------------------------------------------------

export function toggleNewForm() {
  el.newForm.hidden = !el.newForm.hidden;
  if (!el.newForm.hidden) buildNewForm();
}

export function buildNewForm() {
  const c = st.choices || { categories: { repair: [], complaint: [] }, items: [] };
  const name = (x) => (lang() === 'zh' ? x.name_zh : x.name_en);
  const type = node('select', { name: 'type', testid: 'new-type' },
    ...['repair', 'urgent_repair', 'complaint', 'enquiry', 'suggestion', 'help', 'service_order', 'assistance']
      .map((v) => node('option', { value: v, text: t.or(`type.${v}`, v) })));
  const category = node('select', { name: 'category', testid: 'new-category' });
  const item = node('select', { name: 'item', testid: 'new-item' });
  const sync = () => {
    const v = type.value;
    const cats = v === 'complaint' ? c.categories.complaint : c.categories.repair;
    category.replaceChildren(...cats.map((x) => node('option', { value: x.id, text: name(x) })));
    const items = c.items.filter((x) => (v === 'assistance' ? x.menu === 'assistance' : x.menu !== 'assistance'));
    item.replaceChildren(...items.map((x) => node('option', { value: x.id, text: name(x) })));
    category.parentElement.hidden = !['repair', 'urgent_repair', 'complaint'].includes(v);
    item.parentElement.hidden = !['service_order', 'assistance'].includes(v);
  };
  type.addEventListener('change', sync);
  const err = node('span', { class: 'form-error', testid: 'form-error', role: 'alert', hidden: true });
  el.newForm.replaceChildren(
    node('span', { class: 'inline-title', i18n: 'new.title' }),
    field('new.unit', node('input', { name: 'unit', testid: 'new-unit', placeholder: '1-2-1502', maxlength: '32' })),
    field('new.type', type), field('new.category', category), field('new.item', item),
    field('new.channel', node('select', { name: 'channel', testid: 'new-channel' },
      node('option', { value: 'desk', text: t('channel.desk') }),
      node('option', { value: 'phone', text: t('channel.phone') }))),
    node('label', { class: 'grow' }, node('span', { i18n: 'new.description' }),
      node('input', { name: 'description', testid: 'new-description', maxlength: '500' })),
    node('button', { type: 'submit', class: 'btn btn-small btn-primary', testid: 'new-submit', i18n: 'form.submit' }),
    node('button', { type: 'button', class: 'btn btn-small btn-ghost', i18n: 'form.cancel',
      onclick: () => { el.newForm.hidden = true; } }),
    err);
  sync();
}

export async function onNewSubmit(ev) {
  ev.preventDefault();
  const f = new FormData(el.newForm);
  const err = byTestId('form-error', el.newForm);
  clearFields(el.newForm);
  const body = {
    unit: String(f.get('unit') || '').trim(),
    type: String(f.get('type')),
    channel: String(f.get('channel')),
    description: String(f.get('description') || ''),
  };
  if (!body.unit) {
    err.hidden = false;
    err.textContent = t('form.required', { f: t('new.unit') });
    return;
  }
  if (['repair', 'urgent_repair', 'complaint'].includes(body.type)) body.category = String(f.get('category'));
  if (['service_order', 'assistance'].includes(body.type)) body.item = String(f.get('item'));
  try {
    const created = await api('api/requests', { method: 'POST', json: body });
    el.newForm.hidden = true;
    st.selected = created.id;
    st.detail = created;
    await load();
    renderDetails();
  } catch (e) {
    // Field errors in the console's language (lib/fielderrors.js), else the answer's words.
    if (showFields(el.newForm, e.body, err)) return;
    err.hidden = false;
    err.textContent = e.detail;
  }
}
