/* Estate Butler console: commands to the selected alert's device (issue 17) — reopen the gas
 * valve after a resolved gas alarm (asked to confirm first), silence, self-test, reboot, each
 * offered to the roles that may send it (controlroom/alarms/command_rules.py) — and the
 * device's recent commands with their answers: confirmed, refused, or "no answer" after the
 * timeout. Every command is audited and, for the valve, written in the alert's history. */
import { api } from '../lib/api.js';
import { byTestId, h } from '../lib/dom.js';
import { format as fmtTime } from '../lib/format.js';
import { session } from '../lib/session.js';
import { t } from './board_state.js';

const ROLES = {
  valve_open: ['operator', 'supervisor', 'admin'],
  silence: ['operator', 'supervisor', 'admin'],
  self_test: ['maintenance', 'supervisor', 'admin'],
  reboot: ['maintenance', 'supervisor', 'admin'],
};
const POLL_MS = 1500;
let shownFor = null; // the device whose commands are listed
let commands = [];
let confirming = false;
let pollTimer = null;
let error = '';

function section() {
  let s = byTestId('commands-section');
  if (!s) {
    s = h('section', { class: 'commands-section', testid: 'commands-section', hidden: true });
    const plan = byTestId('plan-section');
    plan.parentNode.insertBefore(s, plan.nextSibling);
  }
  return s;
}

function offered(a) {
  const role = session() ? session().role : null;
  const out = [];
  const isDetector = a.device && a.device.startsWith('gas-');
  if (a.kind === 'gas_alarm' && a.state === 'resolved' && !a.test && isDetector) out.push('valve_open');
  for (const cmd of ['silence', 'self_test', 'reboot']) out.push(cmd);
  return out.filter((c) => ROLES[c].includes(role));
}

async function load(device) {
  try {
    const r = await api(`api/devices/${encodeURIComponent(device)}/commands`);
    if (shownFor !== device) return;
    commands = r.data;
  } catch (_) {
    commands = [];
  }
  draw();
  clearTimeout(pollTimer);
  if (commands.some((c) => c.state === 'requested' || c.state === 'sent')) {
    pollTimer = setTimeout(() => load(device), POLL_MS);
  }
}

async function send(device, cmd, confirm, button) {
  button.disabled = true;
  error = '';
  try {
    await api(`api/devices/${encodeURIComponent(device)}/commands`, { method: 'POST', json: { cmd, confirm } });
  } catch (err) {
    error = err.detail || err.message;
  }
  confirming = false;
  await load(device);
}

let current = null;
function draw() {
  const a = current;
  const s = section();
  if (!a || !a.device || a.device.startsWith('panel-')) {
    s.hidden = true;
    return;
  }
  const cmds = offered(a);
  s.hidden = false;
  const buttons = cmds.map((cmd) => {
    const b = h('button', { type: 'button', class: `btn btn-small${cmd === 'valve_open' ? ' btn-warn' : ''}`, testid: `cmd-${cmd}`, text: t(`cmd.${cmd}`) });
    b.addEventListener('click', () => {
      if (cmd === 'valve_open') {
        confirming = true;
        draw();
      } else {
        send(a.device, cmd, false, b);
      }
    });
    return b;
  });
  const confirmBox = confirming ? h('div', { class: 'cmd-confirm', testid: 'cmd-confirm', role: 'alertdialog' },
    h('p', { text: t('cmd.confirmValve', { device: a.device }) }),
    (() => {
      const yes = h('button', { type: 'button', class: 'btn btn-small btn-warn', testid: 'cmd-confirm-yes', text: t('cmd.confirmYes') });
      yes.addEventListener('click', () => send(a.device, 'valve_open', true, yes));
      return yes;
    })(),
    (() => {
      const no = h('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'cmd-confirm-no', text: t('common.cancel') });
      no.addEventListener('click', () => { confirming = false; draw(); });
      return no;
    })()) : null;
  const rows = commands.slice(0, 8).map((c) => h('li', { testid: 'cmd-item', 'data-cmd': c.cmd, 'data-state': c.state, 'data-id': c.id },
    h('time', { class: 'mono', datetime: c.requested_at, text: fmtTime(c.requested_at, 'full') }),
    h('span', { class: 'cmd-name', text: t(`cmd.${c.cmd}`) }),
    h('span', { class: 'cmd-who', text: c.requested_by }),
    h('span', { class: `cmd-state cmd-${c.state}`, testid: 'cmd-state', text: t(`cmd.state.${c.state}`) + (c.error ? ` (${c.error})` : '') })));
  s.replaceChildren(...[
    h('h3', { text: t('cmd.heading', { device: a.device }) }),
    buttons.length ? h('div', { class: 'cmd-buttons' }, buttons) : h('p', { class: 'history-muted', text: t('cmd.noneForRole') }),
    confirmBox,
    error ? h('p', { class: 'history-error', testid: 'cmd-error', text: error }) : null,
    rows.length ? h('ul', { class: 'cmd-list', testid: 'cmd-list' }, rows) : null,
  ].filter(Boolean));
}

/** Called by the details pane on every render of the selected alert. */
export function renderCommands(a) {
  current = a;
  const device = a && a.device && !a.device.startsWith('panel-') ? a.device : null;
  if (device !== shownFor) {
    shownFor = device;
    commands = [];
    confirming = false;
    error = '';
    clearTimeout(pollTimer);
    if (device) load(device);
  }
  draw();
}
