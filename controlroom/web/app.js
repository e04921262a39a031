/* Estate Butler control-room console (ARCHITECTURE §6–§7).
 *
 * Plain browser JavaScript, no build step. The board is loaded with GET /api/alerts and
 * kept live with the /api/alerts/stream Server-Sent Events; every `alert` event carries
 * the whole alert, so the board simply upserts by id and drops resolved alerts.
 *
 * Test hooks: data-testid on every element a test needs; rows carry data-alert-id,
 * data-kind, data-priority, data-state and data-condition.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------
  // Words, in Chinese (default) and English
  // ---------------------------------------------------------------------------------------

  const I18N = {
    zh: {
      'app.title': '控制室',
      'nav.board': '警报',
      'doc.title': '控制室',
      'login.heading': '值班员登录',
      'login.username': '用户名',
      'login.password': '密码',
      'login.submit': '登录',
      'login.busy': '正在登录…',
      'login.hotline': '服务热线 {n}',
      'login.missing': '请输入用户名和密码。',
      'login.wrong': '用户名或密码错误，请重试。',
      'login.locked': '密码错误次数过多：此账号在这台电脑上暂停登录，请 {n} 分钟后再试，或联系管理员。',
      'login.expired': '登录已过期，请重新登录。',
      'login.forbidden': '此账号（{role}）无权使用控制室。',
      'login.signedOut': '已退出登录。',
      'auth.signOut': '退出登录',
      'auth.signedInAs': '当前值班：{name}',
      'role.operator': '值班员', 'role.supervisor': '主管', 'role.frontdesk': '前台',
      'role.maintenance': '维修', 'role.admin': '管理员', 'role.gateway': '网关',
      'role.kiosk': '大堂终端',
      'conn.connecting': '连接中…', 'conn.live': '实时', 'conn.reconnecting': '重新连接中…',
      'conn.offline': '未连接',
      'lang.switch': '切换到英文 (English)',
      'sound.silence': '消音', 'sound.silenced': '已消音', 'sound.title': '停止当前危急警报的提示音；新的危急警报会再次响铃',
      'summary.p1': '危急', 'summary.p2': '紧急', 'summary.p3': '关注', 'summary.p4': '维护',
      'summary.unack': '未确认',
      'board.heading': '实时警报',
      'board.loading': '正在加载…',
      'board.count': '未处理 {n} 条 · 同步于 {t}',
      'board.error': '无法加载警报：{detail}',
      'board.empty': '当前没有未处理的警报',
      'board.testHeading': '测试事件（设备测试中，不派单、不升级）',
      'col.priority': '级别', 'col.kind': '类型', 'col.unit': '房号', 'col.building': '楼栋',
      'col.device': '设备', 'col.lel': 'LEL %', 'col.state': '状态', 'col.condition': '现场',
      'col.occurrences': '次数', 'col.raised': '报警时间', 'col.elapsed': '已过',
      'col.actions': '操作',
      'priority.1': '危急', 'priority.2': '紧急', 'priority.3': '关注', 'priority.4': '维护',
      'state.open': '待确认', 'state.acknowledged': '已确认', 'state.dispatched': '已派单',
      'state.resolved': '已处理',
      'condition.active': '报警中', 'condition.restored': '已恢复',
      'kind.gas_alarm': '燃气报警', 'kind.gas_prealarm': '燃气预警', 'kind.panic': '紧急按钮',
      'kind.medical': '医疗求助', 'kind.fire': '火警', 'kind.incident': '楼栋事件（疑似立管泄漏）',
      'kind.device_offline': '设备离线', 'kind.panel_offline': '报警主机离线',
      'kind.fault': '设备故障', 'kind.tamper': '防拆报警', 'kind.power_loss': '断电',
      'kind.battery_low': '电池电量低',
      'tag.test': '测试', 'tag.escalated': '已升级 ×{n}',
      'building': '{b}号楼',
      'action.ack': '确认', 'action.dispatch': '派单', 'action.resolve': '处理完毕',
      'action.noRight': '当前角色无权处理警报',
      'dispatch.title': '派单', 'dispatch.to': '派往', 'dispatch.toPlaceholder': '例如：保安巡逻 张师傅',
      'dispatch.submit': '确认派单', 'dispatch.missing': '请填写派往的人员或单位。',
      'resolve.title': '处理完毕', 'resolve.cause': '原因', 'resolve.choose': '— 请选择 —',
      'resolve.note': '处理说明', 'resolve.notePlaceholder': '现场情况与处理结果',
      'resolve.submit': '确认处理完毕', 'resolve.missing': '请选择原因并填写处理说明。',
      'resolve.stillActive': '{kind}仍在报警{lel}，设备尚未恢复。仍要处理完毕吗？处理后该房屋显示“仍在报警”，直到设备恢复。',
      'resolve.confirm': '仍然处理完毕', 'resolve.keep': '暂不处理',
      'still.heading': '仍在报警（已处理，设备尚未恢复）', 'still.badge': '仍在报警',
      'still.resolved': '{who} 已于 {t} 处理（{cause}）',
      'form.note': '备注',
      'cause.real': '真实警情', 'cause.false_alarm': '误报', 'cause.test': '测试',
      'cause.device_fault': '设备故障', 'cause.other': '其他',
      'common.close': '关闭', 'common.cancel': '取消',
      'err.network': '无法连接控制室服务器',
      'err.action': '操作未完成（警报 #{id}）：{detail}',
      'details.empty': '选择一条警报查看详情与处理记录',
      'details.history': '处理记录',
      'details.loading': '正在加载…',
      'details.noHistory': '暂无记录',
      'details.title': '#{id} {kind}',
      'fact.priority': '级别', 'fact.state': '状态', 'fact.condition': '现场', 'fact.unit': '房号',
      'fact.building': '楼栋', 'fact.device': '设备', 'fact.raised': '报警时间',
      'fact.updated': '最后更新', 'fact.acknowledged': '确认', 'fact.dispatched': '派往现场',
      'fact.resolved': '处理完毕', 'fact.cause': '原因', 'fact.occurrences': '次数',
      'fact.escalation': '升级次数', 'fact.test': '测试事件', 'fact.lel': '燃气浓度',
      'fact.observed': '网关收到', 'fact.yes': '是', 'fact.by': '{t}（{who}）', 'fact.sent': '{to}（{t}）',
      'history.raised': '报警产生', 'history.repeated': '重复报警', 'history.reactivated': '再次触发',
      'history.restored': '现场恢复', 'history.restored_and_resolved': '恢复并自动关闭',
      'history.acknowledged': '确认', 'history.dispatched': '派单', 'history.resolved': '处理完毕',
      'history.escalated': '升级', 'history.note': '备注', 'history.flapping': '频繁跳变（保持打开）',
      'history.linked': '关联报警', 'history.assigned': '指派', 'history.step_ticked': '完成步骤',
      'details.plan': '处置流程', 'details.flat': '住户与联系人',
      'plan.progress': '{done}/{total}', 'plan.tick': '完成', 'plan.ticked': '{t} · {who}',
      'plan.none': '此类警报没有处置流程',
      'work.assignMe': '指派给我', 'work.assigned': '控制室负责人：{who}', 'work.unassigned': '控制室尚未指派负责人',
      'note.placeholder': '添加备注（如：住户电话已接通）', 'note.submit': '添加备注',
      'note.missing': '请先填写备注内容。',
      'flat.none': '该户没有登记住户', 'flat.elderly': '独居老人', 'flat.contacts': '紧急联系人',
      'flat.masked': '住户信息已隐去（仅值班员、主管可见）', 'flat.devices': '设备',
      'flat.online': '在线', 'flat.offline': '离线', 'flat.unknown': '未知',
      'flat.battery': '电量 {n}%', 'flat.loading': '正在加载住户信息…',
      'fact.assigned': '控制室负责人',
      'dispatch.suggestions': ['保安巡逻', '工程维修', '燃气公司抢修', '物业管家', '110 报警', '119 消防', '120 急救'],
    },
    en: {
      'app.title': 'Control room',
      'nav.board': 'Alarms',
      'doc.title': 'Control room',
      'login.heading': 'Operator sign-in',
      'login.username': 'Username',
      'login.password': 'Password',
      'login.submit': 'Sign in',
      'login.busy': 'Signing in…',
      'login.hotline': 'Hotline {n}',
      'login.missing': 'Enter your username and password.',
      'login.wrong': 'Wrong username or password. Try again.',
      'login.locked': 'Too many wrong passwords: this account is paused on this computer. Try again in {n} min, or ask an administrator.',
      'login.expired': 'Your session has expired. Sign in again.',
      'login.forbidden': 'This account ({role}) may not use the control room.',
      'login.signedOut': 'Signed out.',
      'auth.signOut': 'Sign out',
      'auth.signedInAs': 'On duty: {name}',
      'role.operator': 'Operator', 'role.supervisor': 'Supervisor', 'role.frontdesk': 'Front desk',
      'role.maintenance': 'Maintenance', 'role.admin': 'Administrator', 'role.gateway': 'Gateway',
      'role.kiosk': 'Lobby kiosk',
      'conn.connecting': 'Connecting…', 'conn.live': 'Live', 'conn.reconnecting': 'Reconnecting…',
      'conn.offline': 'Offline',
      'lang.switch': 'Switch to Chinese (中文)',
      'sound.silence': 'Silence', 'sound.silenced': 'Silenced', 'sound.title': 'Stop the tone for the current critical alarms; a new critical alarm sounds again',
      'summary.p1': 'Critical', 'summary.p2': 'Urgent', 'summary.p3': 'Attention', 'summary.p4': 'Maint.',
      'summary.unack': 'Unacknowledged',
      'board.heading': 'Live alarms',
      'board.loading': 'Loading…',
      'board.count': '{n} open · synced {t}',
      'board.error': 'Could not load alerts: {detail}',
      'board.empty': 'No open alerts',
      'board.testHeading': 'Test events (devices on test: no dispatch, no escalation)',
      'col.priority': 'Priority', 'col.kind': 'Kind', 'col.unit': 'Unit', 'col.building': 'Building',
      'col.device': 'Device', 'col.lel': 'LEL %', 'col.state': 'State', 'col.condition': 'Condition',
      'col.occurrences': 'Count', 'col.raised': 'Raised', 'col.elapsed': 'Elapsed',
      'col.actions': 'Actions',
      'priority.1': 'Critical', 'priority.2': 'Urgent', 'priority.3': 'Attention', 'priority.4': 'Maint.',
      'state.open': 'Open', 'state.acknowledged': 'Acknowledged', 'state.dispatched': 'Dispatched',
      'state.resolved': 'Resolved',
      'condition.active': 'Active', 'condition.restored': 'Restored',
      'kind.gas_alarm': 'Gas alarm', 'kind.gas_prealarm': 'Gas pre-alarm', 'kind.panic': 'Emergency button',
      'kind.medical': 'Medical help', 'kind.fire': 'Fire alarm', 'kind.incident': 'Building incident (possible riser leak)',
      'kind.device_offline': 'Device offline', 'kind.panel_offline': 'Alarm panel offline',
      'kind.fault': 'Device fault', 'kind.tamper': 'Tamper', 'kind.power_loss': 'Power loss',
      'kind.battery_low': 'Battery low',
      'tag.test': 'TEST', 'tag.escalated': 'Escalated ×{n}',
      'building': 'Bldg {b}',
      'action.ack': 'Acknowledge', 'action.dispatch': 'Dispatch', 'action.resolve': 'Resolve',
      'action.noRight': 'Your role may not act on alerts',
      'dispatch.title': 'Dispatch', 'dispatch.to': 'Send', 'dispatch.toPlaceholder': 'e.g. Security patrol, Mr Zhang',
      'dispatch.submit': 'Record dispatch', 'dispatch.missing': 'Say who was sent.',
      'resolve.title': 'Resolve', 'resolve.cause': 'Cause', 'resolve.choose': '— choose —',
      'resolve.note': 'What happened', 'resolve.notePlaceholder': 'Findings on site and what was done',
      'resolve.submit': 'Resolve alert', 'resolve.missing': 'Choose a cause and write what happened.',
      'resolve.stillActive': 'The {kind} is still in alarm{lel}: the device has not restored. Resolve anyway? The flat will show “still in alarm” until the device restores.',
      'resolve.confirm': 'Resolve anyway', 'resolve.keep': 'Keep it open',
      'still.heading': 'Still in alarm (resolved, the device has not restored)', 'still.badge': 'Still in alarm',
      'still.resolved': 'resolved by {who} at {t} ({cause})',
      'form.note': 'Note',
      'cause.real': 'Real emergency', 'cause.false_alarm': 'False alarm', 'cause.test': 'Test',
      'cause.device_fault': 'Device fault', 'cause.other': 'Other',
      'common.close': 'Close', 'common.cancel': 'Cancel',
      'err.network': 'Cannot reach the control-room server',
      'err.action': 'Not done (alert #{id}): {detail}',
      'details.empty': 'Select an alert to see its details and history',
      'details.history': 'History',
      'details.loading': 'Loading…',
      'details.noHistory': 'No entries yet',
      'details.title': '#{id} {kind}',
      'fact.priority': 'Priority', 'fact.state': 'State', 'fact.condition': 'Condition', 'fact.unit': 'Unit',
      'fact.building': 'Building', 'fact.device': 'Device', 'fact.raised': 'Raised',
      'fact.updated': 'Last update', 'fact.acknowledged': 'Acknowledged', 'fact.dispatched': 'Sent on site',
      'fact.resolved': 'Resolved', 'fact.cause': 'Cause', 'fact.occurrences': 'Count',
      'fact.escalation': 'Escalations', 'fact.test': 'Test event', 'fact.lel': 'Gas level',
      'fact.observed': 'Received by gateway', 'fact.yes': 'Yes', 'fact.by': '{t} ({who})', 'fact.sent': '{to} ({t})',
      'history.raised': 'Raised', 'history.repeated': 'Repeated', 'history.reactivated': 'Reactivated',
      'history.restored': 'Condition restored', 'history.restored_and_resolved': 'Restored, closed automatically',
      'history.acknowledged': 'Acknowledged', 'history.dispatched': 'Dispatched', 'history.resolved': 'Resolved',
      'history.escalated': 'Escalated', 'history.note': 'Note',
      'history.flapping': 'Flapping (kept open)', 'history.linked': 'Alarm linked',
      'history.assigned': 'Assigned', 'history.step_ticked': 'Step done',
      'details.plan': 'Action plan', 'details.flat': 'Residents and contacts',
      'plan.progress': '{done}/{total}', 'plan.tick': 'Done', 'plan.ticked': '{t} · {who}',
      'plan.none': 'No action plan for this kind of alert',
      'work.assignMe': 'Assign to me', 'work.assigned': 'Control-room owner: {who}', 'work.unassigned': 'No control-room owner yet',
      'note.placeholder': 'Add a note (e.g. reached the resident by phone)', 'note.submit': 'Add note',
      'note.missing': 'Write the note first.',
      'flat.none': 'No residents registered for this flat', 'flat.elderly': 'Elderly, lives alone',
      'flat.contacts': 'Emergency contacts',
      'flat.masked': 'Resident details hidden (operators and supervisors only)', 'flat.devices': 'Devices',
      'flat.online': 'online', 'flat.offline': 'offline', 'flat.unknown': 'unknown',
      'flat.battery': 'battery {n}%', 'flat.loading': 'Loading residents…',
      'fact.assigned': 'Control-room owner',
      'dispatch.suggestions': ['Security patrol', 'Maintenance engineer', 'Gas company emergency crew',
        'Estate butler', '110 Police', '119 Fire brigade', '120 Ambulance'],
    },
  };

  // Roles the API lets act on alerts (controlroom/api/deps.py ACT_ON_ALERTS). The server
  // enforces this; the console only greys the buttons out for the other roles.
  const ACT_ROLES = ['operator', 'supervisor', 'admin'];
  // Who an alert can be assigned to (controlroom/casework.py ASSIGNABLE_ROLES).
  const ASSIGNABLE_ROLES = ['operator', 'supervisor'];
  const SESSION_KEY = 'estate-butler.controlroom.session';
  const PAGE_KEY = 'estate-butler.controlroom.page';
  // Roles that read the alarm board (controlroom/api/deps.py READ_ALERTS). Other roles (the
  // front desk) sign in for the console's other pages only.
  const BOARD_ROLES = ['operator', 'supervisor', 'maintenance', 'admin'];
  const LANG_KEY = 'estate-butler.controlroom.lang';
  const RESYNC_MS = 60000; // a full reload now and then, in case a stream dies silently
  const BEEP_EVERY_MS = 4000;

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------

  const state = {
    lang: readLang(),
    session: null, // {token, username, name, role}
    site: null,
    alerts: new Map(), // id -> alert (not resolved)
    still: new Map(), // id -> resolved alert whose condition is still active (not test)
    rows: new Map(), // id -> <tbody class="alert">
    seen: new Map(), // id -> updated_at ms of the newest version seen (resolved too)
    collecting: new Set(), // Maps collecting stream events while a reload is in flight
    reloadGen: 0,
    boardState: 'loading',
    boardError: '',
    syncedAt: null,
    conn: 'offline',
    es: null,
    reconnectTimer: null,
    reconnectDelay: 1000,
    resyncTimer: null,
    selected: null, // alert id in the details pane
    selectedAlert: null, // the alert with history, as last fetched
    plan: null, // {alert_id, kind, steps, done, total} of the selected alert
    flat: null, // {unit, data, error} for the selected alert's unit
    detailsGen: 0,
    audio: null,
    silenced: new Set(), // ids of critical alerts whose tone was silenced
    lastBeep: 0,
    loginMessage: null, // {key, params} shown on the login form
  };

  const $ = (sel, root) => (root || document).querySelector(sel);
  const byTestId = (id, root) => $(`[data-testid="${id}"]`, root);

  const el = {};

  // ---------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------

  function readLang() {
    try {
      const v = localStorage.getItem(LANG_KEY);
      return v === 'en' ? 'en' : 'zh';
    } catch (_) {
      return 'zh';
    }
  }

  function t(key, params) {
    let s = I18N[state.lang][key];
    if (s === undefined) s = I18N.zh[key];
    if (s === undefined) return key;
    if (params && typeof s === 'string') {
      s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined && params[k] !== null ? String(params[k]) : m));
    }
    return s;
  }

  function tOr(key, fallback) {
    const s = I18N[state.lang][key];
    return s === undefined ? fallback : s;
  }

  const kindLabel = (kind) => tOr(`kind.${kind}`, kind);
  const stateLabel = (s) => tOr(`state.${s}`, s);
  const conditionLabel = (c) => tOr(`condition.${c}`, c);
  const priorityLabel = (p) => tOr(`priority.${p}`, String(p));
  const causeLabel = (c) => tOr(`cause.${c}`, c);
  const roleLabel = (r) => tOr(`role.${r}`, r);
  const buildingLabel = (b) => (b ? t('building', { b }) : '—');

  /** Milliseconds since the epoch from an API time (ISO 8601 UTC; a zoneless time is UTC). */
  function ms(iso) {
    if (!iso) return NaN;
    let s = String(iso).replace(/(\.\d{3})\d+/, '$1');
    if (!/(Z|[+-]\d\d:?\d\d)$/i.test(s)) s += 'Z';
    return Date.parse(s);
  }

  const pad = (n) => String(n).padStart(2, '0');

  /** The site's wall-clock time in the console's one format (time.js): `HH:mm:ss` today,
   * else `YYYY-MM-DD HH:mm:ss`; mode 'full', 'minute', 'time' or 'date' as time.js says. */
  const fmtTime = (iso, mode) => window.EstateButlerTime.format(iso, mode);

  function fmtElapsed(iso) {
    const v = ms(iso);
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

  function setText(node, text) {
    const v = text === null || text === undefined ? '' : String(text);
    if (node.textContent !== v) node.textContent = v;
  }

  function canAct() {
    return !!state.session && ACT_ROLES.includes(state.session.role);
  }

  /** Sounds wanted: critical, live (not test) and nobody has acknowledged yet. */
  function isAlarming(a) {
    return a.priority === 1 && a.state === 'open' && !a.test;
  }

  function compareAlerts(a, b) {
    return (a.priority - b.priority) || (ms(a.raised_at) - ms(b.raised_at)) || (a.id - b.id);
  }

  // ---------------------------------------------------------------------------------------
  // HTTP
  // ---------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
      this.detail = detail;
    }
  }

  async function api(path, opts) {
    const o = opts || {};
    const headers = { Accept: 'application/json' };
    let body;
    if (o.form) {
      body = new URLSearchParams(o.form);
    } else if (o.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.json);
    }
    if (state.session && !o.anonymous) headers.Authorization = `Bearer ${state.session.token}`;
    let res;
    try {
      res = await fetch(path, { method: o.method || 'GET', headers, body, cache: 'no-store' });
    } catch (_) {
      throw new ApiError(0, t('err.network'));
    }
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (_) {
      data = null;
    }
    if (!res.ok) {
      let detail = `${res.status} ${res.statusText}`;
      if (data && typeof data.detail === 'string') detail = data.detail;
      else if (data && Array.isArray(data.detail)) detail = data.detail.map((e) => e.msg || JSON.stringify(e)).join('; ');
      const err = new ApiError(res.status, detail);
      err.body = data; // the whole answer: field errors (fielderrors.js), problem codes
      if (res.status === 401 && state.session && !o.anonymous) {
        signOut('login.expired');
      }
      throw err;
    }
    return data;
  }

  // ---------------------------------------------------------------------------------------
  // Language
  // ---------------------------------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    document.querySelectorAll('[data-i18n]').forEach((n) => setText(n, t(n.dataset.i18n)));
    document.querySelectorAll('[data-i18n-placeholder]').forEach((n) => {
      n.placeholder = t(n.dataset.i18nPlaceholder);
    });
    // <template> contents are not in the document: translate them too, for new rows.
    document.querySelectorAll('template').forEach((tpl) => {
      tpl.content.querySelectorAll('[data-i18n]').forEach((n) => setText(n, t(n.dataset.i18n)));
      tpl.content.querySelectorAll('[data-i18n-placeholder]').forEach((n) => {
        n.placeholder = t(n.dataset.i18nPlaceholder);
      });
    });
    const other = state.lang === 'zh' ? 'en' : 'zh';
    setText(el.langToggle, other === 'en' ? 'EN' : '中文');
    el.langToggle.lang = other === 'en' ? 'en' : 'zh-CN';
    el.langToggle.title = t('lang.switch');
    el.langToggle.setAttribute('aria-label', t('lang.switch'));
    el.langToggle.dataset.lang = state.lang;
    const list = el.suggestions;
    list.replaceChildren(...t('dispatch.suggestions').map((v) => {
      const opt = document.createElement('option');
      opt.value = v;
      return opt;
    }));
    renderSite();
    renderUser();
    renderConn();
    renderLoginMessage();
    for (const a of state.alerts.values()) fillRow(state.rows.get(a.id), a);
    renderStill();
    renderSummary();
    renderBoardStatus();
    renderDetails();
    renderSound();
    renderNav();
    emit('language');
  }

  // ---------------------------------------------------------------------------------------
  // Site, user, connection
  // ---------------------------------------------------------------------------------------

  async function loadSite() {
    try {
      state.site = await api('api/site', { anonymous: true });
    } catch (_) {
      state.site = null;
    }
    if (state.site) window.EstateButlerTime.setZone(state.site.timezone);
    renderSite();
    tick();
    for (const a of state.alerts.values()) fillRow(state.rows.get(a.id), a);
    renderDetails();
    emit('timezone');
  }

  function renderSite() {
    const s = state.site;
    const name = s ? (state.lang === 'zh' ? s.name_zh : s.name_en) || s.name_zh || s.name_en : '';
    setText(byTestId('site-name'), name);
    setText(byTestId('login-site'), name ? `${name} · ${t('app.title')}` : t('app.title'));
    setText(byTestId('login-hotline'), s && s.hotline ? t('login.hotline', { n: s.hotline }) : '');
    renderTitle();
  }

  function renderTitle() {
    const n = [...state.alerts.values()].filter(isAlarming).length;
    const site = state.site ? (state.lang === 'zh' ? state.site.name_zh : state.site.name_en) : '';
    const base = [site, t('doc.title'), 'Estate Butler'].filter(Boolean).join(' · ');
    document.title = n > 0 && state.session ? `(${n}) ⚠ ${base}` : base;
  }

  function renderUser() {
    const who = byTestId('current-user');
    const s = state.session;
    who.hidden = !s;
    el.signOut.hidden = !s;
    if (!s) return;
    setText($('.who-name', who), t('auth.signedInAs', { name: s.name || s.username }));
    const role = $('.who-role', who);
    setText(role, roleLabel(s.role));
    role.dataset.role = s.role;
    who.dataset.username = s.username;
    who.dataset.role = s.role;
    who.title = `${s.username} · ${s.role}`;
  }

  function setConn(c) {
    state.conn = c;
    renderConn();
  }

  function renderConn() {
    const node = byTestId('connection-status');
    node.hidden = !readsBoard(); // the alarm stream: not for desk accounts
    node.dataset.state = state.conn;
    setText($('.conn-text', node), t(`conn.${state.conn}`));
  }

  // ---------------------------------------------------------------------------------------
  // Sign in and out
  // ---------------------------------------------------------------------------------------

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
    state.loginMessage = key ? { key, params, kind: kind || 'error' } : null;
    renderLoginMessage();
  }

  function renderLoginMessage() {
    const box = byTestId('login-error');
    const m = state.loginMessage;
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
      const session = { token: tok.access_token, username, name: tok.name, role: tok.role,
        butler_for: tok.butler_for || [] };
      // Can this account read alerts? Ask the server rather than guess from the role.
      state.session = session;
      let first;
      try {
        first = await api('api/alerts?state=open');
      } catch (err) {
        if (err.status === 403 && otherPages().length) {
          // No alarm board for this role, but pages of its own (desk.js, requests.js).
          try {
            sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
          } catch (_) { /* private mode */ }
          el.password.value = '';
          enterPages();
          return;
        }
        state.session = null;
        if (err.status === 403) {
          setLoginMessage('login.forbidden', { role: roleLabel(tok.role), detail: err.detail });
        } else {
          setLoginMessage('board.error', { detail: err.detail });
        }
        return;
      }
      try {
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      } catch (_) { /* private mode: the session lasts as long as the page */ }
      el.password.value = '';
      setLoginMessage(null);
      enterConsole(first);
    } finally {
      el.loginSubmit.disabled = false;
      setText(el.loginSubmit, t('login.submit'));
    }
  }

  function signOut(messageKey) {
    const wasIn = !!state.session;
    state.session = null;
    try {
      sessionStorage.removeItem(SESSION_KEY);
      sessionStorage.removeItem(PAGE_KEY);
    } catch (_) { /* ignore */ }
    closeStream();
    clearTimeout(state.resyncTimer);
    state.resyncTimer = null;
    state.reloadGen += 1;
    state.detailsGen += 1;
    for (const row of state.rows.values()) row.remove();
    state.rows.clear();
    state.alerts.clear();
    state.still.clear();
    renderStill();
    state.seen.clear();
    state.silenced.clear();
    state.selected = null;
    state.selectedAlert = null;
    state.boardState = 'loading';
    setConn('offline');
    hideActionError();
    renderDetails();
    renderTitle();
    if (messageKey) setLoginMessage(messageKey, null, messageKey === 'login.signedOut' ? 'info' : 'error');
    if (wasIn || messageKey) showLogin();
    for (const page of registeredPages()) page.hide();
    renderNav();
    emit('session', null);
    emit('signout');
  }

  // ---------------------------------------------------------------------------------------
  // The console's pages. The alarm board is this file's; other scripts (requests.js, desk.js,
  // loaded before this one) add theirs to window.EstateButlerPages as
  // {id, roles, label(), show(), hide()}. This file draws the navigation for the signed-in
  // role and shows one page at a time; the scripts hear 'eb:session' to load or forget data.
  // ---------------------------------------------------------------------------------------

  const readsBoard = () => !!state.session && BOARD_ROLES.includes(state.session.role);
  const registeredPages = () => window.EstateButlerPages || [];
  const otherPages = () => registeredPages().filter(
    (p) => !!state.session && p.roles.includes(state.session.role));

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
    const pages = state.session ? allowedPages() : [];
    nav.replaceChildren(...pages.map((p) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'nav-tab';
      b.dataset.testid = p.testid || `nav-${p.id}`;
      b.dataset.page = p.id;
      b.textContent = p.label();
      b.setAttribute('aria-current', p.id === state.page ? 'page' : 'false');
      b.addEventListener('click', () => showPage(p.id));
      return b;
    }));
    nav.hidden = pages.length < 2; // one page only: nothing to switch between
  }

  function showPage(id) {
    const pages = allowedPages();
    const page = pages.find((p) => p.id === id) || pages[0];
    if (!page) return;
    state.page = page.id;
    try {
      sessionStorage.setItem(PAGE_KEY, page.id);
    } catch (_) { /* private mode */ }
    for (const p of [BOARD_PAGE, ...registeredPages()]) if (p !== page) p.hide();
    page.show();
    renderNav();
  }

  function savedPage() {
    try {
      return sessionStorage.getItem(PAGE_KEY) || '';
    } catch (_) {
      return '';
    }
  }

  function announceSession() {
    emit('session', state.session);
  }

  function enterPages() {
    el.loginView.hidden = true;
    BOARD_PAGE.hide();
    setLoginMessage(null);
    renderUser();
    announceSession();
    showPage(savedPage() || homePage());
  }

  /** Where a role without the board lands: a butler (a building's requests are theirs) on
   * the request queue, the rest of the front desk on its first page (the parcel desk). */
  function homePage() {
    const s = state.session;
    return s && (s.butler_for || []).length ? 'requests' : '';
  }

  function enterConsole(firstSnapshot) {
    el.loginView.hidden = true;
    el.consoleView.hidden = false;
    byTestId('summary').hidden = false;
    renderUser();
    announceSession();
    showPage(savedPage() || 'board');
    if (firstSnapshot) applySnapshot(firstSnapshot, new Map());
    else reload();
    openStream();
    scheduleResync();
    renderSound();
    renderBoardStatus();
    emit('console');
  }

  // ---------------------------------------------------------------------------------------
  // The live stream and reloads
  // ---------------------------------------------------------------------------------------

  function openStream() {
    closeStream();
    if (!state.session) return;
    const url = `api/alerts/stream?access_token=${encodeURIComponent(state.session.token)}`;
    let es;
    try {
      es = new EventSource(url);
    } catch (_) {
      setConn('reconnecting');
      scheduleReconnect();
      return;
    }
    state.es = es;
    setConn('connecting');
    es.addEventListener('open', () => {
      if (state.es !== es) return;
      state.reconnectDelay = 1000;
      setConn('live');
      // Anything between the last load and this connection: load the board afresh.
      reload();
    });
    es.addEventListener('alert', (ev) => {
      if (state.es !== es) return;
      let alert;
      try {
        alert = JSON.parse(ev.data);
      } catch (_) {
        return;
      }
      for (const m of state.collecting) m.set(alert.id, alert);
      applyAlert(alert);
      emit('alert', alert);
    });
    es.addEventListener('error', () => {
      if (state.es !== es) return;
      setConn('reconnecting');
      // CONNECTING: the browser retries by itself (and replays by Last-Event-ID).
      // CLOSED: the server refused (e.g. the token expired): find out why, then retry.
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        state.es = null;
        scheduleReconnect();
      }
    });
  }

  function closeStream() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    if (state.es) {
      state.es.close();
      state.es = null;
    }
  }

  function scheduleReconnect() {
    clearTimeout(state.reconnectTimer);
    const delay = state.reconnectDelay;
    state.reconnectDelay = Math.min(state.reconnectDelay * 2, 10000);
    state.reconnectTimer = setTimeout(async () => {
      if (!state.session) return;
      try {
        await api('api/alerts?state=open&priority=1'); // a 401 here signs out
      } catch (err) {
        if (!state.session) return;
      }
      if (state.session) openStream();
    }, delay);
  }

  function scheduleResync() {
    clearTimeout(state.resyncTimer);
    state.resyncTimer = setTimeout(() => {
      if (!state.session) return;
      reload().finally(scheduleResync);
    }, RESYNC_MS);
  }

  /** Load the whole board; stream events that arrive meanwhile are merged over it. */
  async function reload() {
    if (!state.session) return;
    const gen = ++state.reloadGen;
    const during = new Map();
    state.collecting.add(during);
    let data;
    let still;
    try {
      [data, still] = await Promise.all([api('api/alerts?state=open'),
        api('api/alerts?state=resolved&condition=active&test=false&limit=200')]);
    } catch (err) {
      if (gen === state.reloadGen && state.session) {
        state.boardState = 'error';
        state.boardError = err.detail;
        renderBoardStatus();
      }
      return;
    } finally {
      state.collecting.delete(during);
    }
    if (gen !== state.reloadGen || !state.session) return;
    state.still = new Map(still.data.map((a) => [a.id, a]));
    for (const a of during.values()) noteStill(a);
    applySnapshot(data, during);
  }

  function applySnapshot(data, during) {
    const next = new Map();
    for (const a of data.data) next.set(a.id, a);
    for (const a of during.values()) {
      const have = next.get(a.id);
      if (have && ms(have.updated_at) > ms(a.updated_at)) continue;
      if (a.state === 'resolved') next.delete(a.id);
      else next.set(a.id, a);
    }
    for (const id of [...state.alerts.keys()]) {
      if (!next.has(id)) removeAlert(id);
    }
    for (const a of next.values()) applyAlert(a, { quiet: true, batch: true });
    state.boardState = 'ready';
    state.boardError = '';
    state.syncedAt = new Date().toISOString();
    renderBoard();
  }

  /** Upsert one alert version (from the stream, a reload or an action's answer). */
  function applyAlert(a, opts) {
    const o = opts || {};
    const at = ms(a.updated_at);
    const seen = state.seen.get(a.id);
    if (seen !== undefined && seen > at) return; // an older version than we hold
    state.seen.set(a.id, at);
    const prev = state.alerts.get(a.id);
    const isNew = !prev;
    // Escalated while still unacknowledged (§6: 30 s, 60 s): sound again even if silenced.
    const escalated = !!prev && a.escalation > prev.escalation && isAlarming(a);
    if (escalated) state.silenced.delete(a.id);
    if (a.state === 'resolved') {
      removeAlert(a.id);
    } else {
      state.alerts.set(a.id, a);
      upsertRow(a, isNew && !o.quiet);
    }
    if (!isAlarming(a)) state.silenced.delete(a.id);
    noteStill(a);
    if (state.selected === a.id) refreshDetails(a);
    if (o.batch) return;
    renderBoard();
    if ((isNew || escalated) && isAlarming(a) && !o.quiet) beepSoon();
  }

  function renderBoard() {
    placeRows();
    renderStill();
    renderSummary();
    renderBoardStatus();
    renderTitle();
    renderSound();
  }

  function removeAlert(id) {
    state.alerts.delete(id);
    state.silenced.delete(id);
    const row = state.rows.get(id);
    if (row) row.remove();
    state.rows.delete(id);
  }

  // ---------------------------------------------------------------------------------------
  // The board
  // ---------------------------------------------------------------------------------------

  function upsertRow(a, fresh) {
    let tb = state.rows.get(a.id);
    if (!tb) {
      tb = el.tplAlert.content.firstElementChild.cloneNode(true);
      wireRow(tb, a.id);
      state.rows.set(a.id, tb);
      if (fresh) {
        tb.classList.add('is-new');
        setTimeout(() => tb.classList.remove('is-new'), 4000);
      }
    }
    fillRow(tb, a);
  }

  function fillRow(tb, a) {
    if (!tb) return;
    const tr = $('tr.alert-row', tb);
    tb.dataset.alertId = String(a.id);
    tr.dataset.alertId = String(a.id);
    tr.dataset.kind = a.kind;
    tr.dataset.priority = String(a.priority);
    tr.dataset.state = a.state;
    tr.dataset.condition = a.condition;
    tr.dataset.test = a.test ? 'true' : 'false';
    for (const p of [1, 2, 3, 4]) tr.classList.toggle(`p${p}`, a.priority === p);
    tr.classList.toggle('flashing', isAlarming(a));
    tr.classList.toggle('is-restored', a.condition === 'restored');
    tr.classList.toggle('is-selected', state.selected === a.id);
    tr.setAttribute('aria-selected', state.selected === a.id ? 'true' : 'false');

    const pri = byTestId('alert-priority', tr);
    setText(pri, `P${a.priority} ${priorityLabel(a.priority)}`);
    pri.className = `pri pri-${a.priority}`;

    const kind = byTestId('alert-kind', tr);
    setText(kind, kindLabel(a.kind));
    kind.title = a.kind;
    const tags = $('.tags', tr);
    const wanted = [];
    if (a.escalation > 0) wanted.push(['tag-esc', t('tag.escalated', { n: a.escalation })]);
    if (a.test) wanted.push(['tag-test', t('tag.test')]);
    tags.replaceChildren(...wanted.map(([cls, text]) => {
      const s = document.createElement('span');
      s.className = `tag ${cls}`;
      s.textContent = text;
      return s;
    }));

    // A building-level alert (panel, incident) has no unit: name the building there.
    setText(byTestId('alert-unit', tr), a.unit || (a.building ? buildingLabel(a.building) : '—'));
    setText(byTestId('alert-building', tr), buildingLabel(a.building));
    setText(byTestId('alert-device', tr), a.device || '—');
    const lel = a.detail && a.detail.lel !== undefined && a.detail.lel !== null ? a.detail.lel : null;
    const lelCell = byTestId('alert-lel', tr);
    setText(lelCell, lel === null ? '' : Number(lel).toFixed(1));
    lelCell.classList.toggle('lel-high', lel !== null && Number(lel) >= 25);

    const st = byTestId('alert-state', tr);
    setText(st, stateLabel(a.state));
    st.className = `state state-${a.state}`;
    let sub = '';
    if (a.state === 'dispatched' && a.dispatched_to) sub = `→ ${a.dispatched_to}`;
    else if (a.state === 'acknowledged' && a.acknowledged_by) sub = a.acknowledged_by;
    setText($('.state-sub', tr), sub);

    const cond = byTestId('alert-condition', tr);
    setText(cond, conditionLabel(a.condition));
    cond.className = `cond cond-${a.condition}`;
    setText(byTestId('alert-occurrences', tr), a.occurrences > 1 ? `×${a.occurrences}` : '1');
    const raised = byTestId('alert-raised', tr);
    setText(raised, fmtTime(a.raised_at));
    raised.title = fmtTime(a.raised_at, 'full');
    setText(byTestId('alert-elapsed', tr), fmtElapsed(a.raised_at));

    const act = canAct();
    const ack = byTestId('ack-button', tr);
    ack.hidden = a.state !== 'open';
    const dispatchBtn = byTestId('dispatch-button', tr);
    const resolveBtn = byTestId('resolve-button', tr);
    for (const b of [ack, dispatchBtn, resolveBtn]) {
      if (!b.classList.contains('busy')) b.disabled = !act;
      b.title = act ? '' : t('action.noRight');
    }
    tb.querySelectorAll('.form-row').forEach((row) => {
      if (!act) row.remove();
    });
  }

  /** Put the row nodes in board order, moving only those out of place (keeps focus). */
  function placeRows() {
    const sorted = [...state.alerts.values()].sort(compareAlerts);
    placeIn(el.board, sorted.filter((a) => !a.test), el.boardEmpty);
    const tests = sorted.filter((a) => a.test);
    placeIn(el.testBoard, tests, null);
    el.boardEmpty.hidden = sorted.some((a) => !a.test);
    byTestId('test-section').hidden = tests.length === 0;
  }

  function placeIn(table, alerts, anchor) {
    const isAlertBody = (n) => n && n.tagName === 'TBODY' && n.classList.contains('alert');
    let cursor = [...table.children].find(isAlertBody) || null;
    for (const a of alerts) {
      const node = state.rows.get(a.id);
      if (!node) continue;
      if (node === cursor) {
        cursor = isAlertBody(cursor.nextElementSibling) ? cursor.nextElementSibling : null;
      } else {
        table.insertBefore(node, cursor || anchor);
      }
    }
  }

  /** Resolved while the device was still in alarm: listed until the device restores. */
  function noteStill(a) {
    // A building's incident has no device that could restore it: never "still in alarm".
    if (a.state === 'resolved' && a.condition === 'active' && !a.test && a.device) state.still.set(a.id, a);
    else state.still.delete(a.id);
  }

  function renderStill() {
    let box = byTestId('still-section');
    if (!box) {
      box = document.createElement('div');
      box.className = 'still-section';
      box.dataset.testid = 'still-section';
      box.setAttribute('role', 'status');
      box.append(document.createElement('h3'), document.createElement('ul'));
      el.board.after(box);
    }
    const rows = [...state.still.values()].sort(compareAlerts);
    box.hidden = rows.length === 0;
    setText($('h3', box), t('still.heading'));
    $('ul', box).replaceChildren(...rows.map((a) => {
      const li = document.createElement('li');
      li.dataset.testid = 'still-row';
      li.dataset.alertId = String(a.id);
      li.dataset.unit = a.unit || '';
      li.tabIndex = 0;
      const lel = a.detail && a.detail.lel !== undefined && a.detail.lel !== null
        ? ` · LEL ${Number(a.detail.lel).toFixed(1)}%` : '';
      const parts = [['still-badge', t('still.badge')],
        ['still-where mono', a.unit || (a.building ? buildingLabel(a.building) : '—')],
        ['still-kind', `${kindLabel(a.kind)}${lel}`], ['still-device mono', a.device || ''],
        ['still-by', t('still.resolved', { who: a.resolved_by || '?', t: fmtTime(a.resolved_at), cause: causeLabel(a.cause) })]];
      li.append(...parts.map(([cls, text]) => {
        const s = document.createElement('span');
        s.className = cls;
        s.textContent = text;
        return s;
      }));
      li.addEventListener('click', () => select(a.id));
      li.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') select(a.id);
      });
      return li;
    }));
  }

  function renderSummary() {
    const counts = { 1: 0, 2: 0, 3: 0, 4: 0 };
    let unack = 0;
    for (const a of state.alerts.values()) {
      if (a.test) continue;
      counts[a.priority] = (counts[a.priority] || 0) + 1;
      if (a.state === 'open') unack += 1;
    }
    for (const p of [1, 2, 3, 4]) {
      const chip = byTestId(`summary-p${p}`);
      setText($('b', chip), counts[p]);
      chip.classList.toggle('is-zero', counts[p] === 0);
    }
    const u = byTestId('summary-unack');
    setText($('b', u), unack);
    u.classList.toggle('is-zero', unack === 0);
  }

  function renderBoardStatus() {
    const node = byTestId('board-status');
    node.dataset.state = state.boardState;
    node.dataset.count = String([...state.alerts.values()].filter((a) => !a.test).length);
    if (state.boardState === 'loading') setText(node, t('board.loading'));
    else if (state.boardState === 'error') setText(node, t('board.error', { detail: state.boardError }));
    else setText(node, t('board.count', { n: node.dataset.count, t: fmtTime(state.syncedAt) }));
  }

  function tick() {
    setText(el.clock, fmtTime(Date.now(), 'time'));
    // The zone the console's times are in (the site's): its offset, its name on hover.
    setText(el.clockZone, window.EstateButlerTime.offset());
    el.clockZone.title = window.EstateButlerTime.zone();
    for (const a of state.alerts.values()) {
      const tb = state.rows.get(a.id);
      if (tb) setText(byTestId('alert-elapsed', tb), fmtElapsed(a.raised_at));
    }
    maybeBeep();
  }

  // ---------------------------------------------------------------------------------------
  // Row actions
  // ---------------------------------------------------------------------------------------

  function wireRow(tb, id) {
    const tr = $('tr.alert-row', tb);
    tr.addEventListener('click', (ev) => {
      if (ev.target.closest('button, input, select, form')) return;
      select(id);
    });
    tr.addEventListener('keydown', (ev) => {
      if (ev.target !== tr) return;
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        select(id);
      }
    });
    byTestId('ack-button', tr).addEventListener('click', () => acknowledge(id, byTestId('ack-button', tr)));
    byTestId('dispatch-button', tr).addEventListener('click', () => toggleForm(tb, id, 'dispatch'));
    byTestId('resolve-button', tr).addEventListener('click', () => toggleForm(tb, id, 'resolve'));
  }

  async function act(id, action, body, button) {
    if (button) {
      button.disabled = true;
      button.classList.add('busy');
    }
    try {
      const alert = await api(`api/alerts/${id}/${action}`, { method: 'POST', json: body });
      hideActionError();
      applyAlert(alert);
      return { ok: true, alert };
    } catch (err) {
      if (err.status === 409 || err.status === 404) reload();
      return { ok: false, err };
    } finally {
      if (button) {
        button.classList.remove('busy');
        button.disabled = !canAct();
      }
    }
  }

  async function acknowledge(id, button) {
    primeAudio();
    const r = await act(id, 'ack', { note: '' }, button);
    if (!r.ok && state.session) showActionError(id, r.err.detail);
  }

  function toggleForm(tb, id, which) {
    primeAudio();
    const existing = $('.form-row', tb);
    const same = existing && existing.classList.contains(`form-${which}`);
    if (existing) existing.remove();
    if (same) return;
    const tpl = which === 'dispatch' ? el.tplDispatch : el.tplResolve;
    const row = tpl.content.firstElementChild.cloneNode(true);
    row.dataset.alertId = String(id);
    const form = $('form', row);
    const err = byTestId('form-error', row);
    byTestId('form-cancel', row).addEventListener('click', () => row.remove());
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') row.remove();
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      let body;
      if (which === 'dispatch') {
        const to = String(data.get('to') || '').trim();
        if (!to) {
          err.hidden = false;
          setText(err, t('dispatch.missing'));
          $('[name=to]', form).focus();
          return;
        }
        body = { to, note: String(data.get('note') || '').trim() };
      } else {
        const cause = String(data.get('cause') || '');
        const note = String(data.get('note') || '').trim();
        if (!cause || !note) {
          err.hidden = false;
          setText(err, t('resolve.missing'));
          (cause ? $('[name=note]', form) : $('[name=cause]', form)).focus();
          return;
        }
        body = { cause, note };
        const cur = state.alerts.get(id);
        if (cur && cur.device && cur.condition === 'active' && form.dataset.confirmed !== 'true') {
          askStillActive(form, cur);
          return;
        }
      }
      const submit = $('button[type=submit]', form);
      const r = await act(id, which, body, submit);
      if (r.ok) {
        row.remove();
      } else if (state.session) {
        err.hidden = false;
        setText(err, r.err.detail);
      }
    });
    tb.appendChild(row);
    $('input, select', form).focus();
  }

  /** Resolving leaves the device in alarm: say so, and resolve only when the operator says. */
  function askStillActive(form, a) {
    const old = byTestId('resolve-confirm-box', form);
    if (old) old.remove();
    const lel = a.detail && a.detail.lel !== undefined && a.detail.lel !== null
      ? (state.lang === 'zh' ? `（LEL ${Number(a.detail.lel).toFixed(1)}%）` : ` (${Number(a.detail.lel).toFixed(1)} %LEL)`) : '';
    const box = document.createElement('div');
    box.className = 'resolve-confirm';
    box.dataset.testid = 'resolve-confirm-box';
    box.setAttribute('role', 'alertdialog');
    const text = document.createElement('p');
    text.textContent = t('resolve.stillActive', { kind: kindLabel(a.kind), lel });
    const yes = document.createElement('button');
    yes.type = 'button';
    yes.className = 'btn btn-small btn-ack';
    yes.dataset.testid = 'resolve-confirm';
    yes.textContent = t('resolve.confirm');
    const no = document.createElement('button');
    no.type = 'button';
    no.className = 'btn btn-small btn-ghost';
    no.dataset.testid = 'resolve-keep';
    no.textContent = t('resolve.keep');
    yes.addEventListener('click', () => {
      form.dataset.confirmed = 'true';
      box.remove();
      form.requestSubmit();
    });
    no.addEventListener('click', () => {
      box.remove();
      $('[name=note]', form).focus();
    });
    box.append(text, yes, no);
    form.append(box);
    no.focus();
  }

  function showActionError(id, detail) {
    const box = byTestId('action-error');
    box.hidden = false;
    setText($('.banner-text', box), t('err.action', { id, detail }));
  }

  function hideActionError() {
    byTestId('action-error').hidden = true;
  }

  // ---------------------------------------------------------------------------------------
  // Details pane
  // ---------------------------------------------------------------------------------------

  function select(id) {
    const prev = state.selected;
    state.selected = id;
    state.selectedAlert = state.alerts.get(id) ? { ...state.alerts.get(id), history: null } : null;
    if (prev !== id) {
      state.plan = null;
      state.flat = null;
      hideWorkError();
    }
    for (const rid of [prev, id]) {
      const a = state.alerts.get(rid);
      if (a) fillRow(state.rows.get(rid), a);
    }
    renderDetails();
    loadDetails(id);
  }

  function closeDetails() {
    const prev = state.selected;
    state.selected = null;
    state.selectedAlert = null;
    state.plan = null;
    state.flat = null;
    state.detailsGen += 1;
    const a = state.alerts.get(prev);
    if (a) fillRow(state.rows.get(prev), a);
    renderDetails();
  }

  let detailsTimer = null;
  function refreshDetails(a) {
    // Show the new fields now; fetch the history shortly (changes come in bursts).
    state.selectedAlert = { ...a, history: state.selectedAlert ? state.selectedAlert.history : null };
    renderDetails();
    clearTimeout(detailsTimer);
    detailsTimer = setTimeout(() => loadDetails(a.id), 150);
  }

  async function loadDetails(id) {
    const gen = ++state.detailsGen;
    const planReq = api(`api/alerts/${id}/plan`).catch(() => null);
    try {
      const full = await api(`api/alerts/${id}`);
      if (gen !== state.detailsGen || state.selected !== id) return;
      state.selectedAlert = full;
    } catch (err) {
      if (gen !== state.detailsGen || state.selected !== id) return;
      state.selectedAlert = { ...(state.selectedAlert || { id }), historyError: err.detail };
    }
    const plan = await planReq;
    if (gen !== state.detailsGen || state.selected !== id) return;
    if (plan) state.plan = plan;
    const unit = state.selectedAlert && state.selectedAlert.unit;
    if (unit && (!state.flat || state.flat.unit !== unit)) loadFlat(id, unit);
    renderDetails();
  }

  /** The flat of the selected alert: residents shown by role (names masked for some). */
  async function loadFlat(id, unit) {
    state.flat = { unit, data: null, error: null };
    let data = null;
    let error = null;
    try {
      data = await api(`api/units/${encodeURIComponent(unit)}`);
    } catch (err) {
      error = err.detail;
    }
    if (state.selected !== id || !state.flat || state.flat.unit !== unit) return;
    state.flat = { unit, data, error };
    renderDetails();
  }

  // ---------------------------------------------------------------------------------------
  // Working the selected alert: assignment, the action plan, notes
  // ---------------------------------------------------------------------------------------

  function showWorkError(detail) {
    const box = byTestId('work-error');
    box.hidden = false;
    setText(box, detail);
  }

  function hideWorkError() {
    const box = byTestId('work-error');
    if (box) box.hidden = true;
  }

  async function work(id, path, body, button) {
    if (button) button.disabled = true;
    try {
      const res = await api(`api/alerts/${id}/${path}`, { method: 'POST', json: body });
      hideWorkError();
      return res;
    } catch (err) {
      if (state.session && state.selected === id) showWorkError(t('err.action', { id, detail: err.detail }));
      if (err.status === 409 && state.selected === id) loadDetails(id);
      return null;
    } finally {
      if (button) button.disabled = false;
    }
  }

  async function tickStep(id, n, button) {
    const plan = await work(id, `plan/${n}/tick`, undefined, button);
    if (plan && state.selected === id) {
      state.plan = plan;
      renderDetails();
    }
  }

  async function assignToMe(button) {
    const id = state.selected;
    if (id === null || !state.session) return;
    const full = await work(id, 'assign', { to: state.session.username }, button);
    if (full && state.selected === id) {
      state.selectedAlert = full;
      renderDetails();
    }
  }

  async function onNoteSubmit(ev) {
    ev.preventDefault();
    const id = state.selected;
    if (id === null) return;
    const input = byTestId('note-input');
    const note = input.value.trim();
    if (!note) {
      showWorkError(t('note.missing'));
      input.focus();
      return;
    }
    const full = await work(id, 'note', { note }, byTestId('note-submit'));
    if (full && state.selected === id) {
      input.value = '';
      state.selectedAlert = full;
      renderDetails();
    }
  }

  function renderWork(a) {
    const assigned = a.detail && a.detail.assigned_to;
    const label = byTestId('assigned-to');
    setText(label, assigned ? t('work.assigned', { who: assigned }) : t('work.unassigned'));
    label.classList.toggle('is-unassigned', !assigned);
    const me = byTestId('assign-me');
    const mine = !!state.session && assigned === state.session.username;
    me.hidden = !state.session || !ASSIGNABLE_ROLES.includes(state.session.role) || mine ||
      a.state === 'resolved';
    const noteForm = byTestId('note-form');
    noteForm.hidden = !canAct();
  }

  function renderPlan(a) {
    const section = byTestId('plan-section');
    const plan = state.plan && state.plan.alert_id === a.id ? state.plan : null;
    section.hidden = !plan;
    if (!plan) return;
    setText(byTestId('plan-progress'), plan.total ? t('plan.progress', { done: plan.done, total: plan.total }) : '');
    const list = byTestId('plan-list');
    if (!plan.steps.length) {
      const li = document.createElement('li');
      li.className = 'plan-none';
      li.textContent = t('plan.none');
      list.dataset.sig = '';
      list.replaceChildren(li);
      return;
    }
    const act = canAct() && a.state !== 'resolved';
    // Re-render only on a change: the answer to a tick and the stream's echo of it both come
    // here, and rebuilding the list under the operator's finger would swallow the next click.
    const sig = JSON.stringify([plan.alert_id, plan.steps, state.lang, act]);
    if (list.dataset.sig === sig) return;
    list.dataset.sig = sig;
    list.replaceChildren(...plan.steps.map((st) => {
      const li = document.createElement('li');
      li.dataset.testid = 'plan-step';
      li.dataset.step = String(st.n);
      li.dataset.ticked = st.ticked_at ? 'true' : 'false';
      li.classList.toggle('is-ticked', !!st.ticked_at);
      const num = document.createElement('span');
      num.className = 'plan-n';
      num.textContent = st.ticked_at ? '✓' : String(st.n);
      const text = document.createElement('span');
      text.className = 'plan-text';
      text.dataset.testid = 'plan-text';
      text.textContent = state.lang === 'zh' ? st.zh : st.en;
      text.title = state.lang === 'zh' ? st.en : st.zh;
      li.append(num, text);
      if (st.ticked_at) {
        const when = document.createElement('time');
        when.className = 'plan-when mono';
        when.dataset.testid = 'plan-ticked';
        when.dateTime = st.ticked_at;
        when.textContent = t('plan.ticked', { t: fmtTime(st.ticked_at, 'full'), who: st.ticked_by || '?' });
        li.append(when);
      } else if (act) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'btn btn-small plan-tick';
        b.dataset.testid = 'plan-tick';
        b.textContent = t('plan.tick');
        b.addEventListener('click', () => tickStep(a.id, st.n, b));
        li.append(b);
      }
      return li;
    }));
  }

  function renderFlat(a) {
    const panel = byTestId('flat-panel');
    const f = state.flat && a.unit && state.flat.unit === a.unit ? state.flat : null;
    panel.hidden = !f;
    if (!f) return;
    const body = $('.flat-body', panel);
    const nodes = [];
    const p = (cls, text) => {
      const n = document.createElement('p');
      n.className = cls;
      n.textContent = text;
      return n;
    };
    if (f.error) {
      nodes.push(p('flat-error', f.error));
    } else if (!f.data) {
      nodes.push(p('flat-muted', t('flat.loading')));
    } else {
      const d = f.data;
      if (d.masked) nodes.push(p('flat-muted', t('flat.masked')));
      if (!d.residents.length) nodes.push(p('flat-muted', t('flat.none')));
      for (const r of d.residents) {
        const card = document.createElement('div');
        card.className = 'resident';
        card.dataset.testid = 'resident';
        const head = document.createElement('div');
        head.className = 'resident-head';
        const name = document.createElement('span');
        name.className = 'resident-name';
        name.dataset.testid = 'resident-name';
        name.textContent = r.name;
        head.append(name);
        if (r.phone) {
          const tel = document.createElement('a');
          tel.className = 'resident-phone mono';
          tel.dataset.testid = 'resident-phone';
          tel.href = `tel:${r.phone.replace(/[^0-9+]/g, '')}`;
          tel.textContent = r.phone;
          head.append(tel);
        }
        if (r.elderly_alone) {
          const badge = document.createElement('span');
          badge.className = 'badge badge-elderly';
          badge.dataset.testid = 'elderly-alone';
          badge.textContent = t('flat.elderly');
          head.append(badge);
        }
        card.append(head);
        if (r.emergency_contacts.length) {
          const ul = document.createElement('ul');
          ul.className = 'contacts';
          ul.dataset.testid = 'emergency-contacts';
          ul.setAttribute('aria-label', t('flat.contacts'));
          for (const c of r.emergency_contacts) {
            const li = document.createElement('li');
            const who = document.createElement('span');
            who.textContent = `${t('flat.contacts')}：${c.name}${c.relation ? `（${c.relation}）` : ''}`;
            li.append(who);
            if (c.phone) {
              const tel = document.createElement('a');
              tel.className = 'mono';
              tel.href = `tel:${c.phone.replace(/[^0-9+]/g, '')}`;
              tel.textContent = c.phone;
              li.append(' ', tel);
            }
            ul.append(li);
          }
          card.append(ul);
        }
        nodes.push(card);
      }
      if (d.devices.length) {
        const ul = document.createElement('ul');
        ul.className = 'flat-devices';
        ul.dataset.testid = 'flat-devices';
        for (const dev of d.devices) {
          const li = document.createElement('li');
          const health = dev.online === true ? 'online' : dev.online === false ? 'offline' : 'unknown';
          li.dataset.health = health;
          const parts = [dev.id, t(`flat.${health}`)];
          if (dev.battery !== null && dev.battery !== undefined) parts.push(t('flat.battery', { n: dev.battery }));
          li.textContent = parts.join(' · ');
          ul.append(li);
        }
        nodes.push(p('flat-sub', t('flat.devices')), ul);
      }
    }
    body.replaceChildren(...nodes);
  }

  function renderDetails() {
    const pane = byTestId('details-pane');
    const body = $('.details-body', pane);
    const empty = byTestId('details-empty');
    const a = state.selectedAlert;
    body.hidden = !a;
    empty.hidden = !!a;
    pane.hidden = !a; // the board gets the whole width until an alert is selected
    pane.classList.toggle('is-open', !!a);
    if (!a) {
      delete pane.dataset.alertId;
      return;
    }
    pane.dataset.alertId = String(a.id);
    setText(byTestId('details-title'), t('details.title', { id: a.id, kind: a.kind ? kindLabel(a.kind) : '' }));

    const facts = [];
    const add = (key, value, cls) => {
      if (value === null || value === undefined || value === '') return;
      facts.push([t(key), String(value), cls || '']);
    };
    if (a.priority) add('fact.priority', `P${a.priority} ${priorityLabel(a.priority)}`, `pri-text-${a.priority}`);
    if (a.state) add('fact.state', stateLabel(a.state));
    if (a.condition) add('fact.condition', conditionLabel(a.condition));
    add('fact.unit', a.unit);
    if (a.building) add('fact.building', buildingLabel(a.building));
    add('fact.device', a.device);
    if (a.detail && a.detail.lel !== undefined && a.detail.lel !== null) add('fact.lel', `${a.detail.lel} %LEL`);
    if (a.raised_at) add('fact.raised', fmtTime(a.raised_at, 'full'));
    if (a.acknowledged_at) add('fact.acknowledged', t('fact.by', { t: fmtTime(a.acknowledged_at, 'full'), who: a.acknowledged_by || '?' }));
    // Dispatch records who was SENT on site (free text); the owner is the operator who works
    // the alert in the control room (detail.assigned_to, the work bar): two different things.
    if (a.dispatched_at) add('fact.dispatched', t('fact.sent', { t: fmtTime(a.dispatched_at, 'full'), to: a.dispatched_to || '?' }));
    if (a.resolved_at) add('fact.resolved', t('fact.by', { t: fmtTime(a.resolved_at, 'full'), who: a.resolved_by || '?' }));
    if (a.cause) add('fact.cause', causeLabel(a.cause));
    if (a.occurrences) add('fact.occurrences', a.occurrences);
    if (a.escalation) add('fact.escalation', a.escalation);
    if (a.test) add('fact.test', t('fact.yes'));
    if (a.updated_at) add('fact.updated', fmtTime(a.updated_at, 'full'));
    if (a.detail && a.detail.observed_at) add('fact.observed', fmtTime(a.detail.observed_at, 'full'));
    for (const [k, v, field] of window.EstateButlerAlertWords.details(a.detail, { lang: state.lang, fmtTime })) {
      facts.push([k, v, `fact-${field}`]);
    }
    const dl = byTestId('details-facts');
    dl.replaceChildren(...facts.flatMap(([k, v, cls]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      if (cls) dd.className = cls;
      return [dt, dd];
    }));
    renderWork(a);
    renderPlan(a);
    renderFlat(a);

    const list = byTestId('history-list');
    const items = [];
    if (a.historyError) {
      const li = document.createElement('li');
      li.className = 'history-error';
      li.textContent = a.historyError;
      items.push(li);
    } else if (!a.history) {
      const li = document.createElement('li');
      li.className = 'history-muted';
      li.textContent = t('details.loading');
      items.push(li);
    } else if (a.history.length === 0) {
      const li = document.createElement('li');
      li.className = 'history-muted';
      li.textContent = t('details.noHistory');
      items.push(li);
    } else {
      for (const h of a.history) {
        const li = document.createElement('li');
        li.dataset.testid = 'history-item';
        li.dataset.action = h.action;
        li.dataset.actor = h.actor;
        const time = document.createElement('time');
        time.dateTime = h.at;
        time.className = 'mono';
        time.textContent = fmtTime(h.at, 'full');
        const action = document.createElement('span');
        action.className = `h-action h-${h.action}`;
        action.textContent = tOr(`history.${h.action}`, h.action);
        const actor = document.createElement('span');
        actor.className = 'h-actor';
        actor.textContent = h.actor;
        li.append(time, action, actor);
        if (h.note) {
          const note = document.createElement('p');
          note.className = 'h-note';
          note.textContent = window.EstateButlerAlertWords.note(h, { lang: state.lang, causeLabel, plan: state.plan && state.plan.alert_id === a.id ? state.plan : null });
          li.append(note);
        }
        items.push(li);
      }
    }
    list.replaceChildren(...items);
  }

  // ---------------------------------------------------------------------------------------
  // Sound: a short two-tone beep, repeated while a critical alarm waits for acknowledgement
  // ---------------------------------------------------------------------------------------

  function primeAudio() {
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
    if (!state.session) return false;
    for (const a of state.alerts.values()) {
      if (isAlarming(a) && !state.silenced.has(a.id)) return true;
    }
    return false;
  }

  function beepSoon() {
    state.lastBeep = 0;
    maybeBeep();
  }

  function maybeBeep() {
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

  function renderSound() {
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

  function silence() {
    for (const a of state.alerts.values()) if (isAlarming(a)) state.silenced.add(a.id);
    renderSound();
  }

  // ---------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------

  function init() {
    el.loginView = byTestId('login-view');
    el.consoleView = byTestId('console-view');
    el.username = byTestId('login-username');
    el.password = byTestId('login-password');
    el.loginSubmit = byTestId('login-submit');
    el.signOut = byTestId('sign-out');
    el.langToggle = byTestId('lang-toggle');
    el.muteToggle = byTestId('mute-toggle');
    el.clock = byTestId('clock');
    el.clockZone = byTestId('clock-zone');
    el.board = byTestId('alert-board');
    el.boardEmpty = byTestId('board-empty');
    el.testBoard = byTestId('test-board');
    el.suggestions = document.getElementById('dispatch-suggestions');
    el.tplAlert = document.getElementById('tpl-alert');
    el.tplDispatch = document.getElementById('tpl-dispatch');
    el.tplResolve = document.getElementById('tpl-resolve');
    el.testBoard.appendChild($('thead', el.board).cloneNode(true));

    byTestId('login-form').addEventListener('submit', onLoginSubmit);
    el.signOut.addEventListener('click', () => signOut('login.signedOut'));
    el.langToggle.addEventListener('click', () => {
      state.lang = state.lang === 'zh' ? 'en' : 'zh';
      try {
        localStorage.setItem(LANG_KEY, state.lang);
      } catch (_) { /* ignore */ }
      applyLanguage();
    });
    el.muteToggle.addEventListener('click', () => {
      primeAudio();
      silence();
    });
    byTestId('details-close').addEventListener('click', closeDetails);
    byTestId('assign-me').addEventListener('click', (ev) => assignToMe(ev.currentTarget));
    byTestId('note-form').addEventListener('submit', onNoteSubmit);
    byTestId('action-error-close').addEventListener('click', hideActionError);
    document.addEventListener('pointerdown', primeAudio, { passive: true });
    document.addEventListener('keydown', primeAudio);

    applyLanguage();
    loadSite();
    tick();
    setInterval(tick, 500);

    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    } catch (_) {
      saved = null;
    }
    if (saved && saved.token) {
      state.session = saved;
      if (!readsBoard() && otherPages().length) enterPages();
      else enterConsole(null);
    } else {
      showLogin();
    }
  }

  // ---------------------------------------------------------------------------------------
  // For the console's other scripts (views.js inside the board; requests.js, desk.js as pages):
  // helpers, and `eb:*` document events when things change (eb:session with the session or
  // null, eb:console, eb:signout, eb:language, eb:alert with the alert as detail).
  // ---------------------------------------------------------------------------------------

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(`eb:${name}`, { detail }));
  }

  window.EstateButler = {
    api, t, tOr, fmtTime, fmtElapsed, ms, kindLabel, stateLabel, causeLabel, priorityLabel,
    roleLabel, buildingLabel, select,
    session: () => state.session,
    lang: () => state.lang,
    readsBoard,
    showPage,
    /** A page script loaded after this one added pages: draw the navigation again and go
     * to the page this tab was on before a reload, if it is one of them. */
    pagesChanged() {
      if (!state.session) return;
      const saved = savedPage();
      if (saved && saved !== state.page && allowedPages().some((p) => p.id === saved)) {
        showPage(saved);
      } else {
        renderNav();
      }
    },
    /** Merge a view's words ({zh: {...}, en: {...}}) and translate the page again. */
    addWords(words) {
      for (const lang of Object.keys(words)) Object.assign(I18N[lang], words[lang]);
      if (el.langToggle) applyLanguage();
    },
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
