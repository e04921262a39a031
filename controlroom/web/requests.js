/* Estate Butler control-room console: the service-request queue (DOMAIN.md "Service requests").
 *
 * For the front desk and the butlers: requests sorted by SLA deadline, overdue first and in
 * red (GET /api/requests), assignment and progress through the lifecycle
 * (POST /api/requests/{id}/{step}), the history of one request. Plain JavaScript, no build
 * step; app.js signs in and lends its API helper through window.EstateButler, and announces
 * `eb:session` and `eb:language` events.
 *
 * Test hooks: data-testid on every element a test needs; rows carry data-request-id,
 * data-state and data-overdue.
 */
(function () {
  'use strict';

  const I18N = {
    zh: {
      'nav.board': '警报', 'nav.requests': '服务请求',
      'rq.heading': '服务请求', 'rq.loading': '正在加载…', 'rq.ready': '{n} 条 · {time} 更新',
      'rq.error': '无法加载：{detail}', 'rq.empty': '当前没有服务请求',
      'rq.filter.open': '未结案', 'rq.filter.all': '全部', 'rq.filter.overdue': '只看超时',
      'rq.filter.mine': '只看我负责的', 'rq.filter.allBuildings': '全部楼栋', 'rq.new': '新建请求',
      'col.number': '编号', 'col.unit': '房号', 'col.type': '类型', 'col.title': '内容',
      'col.state': '状态', 'col.owner': '负责管家', 'col.assignee': '处理人',
      'col.next': '下一承诺', 'col.due': '期限', 'col.actions': '操作',
      'due.left': '剩 {d}', 'due.late': '超时 {d}', 'due.none': '—', 'overdue': '超时',
      'type.repair': '报修', 'type.urgent_repair': '紧急报修', 'type.complaint': '投诉',
      'type.enquiry': '咨询', 'type.suggestion': '建议', 'type.help': '求助',
      'type.service_order': '特约服务', 'type.assistance': '囊助服务',
      'state.received': '已受理', 'state.assigned': '已派单', 'state.in_progress': '处理中',
      'state.waiting_parts': '等待配件', 'state.completed': '已完成', 'state.accepted': '已验收',
      'state.return_visit': '已回访', 'state.closed': '已结案', 'state.cancelled': '已取消',
      'act.assign': '派单', 'act.start': '开始处理', 'act.wait_parts': '等待配件',
      'act.complete': '完成', 'act.accept': '住户验收', 'act.reopen': '退回重做',
      'act.return_visit': '回访', 'act.close': '结案', 'act.cancel': '取消',
      'act.received': '受理', 'act.feedback': '反馈住户', 'act.judge': '投诉定性',
      'act.note': '备注', 'act.escalated': '超时上报',
      'form.assignee': '处理人', 'form.department': '部门', 'form.dueAt': '完成期限',
      'form.note': '备注', 'form.submit': '确认', 'form.cancel': '取消',
      'form.attitude': '态度', 'form.quality': '质量', 'form.punctuality': '准时',
      'form.confirmed': '住户已确认', 'form.reason': '取消原因', 'form.choose': '— 请选择 —',
      'form.required': '请填写{f}。', 'form.told': '告知住户的内容', 'form.valid': '有效投诉',
      'form.serious': '重大投诉',
      'form.rate': '请为“{f}”打分（1–5，按住户所说）。',
      'form.confirmedNeeded': '住户已确认（投诉结案必须）',
      'form.confirmRequired': '投诉须经住户确认才能结案：请先联系住户，再勾选“住户已确认”。',
      'new.title': '前台受理', 'new.unit': '房号', 'new.type': '类型', 'new.category': '类别',
      'new.item': '服务项目', 'new.description': '描述', 'new.channel': '渠道',
      'channel.desk': '前台', 'channel.phone': '电话', 'channel.kiosk': '自助终端',
      'details.empty': '选择一条请求查看进度与记录', 'details.promises': '服务承诺',
      'details.history': '处理记录', 'details.ratings': '回访评分',
      'fact.number': '编号', 'fact.unit': '房号', 'fact.type': '类型', 'fact.channel': '渠道',
      'fact.owner': '负责管家', 'fact.assignee': '处理人', 'fact.department': '部门',
      'fact.created': '受理时间', 'fact.description': '描述', 'fact.severity': '性质',
      'promise.met': '已兑现 {t}', 'promise.open': '期限 {t}', 'promise.escalated': '已上报',
      'severity.ordinary': '一般', 'severity.serious': '重大', 'common.close': '关闭',
    },
    en: {
      'nav.board': 'Alarms', 'nav.requests': 'Service requests',
      'rq.heading': 'Service requests', 'rq.loading': 'Loading…', 'rq.ready': '{n} · updated {time}',
      'rq.error': 'Cannot load: {detail}', 'rq.empty': 'No service requests',
      'rq.filter.open': 'Open', 'rq.filter.all': 'All', 'rq.filter.overdue': 'Overdue only',
      'rq.filter.mine': 'Mine only', 'rq.filter.allBuildings': 'All buildings', 'rq.new': 'New request',
      'col.number': 'Number', 'col.unit': 'Flat', 'col.type': 'Type', 'col.title': 'Subject',
      'col.state': 'State', 'col.owner': 'Butler', 'col.assignee': 'Assignee',
      'col.next': 'Next promise', 'col.due': 'Deadline', 'col.actions': 'Actions',
      'due.left': '{d} left', 'due.late': '{d} late', 'due.none': '—', 'overdue': 'Overdue',
      'type.repair': 'Repair', 'type.urgent_repair': 'Urgent repair', 'type.complaint': 'Complaint',
      'type.enquiry': 'Enquiry', 'type.suggestion': 'Suggestion', 'type.help': 'Help',
      'type.service_order': 'Paid service', 'type.assistance': 'Assistance',
      'state.received': 'Received', 'state.assigned': 'Assigned', 'state.in_progress': 'In progress',
      'state.waiting_parts': 'Waiting for parts', 'state.completed': 'Completed',
      'state.accepted': 'Accepted', 'state.return_visit': 'Return visit done',
      'state.closed': 'Closed', 'state.cancelled': 'Cancelled',
      'act.assign': 'Assign', 'act.start': 'Start', 'act.wait_parts': 'Waiting for parts',
      'act.complete': 'Complete', 'act.accept': 'Resident accepts', 'act.reopen': 'Send back',
      'act.return_visit': 'Return visit', 'act.close': 'Close', 'act.cancel': 'Cancel',
      'act.received': 'Received', 'act.feedback': 'Feedback', 'act.judge': 'Judge',
      'act.note': 'Note', 'act.escalated': 'Escalated',
      'form.assignee': 'Assignee', 'form.department': 'Department', 'form.dueAt': 'Due by',
      'form.note': 'Note', 'form.submit': 'Confirm', 'form.cancel': 'Cancel',
      'form.attitude': 'Attitude', 'form.quality': 'Quality', 'form.punctuality': 'Punctuality',
      'form.confirmed': 'Resident confirmed', 'form.reason': 'Reason', 'form.choose': '— choose —',
      'form.required': 'Please fill in {f}.', 'form.told': 'What the resident was told',
      'form.valid': 'Valid complaint', 'form.serious': 'Serious',
      'form.rate': 'Rate {f} (1–5, as the resident said).',
      'form.confirmedNeeded': 'Resident confirmed (required to close a complaint)',
      'form.confirmRequired': 'A complaint closes only with the resident\'s confirmation: ask the resident, then tick "Resident confirmed".',
      'new.title': 'Take a request', 'new.unit': 'Flat', 'new.type': 'Type',
      'new.category': 'Category', 'new.item': 'Menu item', 'new.description': 'Description',
      'new.channel': 'Channel',
      'channel.desk': 'Desk', 'channel.phone': 'Phone', 'channel.kiosk': 'Kiosk',
      'details.empty': 'Select a request to see its progress and history',
      'details.promises': 'Promises', 'details.history': 'History', 'details.ratings': 'Ratings',
      'fact.number': 'Number', 'fact.unit': 'Flat', 'fact.type': 'Type', 'fact.channel': 'Channel',
      'fact.owner': 'Butler', 'fact.assignee': 'Assignee', 'fact.department': 'Department',
      'fact.created': 'Received', 'fact.description': 'Description', 'fact.severity': 'Severity',
      'promise.met': 'kept {t}', 'promise.open': 'due {t}', 'promise.escalated': 'escalated',
      'severity.ordinary': 'Ordinary', 'severity.serious': 'Serious', 'common.close': 'Close',
    },
  };

  // controlroom/request_flow.py: who acts, the steps from each state, the technician's steps.
  const ACT_ROLES = ['frontdesk', 'supervisor', 'admin'];
  const READ_ROLES = [...ACT_ROLES, 'maintenance', 'operator'];
  const TECH_STEPS = ['start', 'wait_parts', 'complete'];
  const STEPS_FROM = {
    received: ['assign', 'cancel'],
    assigned: ['start', 'complete', 'assign', 'cancel'],
    in_progress: ['wait_parts', 'complete', 'cancel'],
    waiting_parts: ['start', 'cancel'],
    completed: ['accept', 'reopen'],
    accepted: ['return_visit'],
    return_visit: ['close'],
  };
  // A complaint is also given feedback (its 24-hour promise) and judged while it is worked.
  const COMPLAINT_STEPS = ['feedback', 'judge'];
  const WORKING = ['received', 'assigned', 'in_progress', 'waiting_parts'];
  const PATHS = { wait_parts: 'wait-parts', return_visit: 'return-visit' };
  const FORM_STEPS = ['assign', 'return_visit', 'close', 'cancel', 'feedback', 'judge'];
  const POLL_MS = 5000;

  const st = {
    view: 'board',
    rows: [],
    choices: null,
    filters: { state: 'open', overdue: false, mine: false, building: '' },
    status: 'loading',
    error: '',
    syncedAt: null,
    selected: null,
    detail: null,
    openForm: null, // {id, step}
    poll: null,
    gen: 0,
  };

  const EB = () => window.EstateButler;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const byTestId = (id, root) => $(`[data-testid="${id}"]`, root);
  const lang = () => (EB() && EB().lang() === 'en' ? 'en' : 'zh');
  const session = () => (EB() ? EB().session() : null);
  const role = () => (session() ? session().role : '');

  function t(key, params) {
    let s = I18N[lang()][key];
    if (s === undefined) s = I18N.zh[key];
    if (s === undefined) return key;
    if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
    return s;
  }

  function node(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k === 'text') n.textContent = v;
      else if (k === 'testid') n.dataset.testid = v;
      else if (k === 'i18n') {
        n.dataset.rqI18n = v;
        n.textContent = t(v);
      } else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined) n.append(c);
    return n;
  }

  /** The site's time, `YYYY-MM-DD HH:mm` (time.js: the console's one format). */
  const fmtTime = (iso, mode) => window.EstateButlerTime.format(iso, mode || 'minute');

  /** A server note's ISO times (e.g. an assignment's deadline) as the site's times. */
  const noteTimes = (text) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)/g,
    (iso) => fmtTime(iso, 'minute'));

  function fmtSpan(ms) {
    const m = Math.floor(Math.abs(ms) / 60000);
    if (m < 60) return lang() === 'zh' ? `${m} 分` : `${m} min`;
    const h = Math.floor(m / 60);
    if (h < 48) return lang() === 'zh' ? `${h} 时 ${m % 60} 分` : `${h} h ${m % 60} min`;
    return lang() === 'zh' ? `${Math.floor(h / 24)} 天` : `${Math.floor(h / 24)} d`;
  }

  function promiseLabel(r, name) {
    const p = (r.promises || []).find((x) => x.name === name);
    return p ? (lang() === 'zh' ? p.label_zh : p.label_en) : '—';
  }

  const title = (r) => (lang() === 'zh' ? r.title_zh : r.title_en);

  function mayStep(r, step) {
    if (ACT_ROLES.includes(role())) return true;
    return role() === 'maintenance' && TECH_STEPS.includes(step) && r.assignee === session().username;
  }

  // ---------------------------------------------------------------------------------------
  // The page's skeleton (built once)
  // ---------------------------------------------------------------------------------------

  const el = {};

  function build() {
    const view = byTestId('requests-view');
    el.view = view;
    el.status = node('span', { class: 'board-status', testid: 'requests-status', 'data-state': 'loading' });
    el.stateSel = node('select', { testid: 'filter-state', onchange: onFilter },
      node('option', { value: 'open', i18n: 'rq.filter.open' }),
      node('option', { value: 'all', i18n: 'rq.filter.all' }));
    el.buildingSel = node('select', { testid: 'filter-building', onchange: onFilter },
      node('option', { value: '', i18n: 'rq.filter.allBuildings' }));
    el.overdueBox = node('input', { type: 'checkbox', testid: 'filter-overdue', onchange: onFilter });
    el.mineBox = node('input', { type: 'checkbox', testid: 'filter-mine', onchange: onFilter });
    el.newBtn = node('button', { type: 'button', class: 'btn btn-small btn-primary', testid: 'new-request',
      i18n: 'rq.new', onclick: toggleNewForm });
    el.error = node('p', { class: 'banner banner-error', testid: 'requests-error', role: 'alert', hidden: true });
    el.newForm = node('form', { class: 'inline-form rq-new', testid: 'new-request-form', hidden: true, novalidate: true,
      onsubmit: onNewSubmit });
    el.tbody = node('tbody', { testid: 'requests-body' });
    el.empty = node('p', { class: 'rq-empty', testid: 'requests-empty', i18n: 'rq.empty', hidden: true });
    const cols = ['number', 'unit', 'type', 'title', 'state', 'owner', 'assignee', 'next', 'due', 'actions'];
    const table = node('table', { class: 'board rq-table', testid: 'requests-table' },
      node('thead', {}, node('tr', {}, ...cols.map((c) => node('th', { class: `rq-c-${c}`, i18n: `col.${c}` })))),
      el.tbody);
    el.details = node('aside', { class: 'details rq-details', testid: 'request-details', hidden: true });
    view.append(
      node('div', { class: 'board-wrap rq-wrap' },
        node('div', { class: 'board-head' }, node('h2', { i18n: 'rq.heading' }), el.status),
        node('div', { class: 'rq-filters', testid: 'requests-filters' },
          el.stateSel, el.buildingSel,
          node('label', {}, el.overdueBox, node('span', { i18n: 'rq.filter.overdue' })),
          node('label', {}, el.mineBox, node('span', { i18n: 'rq.filter.mine' })),
          el.newBtn),
        el.newForm, el.error, table, el.empty),
      el.details);
  }

  function translate() {
    document.querySelectorAll('[data-rq-i18n]').forEach((n) => { n.textContent = t(n.dataset.rqI18n); });
    if (st.choices) fillBuildings();
    if (!st.openForm) renderRows();
    renderStatus();
    renderDetails();
    if (!el.newForm.hidden) buildNewForm();
  }

  // ---------------------------------------------------------------------------------------
  // Which page shows
  // ---------------------------------------------------------------------------------------

  function onSession(s) {
    if (!s || !READ_ROLES.includes(s.role)) {
      hide();
      st.rows = [];
      st.selected = null;
      st.detail = null;
      st.openForm = null;
      return;
    }
    el.newBtn.hidden = !ACT_ROLES.includes(s.role);
  }

  // app.js shows one page at a time and draws the navigation (window.EstateButlerPages).
  function show() {
    st.view = 'requests';
    el.view.hidden = false;
    loadChoices();
    load();
    startPolling();
  }

  function hide() {
    st.view = null;
    el.view.hidden = true;
    stopPolling();
  }

  (window.EstateButlerPages = window.EstateButlerPages || []).push({
    id: 'requests', roles: READ_ROLES, label: () => t('nav.requests'), show, hide,
  });

  function startPolling() {
    stopPolling();
    st.poll = setInterval(() => {
      if (!st.openForm) load();
    }, POLL_MS);
  }

  function stopPolling() {
    clearInterval(st.poll);
    st.poll = null;
  }

  // ---------------------------------------------------------------------------------------
  // Loading
  // ---------------------------------------------------------------------------------------

  async function loadChoices() {
    if (st.choices) return;
    try {
      st.choices = await EB().api('api/requests/choices');
      fillBuildings();
    } catch (_) { /* the queue still works; the forms show what they can */ }
  }

  function fillBuildings() {
    const cur = el.buildingSel.value;
    const opts = [node('option', { value: '', i18n: 'rq.filter.allBuildings' })];
    for (const b of st.choices.buildings) {
      opts.push(node('option', { value: b.id, text: lang() === 'zh' ? b.name_zh : b.name_en }));
    }
    el.buildingSel.replaceChildren(...opts);
    el.buildingSel.value = cur;
  }

  function onFilter() {
    st.filters = {
      state: el.stateSel.value,
      building: el.buildingSel.value,
      overdue: el.overdueBox.checked,
      mine: el.mineBox.checked,
    };
    load();
  }

  async function load() {
    if (!session()) return;
    const gen = ++st.gen;
    const q = new URLSearchParams({ state: st.filters.state });
    if (st.filters.building) q.set('building', st.filters.building);
    if (st.filters.overdue) q.set('overdue', 'true');
    if (st.filters.mine) q.set('owner', session().username);
    try {
      const data = await EB().api(`api/requests?${q}`);
      if (gen !== st.gen) return;
      st.rows = data.data;
      st.status = 'ready';
      st.error = '';
      st.syncedAt = new Date();
    } catch (err) {
      if (gen !== st.gen) return;
      st.status = 'error';
      st.error = err.detail;
    }
    if (!st.openForm) renderRows();
    renderStatus();
    if (st.selected) refreshDetails();
  }

  // ---------------------------------------------------------------------------------------
  // The queue
  // ---------------------------------------------------------------------------------------

  function renderStatus() {
    if (!el.status) return;
    el.status.dataset.state = st.status;
    el.status.textContent = st.status === 'loading' ? t('rq.loading')
      : st.status === 'error' ? t('rq.error', { detail: st.error })
        : t('rq.ready', { n: st.rows.length, time: st.syncedAt ? fmtTime(st.syncedAt, 'time') : '' });
  }

  function renderRows() {
    if (!el.tbody) return;
    el.tbody.replaceChildren(...st.rows.map(row));
    el.empty.hidden = st.rows.length > 0 || st.status !== 'ready';
    tick();
  }

  function row(r) {
    const tr = node('tr', {
      class: `rq-row${r.overdue ? ' is-overdue' : ''}${st.selected === r.id ? ' is-selected' : ''}`,
      testid: 'request-row', 'data-request-id': String(r.id), 'data-state': r.state,
      'data-overdue': r.overdue ? 'true' : 'false', tabindex: '0',
      onclick: (ev) => { if (!ev.target.closest('button')) select(r.id); },
    });
    const due = node('td', { class: 'rq-c-due mono', testid: 'request-due' });
    if (r.next_due) {
      due.append(node('span', { class: 'rq-due-at', text: fmtTime(r.next_due) }),
        node('span', { class: 'rq-due-left', testid: 'request-due-left', 'data-due': r.next_due }));
    } else {
      due.textContent = t('due.none');
    }
    const stateCell = node('td', { class: 'rq-c-state' },
      node('span', { class: `rq-state rq-state-${r.state}`, testid: 'request-state', text: t(`state.${r.state}`) }));
    if (r.overdue) stateCell.append(node('span', { class: 'tag rq-tag-overdue', testid: 'request-overdue', text: t('overdue') }));
    const actions = node('td', { class: 'rq-c-actions' });
    const steps = [...(STEPS_FROM[r.state] || [])];
    if (r.type === 'complaint' && WORKING.includes(r.state)) steps.push(...COMPLAINT_STEPS);
    for (const step of steps) {
      if (!mayStep(r, step)) continue;
      actions.append(node('button', {
        type: 'button', class: `btn btn-small${step === 'assign' || step === 'start' ? ' btn-primary' : ''}`,
        testid: `step-${step}`, text: t(`act.${step}`), onclick: (ev) => onStep(r, step, ev.currentTarget),
      }));
    }
    tr.append(
      node('td', { class: 'rq-c-number mono', testid: 'request-number', text: r.number }),
      node('td', { class: 'rq-c-unit', testid: 'request-unit', text: r.unit }),
      node('td', { class: 'rq-c-type', testid: 'request-type', text: t(`type.${r.type}`) }),
      node('td', { class: 'rq-c-title', testid: 'request-title', text: title(r) }),
      stateCell,
      node('td', { class: 'rq-c-owner', testid: 'request-owner', text: r.owner || '—' }),
      node('td', { class: 'rq-c-assignee', testid: 'request-assignee', text: r.assignee || '—' }),
      node('td', { class: 'rq-c-next', testid: 'request-next', text: r.next_promise ? promiseLabel(r, r.next_promise) : '—' }),
      due, actions);
    return tr;
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll('[data-testid="request-due-left"]').forEach((n) => {
      const left = new Date(n.dataset.due).getTime() - now;
      n.textContent = left >= 0 ? t('due.left', { d: fmtSpan(left) }) : t('due.late', { d: fmtSpan(left) });
      n.classList.toggle('is-late', left < 0);
    });
  }

  // ---------------------------------------------------------------------------------------
  // Steps
  // ---------------------------------------------------------------------------------------

  function showError(detail) {
    el.error.hidden = !detail;
    el.error.textContent = detail || '';
  }

  async function send(r, step, body, button) {
    if (button) button.disabled = true;
    try {
      const updated = await EB().api(`api/requests/${r.id}/${PATHS[step] || step}`, { method: 'POST', json: body || {} });
      showError('');
      closeForm();
      if (st.selected === r.id) st.detail = updated;
      await load();
      return true;
    } catch (err) {
      showError(err.detail);
      return false;
    } finally {
      if (button) button.disabled = false;
    }
  }

  function onStep(r, step, button) {
    if (FORM_STEPS.includes(step)) openForm(r, step);
    else send(r, step, {}, button);
  }

  function closeForm() {
    st.openForm = null;
    const open = $('.rq-form-row', el.tbody);
    if (open) open.remove();
  }

  function field(labelKey, input) {
    return node('label', {}, node('span', { i18n: labelKey }), input);
  }

  // No rating is chosen for the caller: an untouched form must not record 5/5/5 (issue 19).
  function ratingSelect(name) {
    return node('select', { name, testid: `form-${name}`, required: true },
      node('option', { value: '', text: t('form.choose') }),
      ...[5, 4, 3, 2, 1].map((n) => node('option', { value: String(n), text: String(n) })));
  }

  function openForm(r, step) {
    closeForm();
    renderRows();
    st.openForm = { id: r.id, step };
    const err = node('span', { class: 'form-error', testid: 'form-error', role: 'alert', hidden: true });
    const form = node('form', { class: 'inline-form', testid: `${step}-form`, novalidate: true });
    const parts = [node('span', { class: 'inline-title', text: `${t(`act.${step}`)} · ${r.number}` })];
    if (step === 'assign') {
      const people = (st.choices && st.choices.assignees) || [];
      parts.push(
        field('form.assignee', node('select', { name: 'assignee', testid: 'form-assignee' },
          node('option', { value: '', text: t('form.choose') }),
          ...people.map((p) => node('option', { value: p.username, text: `${p.name} (${p.username})` })))),
        field('form.department', node('input', { name: 'department', testid: 'form-department', value: r.department || '', maxlength: '64' })),
        field('form.dueAt', node('input', { name: 'due_at', type: 'datetime-local', testid: 'form-due-at' })));
    } else if (step === 'return_visit') {
      parts.push(field('form.attitude', ratingSelect('attitude')), field('form.quality', ratingSelect('quality')),
        field('form.punctuality', ratingSelect('punctuality')));
    } else if (step === 'close') {
      const complaint = r.type === 'complaint';
      parts.push(node('label', {}, node('input', { type: 'checkbox', name: 'resident_confirmed', testid: 'form-confirmed', required: complaint }),
        node('span', { i18n: complaint ? 'form.confirmedNeeded' : 'form.confirmed' })));
    } else if (step === 'judge') {
      parts.push(
        node('label', {}, node('input', { type: 'checkbox', name: 'valid', testid: 'form-valid', checked: r.valid !== false }),
          node('span', { i18n: 'form.valid' })),
        node('label', {}, node('input', { type: 'checkbox', name: 'serious', testid: 'form-serious', checked: r.severity === 'serious' }),
          node('span', { i18n: 'form.serious' })));
    }
    const noteKey = { cancel: 'form.reason', feedback: 'form.told' }[step] || 'form.note';
    parts.push(node('label', { class: 'grow' }, node('span', { i18n: noteKey }),
      node('input', { name: 'note', testid: 'form-note', maxlength: '2000' })));
    parts.push(
      node('button', { type: 'submit', class: 'btn btn-small btn-primary', testid: 'form-submit', i18n: 'form.submit' }),
      node('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'form-cancel', i18n: 'form.cancel',
        onclick: () => { closeForm(); renderRows(); } }),
      err);
    form.append(...parts);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const body = { note: String(f.get('note') || '') };
      const need = (name, labelKey) => {
        if (f.get(name)) return true;
        err.hidden = false;
        err.textContent = t('form.required', { f: t(labelKey) });
        return false;
      };
      if (step === 'assign') {
        if (!need('assignee', 'form.assignee')) return;
        body.assignee = String(f.get('assignee'));
        if (f.get('department')) body.department = String(f.get('department'));
        if (f.get('due_at')) body.due_at = window.EstateButlerTime.fromLocalInput(String(f.get('due_at'))); // site time
      } else if (step === 'return_visit') {
        for (const k of ['attitude', 'quality', 'punctuality']) {
          if (!f.get(k)) {
            err.hidden = false;
            err.textContent = t('form.rate', { f: t(`form.${k}`) });
            return;
          }
          body[k] = Number(f.get(k));
        }
      } else if (step === 'close') {
        body.resident_confirmed = f.get('resident_confirmed') === 'on';
        if (r.type === 'complaint' && !body.resident_confirmed) {
          err.hidden = false;
          err.textContent = t('form.confirmRequired');
          return;
        }
      } else if (step === 'judge') {
        body.valid = f.get('valid') === 'on';
        body.serious = f.get('serious') === 'on';
      } else if (step === 'cancel' && !need('note', 'form.reason')) {
        return;
      } else if (step === 'feedback' && !need('note', 'form.told')) {
        return;
      }
      const ok = await send(r, step, body, $('[data-testid="form-submit"]', form));
      if (!ok) {
        err.hidden = false;
        err.textContent = el.error.textContent;
      }
    });
    const tr = node('tr', { class: 'form-row rq-form-row', testid: `${step}-form-row` },
      node('td', { colspan: '10' }, form));
    const anchor = $(`[data-testid="request-row"][data-request-id="${r.id}"]`, el.tbody);
    if (anchor) anchor.after(tr);
    const first = $('select, input', form);
    if (first) first.focus();
  }

  // ---------------------------------------------------------------------------------------
  // Taking a request at the desk
  // ---------------------------------------------------------------------------------------

  function toggleNewForm() {
    el.newForm.hidden = !el.newForm.hidden;
    if (!el.newForm.hidden) buildNewForm();
  }

  function buildNewForm() {
    const c = st.choices || { categories: { repair: [], complaint: [] }, items: [] };
    const name = (x) => (lang() === 'zh' ? x.name_zh : x.name_en);
    const type = node('select', { name: 'type', testid: 'new-type' },
      ...['repair', 'urgent_repair', 'complaint', 'enquiry', 'suggestion', 'help', 'service_order', 'assistance']
        .map((v) => node('option', { value: v, text: t(`type.${v}`) })));
    const category = node('select', { name: 'category', testid: 'new-category' });
    const item = node('select', { name: 'item', testid: 'new-item' });
    const sync = () => {
      const v = type.value;
      const cats = v === 'complaint' ? c.categories.complaint : c.categories.repair;
      category.replaceChildren(...cats.map((x) => node('option', { value: x.id, text: name(x) })));
      const items = c.items.filter((x) => (v === 'assistance' ? x.menu === 'assistance' : x.menu !== 'assistance'));
      item.replaceChildren(...items.map((x) => node('option', { value: x.id, text: name(x) })));
      category.parentElement.hidden = !['repair', 'urgent_repair', 'complaint'].includes(v);
      item.parentElement.hidden = !['service_order', 'assistance'].includes(v);
    };
    type.addEventListener('change', sync);
    const err = node('span', { class: 'form-error', testid: 'form-error', role: 'alert', hidden: true });
    el.newForm.replaceChildren(
      node('span', { class: 'inline-title', i18n: 'new.title' }),
      field('new.unit', node('input', { name: 'unit', testid: 'new-unit', placeholder: '1-2-1502', maxlength: '32' })),
      field('new.type', type), field('new.category', category), field('new.item', item),
      field('new.channel', node('select', { name: 'channel', testid: 'new-channel' },
        node('option', { value: 'desk', text: t('channel.desk') }),
        node('option', { value: 'phone', text: t('channel.phone') }))),
      node('label', { class: 'grow' }, node('span', { i18n: 'new.description' }),
        node('input', { name: 'description', testid: 'new-description', maxlength: '500' })),
      node('button', { type: 'submit', class: 'btn btn-small btn-primary', testid: 'new-submit', i18n: 'form.submit' }),
      node('button', { type: 'button', class: 'btn btn-small btn-ghost', i18n: 'form.cancel',
        onclick: () => { el.newForm.hidden = true; } }),
      err);
    sync();
  }

  async function onNewSubmit(ev) {
    ev.preventDefault();
    const f = new FormData(el.newForm);
    const err = byTestId('form-error', el.newForm);
    if (window.EstateButlerFieldErrors) window.EstateButlerFieldErrors.clear(el.newForm);
    const body = {
      unit: String(f.get('unit') || '').trim(),
      type: String(f.get('type')),
      channel: String(f.get('channel')),
      description: String(f.get('description') || ''),
    };
    if (!body.unit) {
      err.hidden = false;
      err.textContent = t('form.required', { f: t('new.unit') });
      return;
    }
    if (['repair', 'urgent_repair', 'complaint'].includes(body.type)) body.category = String(f.get('category'));
    if (['service_order', 'assistance'].includes(body.type)) body.item = String(f.get('item'));
    try {
      const created = await EB().api('api/requests', { method: 'POST', json: body });
      el.newForm.hidden = true;
      st.selected = created.id;
      st.detail = created;
      await load();
      renderDetails();
    } catch (e) {
      // Field errors in the console's language (fielderrors.js), else the answer's words.
      const fe = window.EstateButlerFieldErrors;
      if (fe && fe.show(el.newForm, e.body, err)) return;
      err.hidden = false;
      err.textContent = e.detail;
    }
  }

  // ---------------------------------------------------------------------------------------
  // One request: promises and history
  // ---------------------------------------------------------------------------------------

  function select(id) {
    st.selected = id;
    st.detail = null;
    document.querySelectorAll('[data-testid="request-row"]').forEach((n) => {
      n.classList.toggle('is-selected', n.dataset.requestId === String(id));
    });
    refreshDetails();
  }

  async function refreshDetails() {
    const id = st.selected;
    try {
      const r = await EB().api(`api/requests/${id}`);
      if (st.selected !== id) return;
      st.detail = r;
    } catch (_) {
      st.detail = null;
    }
    renderDetails();
  }

  function renderDetails() {
    const pane = el.details;
    if (!pane) return;
    const r = st.detail;
    pane.hidden = !st.selected;
    if (!r) {
      pane.replaceChildren(node('div', { class: 'details-empty', i18n: 'details.empty' }));
      return;
    }
    pane.dataset.requestId = String(r.id);
    const facts = node('dl', { class: 'facts', testid: 'request-facts' });
    const fact = (k, v) => facts.append(node('dt', { text: t(`fact.${k}`) }), node('dd', { text: v || '—' }));
    fact('number', r.number);
    fact('unit', r.unit);
    fact('type', `${t(`type.${r.type}`)} · ${title(r)}`);
    if (r.type === 'complaint') fact('severity', t(`severity.${r.severity}`));
    fact('channel', t(`channel.${r.channel}`));
    fact('owner', r.owner);
    fact('assignee', r.assignee);
    fact('department', r.department);
    fact('created', fmtTime(r.created_at));
    fact('description', r.description);
    const promises = node('ul', { class: 'rq-promises', testid: 'request-promises' },
      ...r.promises.map((p) => node('li', {
        class: `rq-promise${p.escalated ? ' is-escalated' : ''}${p.met_at ? ' is-met' : ''}`,
        testid: 'request-promise', 'data-name': p.name,
      }, node('b', { text: lang() === 'zh' ? p.label_zh : p.label_en }), ' ',
      node('span', { text: p.met_at ? t('promise.met', { t: fmtTime(p.met_at) }) : t('promise.open', { t: fmtTime(p.due) }) }),
      p.escalated ? node('span', { class: 'tag rq-tag-overdue', text: t('promise.escalated') }) : null)));
    const history = node('ol', { class: 'history', testid: 'request-history' },
      ...r.history.map((h) => node('li', { testid: 'request-history-item', 'data-action': h.action },
        node('time', { class: 'mono', datetime: h.at, text: fmtTime(h.at, 'full') }),
        node('span', { class: 'h-action', text: t(`act.${h.action}`) }),
        node('span', { class: 'h-actor', text: h.actor }),
        h.note ? node('p', { class: 'h-note', text: noteTimes(h.note) }) : null)));
    const parts = [
      node('div', { class: 'details-head' },
        node('h2', { testid: 'request-details-title', text: `${r.number} · ${t(`state.${r.state}`)}` }),
        node('button', { type: 'button', class: 'btn btn-small btn-ghost', testid: 'request-details-close', i18n: 'common.close',
          onclick: () => { st.selected = null; st.detail = null; renderDetails(); renderRows(); } })),
      facts,
      node('h3', { i18n: 'details.promises' }), promises,
    ];
    if (r.ratings) {
      parts.push(node('h3', { i18n: 'details.ratings' }), node('p', { testid: 'request-ratings', text:
        `${t('form.attitude')} ${r.ratings.attitude} · ${t('form.quality')} ${r.ratings.quality} · ${t('form.punctuality')} ${r.ratings.punctuality}` }));
    }
    parts.push(node('h3', { i18n: 'details.history' }), history);
    pane.replaceChildren(...parts);
  }

  // ---------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------

  function init() {
    build();
    document.addEventListener('eb:session', (ev) => onSession(ev.detail));
    document.addEventListener('eb:language', translate);
    document.addEventListener('eb:timezone', translate); // the site's zone arrived: redraw times
    setInterval(tick, 1000);
    // app.js may have restored a session before this script ran.
    if (EB() && EB().session()) onSession(EB().session());
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
