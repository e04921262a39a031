/* Estate Butler console: who is signed in, the language, and the app's events.
 *
 * One place for the state every page reads. The shell (app.js) changes it; pages listen with
 * on(name, fn) rather than watching the DOM. Events: 'session' (the session or null),
 * 'signout', 'language', 'timezone' (the site's zone arrived), 'console' (the board opened),
 * 'alert' (an alert from the stream), 'unauthorized' (the API answered 401: the token ran out).
 */

const SESSION_KEY = 'estate-butler.controlroom.session';
const PAGE_KEY = 'estate-butler.controlroom.page';
const LANG_KEY = 'estate-butler.controlroom.lang';

const bus = new EventTarget();
let current = null; // {token, username, name, role, butler_for}
let language = readLang();

function readLang() {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch (_) {
    return 'zh';
  }
}

/** Call fn(detail) whenever the app emits `name`. */
export function on(name, fn) {
  bus.addEventListener(name, (ev) => fn(ev.detail));
}

export function emit(name, detail) {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}

/** The signed-in session, or null. */
export const session = () => current;
export const role = () => (current ? current.role : '');

/** Hold `s` for this tab (kept in sessionStorage when `remember`). */
export function setSession(s, remember) {
  current = s;
  if (!remember || !s) return;
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  } catch (_) { /* private mode: the session lasts as long as the page */ }
}

/** Forget the session, here and in this tab's storage. */
export function forget() {
  current = null;
  try {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(PAGE_KEY);
  } catch (_) { /* ignore */ }
}

/** The session this tab signed in before a reload, if any. */
export function savedSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return s && s.token ? s : null;
  } catch (_) {
    return null;
  }
}

export function savedPage() {
  try {
    return sessionStorage.getItem(PAGE_KEY) || '';
  } catch (_) {
    return '';
  }
}

export function savePage(id) {
  try {
    sessionStorage.setItem(PAGE_KEY, id);
  } catch (_) { /* private mode */ }
}

/** 'zh' or 'en'. */
export const lang = () => language;

export function setLang(l) {
  language = l === 'en' ? 'en' : 'zh';
  try {
    localStorage.setItem(LANG_KEY, language);
  } catch (_) { /* ignore */ }
}
