/* Estate Butler control-room console: a form's field errors in the console's language.
 *
 * The API answers a refused form with English for programs: pydantic's list (`errors`, each
 * with `loc` and `type`) or a problem `code` (e.g. unknown_unit). show() turns them into one
 * line per field, in the console's language, next to the field (a span inside the field's
 * <label>, data-testid="field-error-NAME", the input marked aria-invalid) and as a summary
 * naming each field by its label as the form shows it. Used by the desk's forms (desk_*.js,
 * requests.js). Shown errors are said again when the language changes (the 'language' event).
 */
import FIELD_WORDS from '../i18n/fields.json' with { type: 'json' };
import { h } from './dom.js';
import { translator } from './i18n.js';
import { on } from './session.js';

const say = translator(FIELD_WORDS);

// The field a pydantic error is about: its place without where it came from.
function fieldOf(loc) {
  const place = (loc || []).filter((p) => !['body', 'query', 'path'].includes(p));
  return place.length ? String(place[0]) : '';
}

// A pydantic error type in words; `hint` (from the form) may say what the field looks like.
function wordsFor(e, hint) {
  const c = e.ctx || {};
  switch (e.type) {
    case 'missing': return say('required');
    case 'string_too_short': return c.min_length === 1 ? say('required') : say('tooShort', { n: c.min_length });
    case 'string_too_long': case 'too_long': return say('tooLong', { n: c.max_length });
    case 'string_pattern_mismatch': return hint || say('format');
    case 'int_parsing': case 'int_type': case 'int_from_float': return say('int');
    case 'greater_than_equal': case 'greater_than': return say('min', { min: c.ge ?? c.gt });
    case 'less_than_equal': case 'less_than': return say('max', { max: c.le ?? c.lt });
    case 'literal_error': case 'enum': return say('choice');
    case 'date_parsing': case 'date_from_datetime_parsing': case 'date_type': return say('date');
    default: return hint || say('invalid');
  }
}

/* [{field, text}] for an error answer's body. `opts.codes` maps a problem code to
 * [field, text] (the form's own refusals, e.g. wrong_code); `opts.hints` maps a field to
 * what it should look like, for a pattern mismatch. */
export function messages(body, opts) {
  const o = opts || {};
  const hints = o.hints || {};
  const b = body || {};
  if (Array.isArray(b.errors)) {
    return b.errors.map((e) => {
      const field = fieldOf(e.loc);
      return { field, text: wordsFor(e, typeof hints[field] === 'function' ? hints[field]() : hints[field]) };
    }).filter((m) => m.field);
  }
  const own = (o.codes || {})[b.code];
  if (own) return [{ field: own[0], text: typeof own[1] === 'function' ? own[1]() : own[1] }];
  if (b.code === 'unknown_unit' || (b.code === 'invalid' && b.field === 'unit')) {
    return [{ field: 'unit', text: say('unknownUnit') }];
  }
  if (b.code === 'invalid' && b.field) return [{ field: b.field, text: say('invalid') }];
  return [];
}

function labelOf(form, field) {
  const input = form.querySelector(`[name="${field}"]`);
  const label = input && input.closest('label');
  const span = label && label.querySelector('span:not(.field-error)');
  return (span && span.textContent.trim()) || field;
}

const shown = new Map(); // form -> the answer it shows, to say again in another language

export function clear(form) {
  shown.delete(form);
  form.querySelectorAll('.field-error').forEach((n) => n.remove());
  form.querySelectorAll('[aria-invalid="true"]').forEach((n) => n.removeAttribute('aria-invalid'));
}

/* Show the field errors of `body` in `form`, and the summary in `summary`; false when the
 * answer names no field (the caller shows its own message then). */
export function show(form, body, summary, opts, quiet) {
  clear(form);
  shown.set(form, [body, summary, opts]);
  const list = messages(body, opts);
  if (!list.length) return false;
  const lines = [];
  for (const { field, text } of list) {
    const input = form.querySelector(`[name="${field}"]`);
    lines.push(`${labelOf(form, field)}${say('sep')}${text}`);
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    const note = h('span', { class: 'field-error', testid: `field-error-${field}`, text });
    (input.closest('label') || input.parentElement).append(note);
  }
  if (summary) {
    summary.textContent = lines.join(say('join'));
    summary.title = (body && body.detail) || '';
    summary.hidden = false;
  }
  const first = form.querySelector('[aria-invalid="true"]');
  if (first && !quiet) first.focus();
  return true;
}

// Say the errors shown again in the new language, after the pages have translated their
// labels (they hear the same event in the same turn).
on('language', () => setTimeout(() => {
  for (const [form, args] of [...shown]) {
    if (form.isConnected) show(form, ...args, true);
    else shown.delete(form);
  }
}, 0));
