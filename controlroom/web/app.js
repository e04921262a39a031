/* Estate Butler control-room console: the shell, and the one script index.html loads.
 *
 * ES modules, no build step. lib/ is the shared library (api.js: the one fetch; dom.js: the
 * one h(); i18n.js: the one t() over {key: [zh, en]} tables; format.js: times in the site's
 * zone; session.js: who is signed in, the language, the app's events; fielderrors.js: a form's
 * field errors); i18n/ holds the words, {key: [zh, en]} as JSON modules. pages/ are the
 * console's pages, each {id, roles, label(), show(), hide()}: the alarm board (board.js and
 * its parts), the front desk, the request queue and the views beside the board. This module signs in and out, draws the navigation for the signed-in
 * role, shows one page at a time, switches the language and keeps the clock. Pages hear
 * what changed through lib/session.js events, never by watching the DOM.
 */
import { api } from './lib/api.js';
import { byTestId, h, setText } from './lib/dom.js';
import { format as fmtTime, offset, setZone, zone } from './lib/format.js';
import { translateTree } from './lib/i18n.js';
import * as session from './lib/session.js';
import { primeAudio, renderSound } from './pages/alarm_sound.js';
import { enterBoard, initBoard, leaveBoard, renderBoardWords, renderConn, renderTitle, tickBoard } from './pages/board.js';
import { el, readsBoard, roleLabel, state, t } from './pages/board_state.js';
import { auditPage } from './pages/audit.js';
import { conciergePage } from './pages/concierge.js';
import { deskPage } from './pages/desk.js';
import { feesPage } from './pages/fees.js';
import { keysPage } from './pages/keys.js';
import { noticesPage } from './pages/notices.js';
import { notificationsPage } from './pages/notifications.js';
import { requestsPage } from './pages/requests.js';
import { reportsPage } from './pages/reports.js';
import { residentsPage } from './pages/residents.js';
import { viewPages } from './pages/views.js';

const PAGES = [deskPage, keysPage, feesPage, noticesPage, conciergePage, residentsPage, requestsPage, ...viewPages, notificationsPage, reportsPage, auditPage];
let loginMessage = null; // {key, params, kind} shown on the login form
let currentPage = null;

// -- language, site, user ---------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = session.lang() === 'zh' ? 'zh-CN' : 'en';
  translateTree(document, t);
  // <template> contents are not in the document: translate them too, for new rows.
  document.querySelectorAll('template').forEach((tpl) => translateTree(tpl.content, t));
  const other = session.lang() === 'zh' ? 'en' : 'zh';
  setText(el.langToggle, other === 'en' ? 'EN' : '中文');
  el.langToggle.lang = other === 'en' ? 'en' : 'zh-CN';
  el.langToggle.title = t('lang.switch');
  el.langToggle.setAttribute('aria-label', t('lang.switch'));
  el.langToggle.dataset.lang = session.lang();
  el.suggestions.replaceChildren(...t('dispatch.suggestions').map((v) => h('option', { value: v })));
  renderSite();
  renderUser();
  renderLoginMessage();
  renderBoardWords();
  renderNav();
  session.emit('language');
}

async function loadSite() {
  try {
    state.site = await api('api/site', { anonymous: true });
  } catch (_) {
    state.site = null;
  }
  if (state.site) setZone(state.site.timezone);
  renderSite();
  tick();
  renderBoardWords();
  session.emit('timezone');
}

function renderSite() {
  const s = state.site;
  const name = s ? (session.lang() === 'zh' ? s.name_zh : s.name_en) || s.name_zh || s.name_en : '';
  setText(byTestId('site-name'), name);
  setText(byTestId('login-site'), name ? `${name} · ${t('app.title')}` : t('app.title'));
  setText(byTestId('login-hotline'), s && s.hotline ? t('login.hotline', { n: s.hotline }) : '');
  renderTitle();
}

function renderUser() {
  const who = byTestId('current-user');
  const s = session.session();
  who.hidden = !s;
  el.signOut.hidden = !s;
  if (!s) return;
  setText(who.querySelector('.who-name'), t('auth.signedInAs', { name: s.name || s.username }));
  const role = who.querySelector('.who-role');
  setText(role, roleLabel(s.role));
  role.dataset.role = s.role;
  who.dataset.username = s.username;
  who.dataset.role = s.role;
  who.title = `${s.username} · ${s.role}`;
}

function tick() {
  setText(el.clock, fmtTime(Date.now(), 'time'));
  // The zone the console's times are in (the site's): its offset, its name on hover.
  setText(el.clockZone, offset());
  el.clockZone.title = zone();
  tickBoard();
}

// -- sign in and out ----------------------------------------------------------------------

function showLogin() {
  el.loginView.hidden = false;
  el.consoleView.hidden = true;
  byTestId('summary').hidden = true;
  renderUser();
  renderConn();
  renderSound();
  renderLoginMessage();
  setTimeout(() => (el.username.value ? el.password : el.username).focus(), 0);
}

function setLoginMessage(key, params, kind) {
  loginMessage = key ? { key, params, kind: kind || 'error' } : null;
  renderLoginMessage();
}

function renderLoginMessage() {
  const box = byTestId('login-error');
  const m = loginMessage;
  box.hidden = !m;
  if (!m) return;
  box.dataset.kind = m.kind;
  box.classList.toggle('form-info', m.kind === 'info');
  setText(box, t(m.key, m.params));
  box.title = (m.params && m.params.detail) || ''; // the server's own words
}

async function onLoginSubmit(ev) {
  ev.preventDefault();
  primeAudio();
  const username = el.username.value.trim();
  const password = el.password.value;
  if (!username || !password) {
    setLoginMessage('login.missing');
    return;
  }
  setLoginMessage(null);
  el.loginSubmit.disabled = true;
  setText(el.loginSubmit, t('login.busy'));
  try {
    let tok;
    try {
      tok = await api('api/auth/token', { method: 'POST', form: { username, password }, anonymous: true });
    } catch (err) {
      if (err.status === 401) setLoginMessage('login.wrong');
      else if (err.status === 429) {
        const secs = Number((err.body || {}).retry_after_s) || 60;
        setLoginMessage('login.locked', { n: Math.ceil(secs / 60) });
      }
      else setLoginMessage('board.error', { detail: err.detail });
      el.password.select();
      return;
    }
    const s = { token: tok.access_token, username, name: tok.name, role: tok.role,
      butler_for: tok.butler_for || [] };
    // Can this account read alerts? Ask the server rather than guess from the role.
    session.setSession(s, false);
    let first;
    try {
      first = await api('api/alerts?state=open');
    } catch (err) {
      if (err.status === 403 && otherPages().length) {
        // No alarm board for this role, but pages of its own (desk.js, requests.js).
        session.setSession(s, true);
        el.password.value = '';
        enterPages();
        return;
      }
      session.setSession(null, false);
      if (err.status === 403) {
        setLoginMessage('login.forbidden', { role: roleLabel(tok.role), detail: err.detail });
      } else {
        setLoginMessage('board.error', { detail: err.detail });
      }
      return;
    }
    session.setSession(s, true);
    el.password.value = '';
    setLoginMessage(null);
    enterConsole(first);
  } finally {
    el.loginSubmit.disabled = false;
    setText(el.loginSubmit, t('login.submit'));
  }
}

function signOut(messageKey) {
  const wasIn = !!session.session();
  session.forget();
  leaveBoard();
  if (messageKey) setLoginMessage(messageKey, null, messageKey === 'login.signedOut' ? 'info' : 'error');
  if (wasIn || messageKey) showLogin();
  for (const page of PAGES) page.hide();
  renderNav();
  session.emit('session', null);
  session.emit('signout');
}

// -- the console's pages: the board is the shell's own; the others come from pages/ ----------

const otherPages = () => PAGES.filter((p) => !!session.session() && p.roles.includes(session.role()));

const BOARD_PAGE = {
  id: 'board',
  label: () => t('nav.board'),
  show: () => {
    el.consoleView.hidden = false;
    byTestId('summary').hidden = false;
  },
  hide: () => {
    el.consoleView.hidden = true;
    byTestId('summary').hidden = true;
  },
};

function allowedPages() {
  return [...(readsBoard() ? [BOARD_PAGE] : []), ...otherPages()];
}

function renderNav() {
  const nav = byTestId('view-nav');
  const pages = session.session() ? allowedPages() : [];
  nav.replaceChildren(...pages.map((p) => h('button', {
    type: 'button', class: 'nav-tab', testid: p.testid || `nav-${p.id}`, 'data-page': p.id, text: p.label(),
    'aria-current': p.id === currentPage ? 'page' : 'false', onclick: () => showPage(p.id),
  })));
  nav.hidden = pages.length < 2; // one page only: nothing to switch between
}

function showPage(id) {
  const pages = allowedPages();
  const page = pages.find((p) => p.id === id) || pages[0];
  if (!page) return;
  currentPage = page.id;
  session.savePage(page.id);
  for (const p of [BOARD_PAGE, ...PAGES]) if (p !== page) p.hide();
  page.show();
  renderNav();
}

function enterPages() {
  el.loginView.hidden = true;
  BOARD_PAGE.hide();
  setLoginMessage(null);
  renderUser();
  session.emit('session', session.session());
  showPage(session.savedPage() || homePage());
}

/** Where a role without the board lands: a butler (a building's requests are theirs) on
 * the request queue, the rest of the front desk on its first page (the parcel desk). */
function homePage() {
  const s = session.session();
  return s && (s.butler_for || []).length ? 'requests' : '';
}

function enterConsole(firstSnapshot) {
  el.loginView.hidden = true;
  el.consoleView.hidden = false;
  byTestId('summary').hidden = false;
  renderUser();
  session.emit('session', session.session());
  showPage(session.savedPage() || 'board');
  enterBoard(firstSnapshot);
  session.emit('console');
}

// -- start ------------------------------------------------------------------------------------

function init() {
  el.loginView = byTestId('login-view');
  el.consoleView = byTestId('console-view');
  el.username = byTestId('login-username');
  el.password = byTestId('login-password');
  el.loginSubmit = byTestId('login-submit');
  el.signOut = byTestId('sign-out');
  el.langToggle = byTestId('lang-toggle');
  el.clock = byTestId('clock');
  el.clockZone = byTestId('clock-zone');
  el.suggestions = document.getElementById('dispatch-suggestions');
  initBoard();

  byTestId('login-form').addEventListener('submit', onLoginSubmit);
  el.signOut.addEventListener('click', () => signOut('login.signedOut'));
  el.langToggle.addEventListener('click', () => {
    session.setLang(session.lang() === 'zh' ? 'en' : 'zh');
    applyLanguage();
  });
  document.addEventListener('pointerdown', primeAudio, { passive: true });
  document.addEventListener('keydown', primeAudio);
  session.on('unauthorized', () => signOut('login.expired'));
  session.on('show-page', (id) => showPage(id));

  applyLanguage();
  loadSite();
  tick();
  setInterval(tick, 500);

  const saved = session.savedSession();
  if (saved) {
    session.setSession(saved, false);
    if (!readsBoard() && otherPages().length) enterPages();
    else enterConsole(null);
  } else {
    showLogin();
  }
}

init();
