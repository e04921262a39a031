/* Estate Butler console: a short two-tone beep, repeated while a critical alarm waits for
 * acknowledgement, and the button that silences it. */
import { setText } from '../lib/dom.js';
import { session } from '../lib/session.js';
import { el, isAlarming, readsBoard, state, t } from './board_state.js';

const BEEP_EVERY_MS = 4000;

export function primeAudio() {
  // Browsers allow audio only after a user gesture: make and resume the context then.
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!state.audio) state.audio = new Ctx();
    if (state.audio.state === 'suspended') state.audio.resume().catch(() => {});
  } catch (_) {
    state.audio = null;
  }
}

function sounding() {
  if (!session()) return false;
  for (const a of state.alerts.values()) {
    if (isAlarming(a) && !state.silenced.has(a.id)) return true;
  }
  return false;
}

export function beepSoon() {
  state.lastBeep = 0;
  maybeBeep();
}

export function maybeBeep() {
  if (!sounding()) return;
  const now = Date.now();
  if (now - state.lastBeep < BEEP_EVERY_MS) return;
  state.lastBeep = now;
  beep();
}

function beep() {
  try {
    const ctx = state.audio;
    if (!ctx || ctx.state !== 'running') return;
    const t0 = ctx.currentTime;
    [[988, 0], [740, 0.18], [988, 0.36]].forEach(([freq, at]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0 + at);
      gain.gain.exponentialRampToValueAtTime(0.12, t0 + at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + at);
      osc.stop(t0 + at + 0.17);
    });
  } catch (_) { /* audio blocked or unavailable: the flashing row still shows it */ }
}

export function renderSound() {
  const b = el.muteToggle;
  const alarming = [...state.alerts.values()].filter(isAlarming);
  b.hidden = !readsBoard();
  const on = sounding();
  b.disabled = !on;
  b.setAttribute('aria-pressed', !on && alarming.length > 0 ? 'true' : 'false');
  b.classList.toggle('is-sounding', on);
  setText(b, !on && alarming.length > 0 ? t('sound.silenced') : t('sound.silence'));
  b.title = t('sound.title');
}

export function silence() {
  for (const a of state.alerts.values()) if (isAlarming(a)) state.silenced.add(a.id);
  renderSound();
}

