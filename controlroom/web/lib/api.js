/* Estate Butler console: the one fetch.
 *
 * api(path, opts) sends the session's token (unless opts.anonymous), a JSON body (opts.json)
 * or a form (opts.form) or a FormData upload (opts.multipart), and answers the parsed JSON; opts.raw answers the Response itself
 * (a download). A refusal throws ApiError {status, detail, body}: detail is the server's
 * `detail` in words, body the whole answer (field errors for lib/fielderrors.js, problem
 * codes). A 401 on a signed-in call emits 'unauthorized': the shell signs out.
 *
 * VOCABULARY holds the request vocabulary as a words table (`{'state.x': [zh, en],
 * 'type.x': [zh, en]}`): fetched once after sign-in from GET /api/requests/vocabulary (the
 * control room's one copy, controlroom/services/requests/wording.py); 'vocabulary' is emitted
 * when it has arrived, and it is emptied on sign-out.
 */
import { translator } from './i18n.js';
import { emit, on, session } from './session.js';

const t = translator({ 'err.network': ['无法连接控制室服务器', 'Cannot reach the control-room server'] });

export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.body = body || {};
  }
}

function errorDetail(res, data) {
  if (data && typeof data.detail === 'string') return data.detail;
  if (data && Array.isArray(data.detail)) return data.detail.map((e) => e.msg || JSON.stringify(e)).join('; ');
  return `${res.status} ${res.statusText}`;
}

export async function api(path, opts) {
  const o = opts || {};
  const headers = { Accept: 'application/json' };
  let body;
  if (o.form) {
    body = new URLSearchParams(o.form);
  } else if (o.multipart) {
    body = o.multipart; // a FormData (a file upload): the browser sets the Content-Type
  } else if (o.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(o.json);
  }
  const s = session();
  if (s && !o.anonymous) headers.Authorization = `Bearer ${s.token}`;
  let res;
  try {
    res = await fetch(path, { method: o.method || 'GET', headers, body, cache: 'no-store' });
  } catch (_) {
    throw new ApiError(0, t('err.network'));
  }
  if (o.raw && res.ok) return res;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (_) {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401 && s && !o.anonymous) emit('unauthorized');
    throw new ApiError(res.status, errorDetail(res, data), data);
  }
  return data;
}

export const VOCABULARY = {};

async function loadVocabulary(s) {
  Object.keys(VOCABULARY).forEach((k) => delete VOCABULARY[k]);
  if (!s) return;
  let data;
  try {
    data = await api('api/requests/vocabulary');
  } catch (_) {
    return; // a role that reads no requests, or the server away: states show as their codes
  }
  if (session() !== s) return;
  for (const [group, prefix] of [['states', 'state'], ['types', 'type']]) {
    for (const [code, label] of Object.entries(data[group] || {})) {
      VOCABULARY[`${prefix}.${code}`] = [label.zh, label.en];
    }
  }
  emit('vocabulary');
}

on('session', loadVocabulary);
