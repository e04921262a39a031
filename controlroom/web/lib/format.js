/* Estate Butler console: the one way times are written (issue 19, item 9).
 *
 * Every time the console draws is the SITE's wall-clock time (the site file's `timezone`,
 * from GET /api/site), whatever zone the browser is in, in one format:
 * `YYYY-MM-DD HH:mm:ss` (or `YYYY-MM-DD HH:mm` where minutes suffice, `HH:mm:ss` for
 * today's times on the board and the clock). Until the site's zone is known the browser's
 * own is used, and zone() says which: a label never names a zone the times are not in.
 */

let siteZone; // undefined: the browser's zone, until setZone()
let parts = null;

function makeFormatter() {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: siteZone, hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** {y, mo, d, h, mi, s} strings of the instant `ms` in the site's zone. */
function fields(ms) {
  if (!parts) parts = makeFormatter();
  const out = {};
  for (const p of parts.formatToParts(new Date(ms))) out[p.type] = p.value;
  return { y: out.year, mo: out.month, d: out.day, h: out.hour === '24' ? '00' : out.hour, mi: out.minute, s: out.second };
}

/** Milliseconds since the epoch from an API time (ISO 8601; a zoneless time is UTC), a
 * Date or a number. */
export function toMs(v) {
  if (v === null || v === undefined || v === '') return NaN;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  let s = String(v).replace(/(\.\d{3})\d+/, '$1');
  if (/^\d{4}-\d\d-\d\dT/.test(s) && !/(Z|[+-]\d\d:?\d\d)$/i.test(s)) s += 'Z';
  return Date.parse(s);
}

/**
 * The one format. mode: 'full' `YYYY-MM-DD HH:mm:ss`; 'minute' `YYYY-MM-DD HH:mm`;
 * 'time' `HH:mm:ss`; 'date' `YYYY-MM-DD`; default: `HH:mm:ss` when it is today at the
 * site, else 'full'. '—' for no time.
 */
export function format(value, mode) {
  const v = toMs(value);
  if (Number.isNaN(v)) return '—';
  const f = fields(v);
  const date = `${f.y}-${f.mo}-${f.d}`;
  const hms = `${f.h}:${f.mi}:${f.s}`;
  if (mode === 'full') return `${date} ${hms}`;
  if (mode === 'minute') return `${date} ${f.h}:${f.mi}`;
  if (mode === 'time') return hms;
  if (mode === 'date') return date;
  const today = fields(Date.now());
  return date === `${today.y}-${today.mo}-${today.d}` ? hms : `${date} ${hms}`;
}

/** A `YYYY-MM-DDTHH:mm` typed in a datetime-local input, read as site time: ISO UTC. */
export function fromLocalInput(text) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?$/.exec(String(text || ''));
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  // The zone's offset at that moment, found by formatting; twice for a DST edge.
  let guess = wall;
  for (let i = 0; i < 2; i += 1) {
    const f = fields(guess);
    const shown = Date.UTC(+f.y, +f.mo - 1, +f.d, +f.h, +f.mi, +f.s);
    guess = wall - (shown - guess);
  }
  return new Date(guess).toISOString();
}

export function setZone(zone) {
  if (!zone) return;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone }); // throws on an unknown zone
  } catch (_) {
    return;
  }
  siteZone = zone;
  parts = null;
}

/** The zone the times are drawn in (an IANA name). */
export function zone() {
  if (!parts) parts = makeFormatter();
  return parts.resolvedOptions().timeZone;
}

/** The zone's offset now, short (`GMT+8`), for a label where the name does not fit. */
export function offset() {
  try {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone(), timeZoneName: 'shortOffset' });
    const p = f.formatToParts(new Date()).find((x) => x.type === 'timeZoneName');
    return p ? p.value : zone();
  } catch (_) {
    return zone();
  }
}

const pad = (n) => String(n).padStart(2, '0');

/** How long ago `value` was: `mm:ss`, `h:mm:ss`, or `Nd hh:mm`. */
export function elapsed(value) {
  const v = toMs(value);
  if (Number.isNaN(v)) return '';
  let s = Math.max(0, Math.floor((Date.now() - v) / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${pad(h)}:${pad(m)}`;
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`;
}
