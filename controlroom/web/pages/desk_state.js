/* Estate Butler console: what the front desk's modules share.
 *
 * The desk page (desk.js: the tabs, shown and hidden by app.js) has three panes — check-in
 * (desk_checkin.js), the register with release (desk_register.js) and the reconciliation
 * (desk_reconcile.js) — that work on one `st`; `el` holds the page's section. Words:
 * i18n/desk.json.
 */
import DESK_WORDS from '../i18n/desk.json' with { type: 'json' };
import { h } from '../lib/dom.js';
import { show as showFields } from '../lib/fielderrors.js';
import { translator } from '../lib/i18n.js';
import { lang } from '../lib/session.js';

export const t = translator(DESK_WORDS);
export const DESK_ROLES = ['frontdesk', 'supervisor', 'admin'];
export const KINDS = ['parcel', 'deposit', 'handover', 'key']; // the register's filter: older records

export const st = {
  view: 'board', // board | desk
  tab: 'checkin',
  items: [],
  recon: [],
};

export const el = {};

// Field errors in the console's language (lib/fielderrors.js); false when none names a field.
export const showFieldErrors = (form, err, summary, opts) => showFields(form, err.body, summary, opts);

export function showError(node, err) {
  const body = err.body || {};
  // A refusal at intake carries its reason in both languages.
  const text = lang() === 'zh' && body.reason_zh ? body.reason_zh : err.detail;
  node.textContent = text;
  node.hidden = false;
}

export function field(labelKey, input) {
  return h('label', { cls: 'desk-field' }, h('span', { i18n: labelKey }), input);
}
