/* Estate Butler control-room console: the front-desk pages (held items).
 *
 * Parcel check-in (the pickup code is shown once, for the claim stub), the held-items
 * register with release at the desk, and the daily reconciliation against the shelves.
 * An ES module: the page (deskPage) tells app.js which roles it serves; it hears sign-out
 * and language changes through lib/session.js events. Words: i18n/desk.json.
 * This module holds the page and its tabs; each tab's pane is its own module
 * (desk_checkin.js, desk_register.js, desk_reconcile.js), sharing desk_state.js.
 *
 * Test hooks: data-testid on every element a test needs; register rows carry data-item-id
 * and data-serial.
 */
import { byTestId as tid, h } from '../lib/dom.js';
import { translateTree } from '../lib/i18n.js';
import { on } from '../lib/session.js';
import { buildCheckin, clearStub } from './desk_checkin.js';
import { buildReconcile, loadReconcile } from './desk_reconcile.js';
import { buildRegister, loadRegister, renderRegister } from './desk_register.js';
import { DESK_ROLES, el, st, t } from './desk_state.js';

// -- building the pages ---------------------------------------------------------------------

function build() {
  el.view = tid('desk-view');
  el.view.dataset.words = 'desk'; // its labels are translated here (translateTree)

  const tabs = h('div', { cls: 'desk-tabs', role: 'tablist' },
    ...['checkin', 'register', 'reconcile'].map((k) => h('button', {
      type: 'button', cls: 'btn desk-tab', testid: `desk-tab-${k}`, i18n: `tab.${k}`,
      'data-tab': k, role: 'tab' })));
  tabs.addEventListener('click', (ev) => {
    const b = ev.target.closest('[data-tab]');
    if (b) showTab(b.dataset.tab);
  });
  el.view.append(tabs, buildCheckin(), buildRegister(), buildReconcile());
  translate();
}

function translate() {
  translateTree(el.view, t);
  if (st.items.length) renderRegister();
}

// -- views ----------------------------------------------------------------------------------

// app.js shows one page at a time and draws the navigation.
function show() {
  st.view = 'desk';
  el.view.hidden = false;
  showTab(st.tab);
}

function hide() {
  st.view = null;
  el.view.hidden = true;
  clearStub();
}

export const deskPage = { id: 'desk', roles: DESK_ROLES, label: () => t('nav.desk'), show, hide };

function showTab(tab) {
  st.tab = tab;
  el.view.querySelectorAll('.desk-pane').forEach((p) => { p.hidden = p.dataset.tab !== tab; });
  el.view.querySelectorAll('.desk-tab').forEach((b) => {
    b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  });
  if (tab !== 'checkin') clearStub();
  if (tab === 'register') loadRegister();
  if (tab === 'reconcile') loadReconcile();
  if (tab === 'checkin') setTimeout(() => tid('checkin-unit').focus(), 0);
}

function onSession(s) {
  if (!s || !DESK_ROLES.includes(s.role)) hide();
}

function onSignedOut() {
  st.items = [];
  clearStub();
  el.view.hidden = true;
}

// -- start ----------------------------------------------------------------------------------

build();
on('session', onSession);
on('signout', onSignedOut); // leave with the signed-out session, and take the code along
on('language', translate);
