/* Estate Butler console: an alert's detail and history in the operator's words (issue 19,
 * item 10).
 *
 * The gateway and the control room write an alert's `detail` as protocol fields
 * (`device_ts` in milliseconds, `valve: closed_confirmed`, ...) and its history notes in
 * fixed English sentences (controlroom/alerts.py, casework.py, test_mode.py,
 * gateway/valves.py). This file names each known field and translates each known sentence;
 * anything it does not know is shown as it came, never dropped. The words are in
 * i18n/alert_words.json.
 */
import ALERT_WORDS from '../i18n/alert_words.json' with { type: 'json' };
import { fill } from '../lib/i18n.js';

// The server's fixed sentences (the files named above), exactly.
const RISER = 'possible riser leak: evacuation decision';
const NOTES = [
  [/^gas valve closed automatically \(confirmed\)$/, () => ['n.valveClosed', {}]],
  [/^gas valve did NOT close: (.*)$/s, (m) => ['n.valveFailed', { e: m[1] }]],
  [/^gas valve sent no confirmation: check on site$/, () => ['n.valveSilent', {}]],
  [/^level (\d+): not acknowledged (\d+) s after it was raised$/, (m) => ['n.escalated', { n: m[1], s: m[2] }]],
  [/^toggled (\d+) times within (\d+) min: kept open, further toggles only count$/, (m) => ['n.flapping', { n: m[1], m: m[2] }]],
  [/^gas alarm in (.+) \(alert (\d+)\)$/, (m) => ['n.linked', { unit: m[1], id: m[2] }]],
  [new RegExp(`^${RISER} — gas alarms in (.+)$`), (m) => ['n.incident', { units: m[1] }]],
  [/^test window ended$/, () => ['n.testEnded', {}]],
  [/^still active when test window (\d+) ended \(test alert (\d+)\)$/, (m) => ['n.handedOver', { w: m[1], a: m[2] }]],
  [/^restored after it was resolved$/, () => ['n.restoredAfter', {}]],
];
const CAUSES = ['real', 'false_alarm', 'test', 'device_fault', 'other'];

/** The words for `key` in `lang` (this module is told the language: it is also used alone). */
export function say(lang, key, params) {
  const entry = ALERT_WORDS[key];
  return fill(entry[lang === 'en' ? 1 : 0] ?? entry[0], params);
}

const known = (key) => ALERT_WORDS[key] !== undefined;

/**
 * A history note in `ctx.lang`. ctx: {lang, causeLabel(c), plan: {steps: [{n, zh, en}]}|null}.
 */
export function note(h, ctx) {
  const text = h.note || '';
  if (!text) return '';
  const lang = ctx.lang;
  if (h.action === 'step_ticked') {
    const m = /^step (\d+) ticked: (.*)$/s.exec(text);
    if (m) {
      const step = ctx.plan && ctx.plan.steps.find((st) => String(st.n) === m[1]);
      return say(lang, 'n.step', { n: m[1], text: step ? (lang === 'zh' ? step.zh : step.en) : m[2] });
    }
  }
  if (h.action === 'assigned') {
    const m = /^to (\S+)$/.exec(text);
    if (m) return say(lang, 'n.assigned', { who: m[1] });
  }
  if (h.action === 'dispatched' || h.action === 'resolved') {
    // "to X — cause Y — the operator's note" (alerts.py act): the fixed parts translated.
    const parts = text.split(' — ');
    const out = [];
    if (h.action === 'dispatched' && parts[0].startsWith('to ')) out.push(say(lang, 'n.to', { to: parts.shift().slice(3) }));
    const c = parts.length && /^cause (\w+)$/.exec(parts[0]);
    if (c && CAUSES.includes(c[1])) {
      parts.shift();
      out.push(say(lang, 'n.cause', { cause: ctx.causeLabel(c[1]) }));
    }
    if (parts.length && parts[0] === 'condition still active') {
      parts.shift();
      out.push(say(lang, 'n.stillActive'));
    }
    if (parts.length === 1 && parts[0] === 'test window ended') return [...out, say(lang, 'n.testEnded')].join(' — ');
    const handed = parts.length === 1 && /^test window ended; still active: raised as real alert (\d+)$/.exec(parts[0]);
    if (handed) return [...out, say(lang, 'n.testEndedHanded', { id: handed[1] })].join(' — ');
    return [...out, ...parts].join(' — ');
  }
  for (const [re, make] of NOTES) {
    const m = re.exec(text);
    if (m) {
      const [key, params] = make(m);
      return say(lang, key, params);
    }
  }
  return text;
}

/**
 * The alert's `detail` as [label, value] pairs in `ctx.lang` (lel, observed_at and
 * assigned_to are shown elsewhere). ctx: {lang, fmtTime(value, mode)}.
 */
export function details(detail, ctx) {
  const lang = ctx.lang;
  const out = [];
  const time = (v) => ctx.fmtTime(v, 'full');
  const ids = (v) => (Array.isArray(v) ? v.map((x) => `#${x}`).join(', ') : String(v));
  const shown = {
    device_ts: (v) => time(Number(v)),
    panel_ts: time,
    valve: (v) => (known(`valve.${v}`) ? say(lang, `valve.${v}`) : String(v)),
    pct: (v) => `${v}%`,
    flapping: (v) => (v ? say(lang, 'yes') : ''),
    flapped_alerts: ids,
    alerts: ids,
    from_test_alert: (v) => `#${v}`,
    units: (v) => (Array.isArray(v) ? v.join(', ') : String(v)),
    reason: (v) => (v === RISER ? say(lang, 'reason.riser') : String(v)),
  };
  for (const [k, v] of Object.entries(detail || {})) {
    if (['lel', 'observed_at', 'assigned_to'].includes(k) || v === null || v === undefined) continue;
    const label = known(`f.${k}`) ? say(lang, `f.${k}`) : k;
    const value = shown[k] ? shown[k](v) : (typeof v === 'object' ? JSON.stringify(v) : String(v));
    if (value !== '') out.push([label, value, k]);
  }
  return out;
}
