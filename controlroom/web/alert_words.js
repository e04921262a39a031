/* Estate Butler console: an alert's detail and history in the operator's words (issue 19,
 * item 10).
 *
 * The gateway and the control room write an alert's `detail` as protocol fields
 * (`device_ts` in milliseconds, `valve: closed_confirmed`, ...) and its history notes in
 * fixed English sentences (controlroom/alerts.py, casework.py, test_mode.py,
 * gateway/valves.py). This file names each known field and translates each known sentence;
 * anything it does not know is shown as it came, never dropped. Loaded before app.js:
 * window.EstateButlerAlertWords.
 */
(function () {
  'use strict';

  const WORDS = {
    zh: {
      'f.device_ts': '设备时钟', 'f.observed_at': '网关收到', 'f.panel_ts': '报警主机时钟',
      'f.valve': '燃气阀', 'f.valve_error': '阀门报告', 'f.event': '设备事件', 'f.seq': '消息序号',
      'f.boot': '启动次数', 'f.code': '故障代码', 'f.pct': '电量', 'f.zone': '防区',
      'f.qualifier': '事件限定码', 'f.group': '分区', 'f.account': '主机账号',
      'f.flapping': '频繁跳变', 'f.flapped_alerts': '已合并的警报', 'f.units': '涉及房号',
      'f.alerts': '关联警报', 'f.reason': '原因', 'yes': '是', 'f.from_test_alert': '由测试警报转来',
      'valve.closed_confirmed': '已自动关闭（设备已确认）', 'valve.failed': '未能关闭',
      'valve.no_confirmation': '未收到关闭确认，请到现场检查',
      'reason.riser': '疑似立管泄漏：需决定是否疏散',
      'n.valveClosed': '燃气阀已自动关闭（设备已确认）',
      'n.valveFailed': '燃气阀未能关闭：{e}',
      'n.valveSilent': '燃气阀未回复关闭确认：请到现场检查',
      'n.step': '完成第 {n} 步：{text}',
      'n.escalated': '第 {n} 级升级：报警后 {s} 秒仍未确认',
      'n.flapping': '{m} 分钟内跳变 {n} 次：保持打开，之后的跳变只计次数',
      'n.linked': '{unit} 燃气报警（警报 #{id}）',
      'n.incident': '疑似立管泄漏：需决定是否疏散 — 燃气报警房号：{units}',
      'n.to': '派往：{to}', 'n.cause': '原因：{cause}', 'n.assigned': '指派给 {who}',
      'n.testEnded': '测试时段结束',
      'n.testEndedHanded': '测试时段结束；仍在报警：已转为真实警报 #{id}',
      'n.handedOver': '测试时段 {w} 结束时仍在报警（测试警报 #{a}）',
      'n.stillActive': '仍在报警',
      'n.restoredAfter': '处理完毕后设备已恢复正常',
    },
    en: {
      'f.device_ts': 'Device clock', 'f.observed_at': 'Received by gateway',
      'f.panel_ts': 'Panel clock', 'f.valve': 'Gas valve', 'f.valve_error': 'Valve reported',
      'f.event': 'Device event', 'f.seq': 'Message no.', 'f.boot': 'Boot count',
      'f.code': 'Fault code', 'f.pct': 'Battery', 'f.zone': 'Zone', 'f.qualifier': 'Qualifier',
      'f.group': 'Partition', 'f.account': 'Panel account', 'f.flapping': 'Flapping',
      'f.flapped_alerts': 'Alerts folded in', 'f.units': 'Flats', 'f.alerts': 'Linked alerts',
      'f.reason': 'Reason', 'yes': 'Yes', 'f.from_test_alert': 'Raised from test alert',
      'valve.closed_confirmed': 'Closed automatically (confirmed by the device)',
      'valve.failed': 'Did NOT close', 'valve.no_confirmation': 'No confirmation: check on site',
      'reason.riser': 'Possible riser leak: evacuation decision',
      'n.valveClosed': 'Gas valve closed automatically (confirmed by the device)',
      'n.valveFailed': 'Gas valve did NOT close: {e}',
      'n.valveSilent': 'Gas valve sent no confirmation: check on site',
      'n.step': 'Step {n} done: {text}',
      'n.escalated': 'Escalation level {n}: not acknowledged {s} s after it was raised',
      'n.flapping': 'Toggled {n} times within {m} min: kept open, further toggles only count',
      'n.linked': 'Gas alarm in {unit} (alert #{id})',
      'n.incident': 'Possible riser leak: evacuation decision — gas alarms in {units}',
      'n.to': 'Sent: {to}', 'n.cause': 'Cause: {cause}', 'n.assigned': 'Assigned to {who}',
      'n.testEnded': 'Test window ended',
      'n.testEndedHanded': 'Test window ended; still active: raised as real alert #{id}',
      'n.handedOver': 'Still active when test window {w} ended (test alert #{a})',
      'n.stillActive': 'Condition still active',
      'n.restoredAfter': 'Restored after it was resolved',
    },
  };

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

  function say(lang, key, params) {
    let s = (WORDS[lang] || WORDS.zh)[key];
    if (s === undefined) s = WORDS.zh[key];
    return s.replace(/\{(\w+)\}/g, (m, k) => (params && params[k] !== undefined ? String(params[k]) : m));
  }

  /**
   * A history note in `ctx.lang`. ctx: {lang, causeLabel(c), plan: {steps: [{n, zh, en}]}|null}.
   */
  function note(h, ctx) {
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
  function details(detail, ctx) {
    const lang = ctx.lang;
    const out = [];
    const time = (v) => ctx.fmtTime(v, 'full');
    const ids = (v) => (Array.isArray(v) ? v.map((x) => `#${x}`).join(', ') : String(v));
    const shown = {
      device_ts: (v) => time(Number(v)),
      panel_ts: time,
      valve: (v) => ((WORDS[lang] || WORDS.zh)[`valve.${v}`] !== undefined ? say(lang, `valve.${v}`) : String(v)),
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
      const label = (WORDS[lang] || WORDS.zh)[`f.${k}`] !== undefined ? say(lang, `f.${k}`) : k;
      const value = shown[k] ? shown[k](v) : (typeof v === 'object' ? JSON.stringify(v) : String(v));
      if (value !== '') out.push([label, value, k]);
    }
    return out;
  }

  window.EstateButlerAlertWords = { note, details, say };
})();
