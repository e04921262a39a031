/* Estate Butler control-room console: the front-desk pages (held items).
 *
 * Parcel check-in (the pickup code is shown once, for the claim stub), the held-items
 * register with release at the desk, and the daily reconciliation against the shelves.
 * Plain browser JavaScript like app.js. It loads before app.js and tells it which roles it
 * serves (window.EstateButlerPages); app.js announces a signed-in session with the
 * 'eb:session' event. The language follows <html lang>, which app.js sets.
 *
 * Test hooks: data-testid on every element a test needs; register rows carry data-item-id
 * and data-serial.
 */
(function () {
  'use strict';

  const DESK_ROLES = ['frontdesk', 'supervisor', 'admin'];
  const SESSION_KEY = 'estate-butler.controlroom.session';


  const I18N = {
    zh: {
      'nav.board': '警报', 'nav.desk': '前台物品',
      'tab.checkin': '物品登记', 'tab.register': '寄存登记簿', 'tab.reconcile': '每日盘点',
      'checkin.heading': '物品登记（快递、寄存、转交、钥匙）',
      'f.unit': '房号', 'f.kind': '类型', 'f.pieces': '件数', 'f.location': '存放位置',
      'f.carrier': '快递公司', 'f.barcode': '运单号', 'f.condition': '外观/破损说明',
      'f.depositor': '寄存/转交人', 'f.flags': '拒收类别（如有请勾选）',
      'f.unitPh': '例如 1-2-1502', 'f.locationPh': '例如 A-03',
      'f.locationHint': '只能用字母、数字、汉字和“-”，最多 16 个，例如 A-03 或 A区03',
      'kind.parcel': '快递', 'kind.deposit': '寄存', 'kind.handover': '转交', 'kind.key': '钥匙',
      'flag.dangerous': '危险品', 'flag.perishable': '易腐烂', 'flag.insect_prone': '易生虫',
      'flag.smelly': '有异味', 'flag.cash': '现金', 'flag.valuables': '贵重物品',
      'checkin.submit': '登记并通知住户', 'checkin.busy': '正在登记…',
      'stub.heading': '取件联', 'stub.code': '取件码', 'stub.serial': '编号',
      'stub.once': '取件码只显示这一次：请立即写在取件联上交给住户，并把编号贴在物品上。住户已收到短信通知。',
      'stub.done': '已抄写，关闭',
      'register.heading': '寄存登记簿', 'register.refresh': '刷新',
      'register.state': '状态', 'state.held': '在库', 'state.released': '已领取', 'state.all': '全部',
      'register.empty': '没有符合条件的物品',
      'col.serial': '编号', 'col.unit': '房号', 'col.kind': '类型', 'col.pieces': '件数',
      'col.location': '位置', 'col.received': '登记时间', 'col.by': '经办', 'col.state': '状态',
      'col.days': '天数', 'col.actions': '操作', 'col.picked': '领取',
      'release.open': '出库', 'release.heading': '前台出库',
      'release.pieces': '清点件数', 'release.code': '取件码（取件联）',
      'release.collector': '领取人姓名', 'release.id': '证件号码',
      'release.hint': '快递/寄存：凭取件码；无取件码或转交/钥匙：登记领取人身份证号（本户住户或其紧急联系人）。',
      'release.submit': '确认出库', 'release.cancel': '取消',
      'release.done': '{serial} 已出库',
      'release.idRequired': '取件码不对或没有取件码时，须登记领取人证件号码',
      'release.notEntitled': '领取人须是本户住户或其登记的紧急联系人（填证件上的姓名）',
      'release.piecesMismatch': '件数与登记不符，请重新清点',
      'reconcile.heading': '每日盘点：核对登记簿与货架',
      'reconcile.hint': '逐件核对货架，勾选看到的物品，然后提交。缺失的物品会立即上报管家部主管。',
      'reconcile.submit': '提交盘点结果', 'reconcile.empty': '登记簿中没有在库物品',
      'reconcile.clean': '盘点完毕：{n} 件全部在架。',
      'reconcile.missing': '缺失 {n} 件，已上报主管：{list}',
      'reconcile.unexpected': '登记簿外的编号：{list}',
      'err.network': '无法连接控制室，请稍后再试。',
    },
    en: {
      'nav.board': 'Alarms', 'nav.desk': 'Front desk',
      'tab.checkin': 'Check-in', 'tab.register': 'Register', 'tab.reconcile': 'Daily check',
      'checkin.heading': 'Check an item in (parcel, deposit, hand-over, key)',
      'f.unit': 'Flat', 'f.kind': 'Kind', 'f.pieces': 'Pieces', 'f.location': 'Location',
      'f.carrier': 'Carrier', 'f.barcode': 'Tracking no.', 'f.condition': 'Condition / damage',
      'f.depositor': 'Left by', 'f.flags': 'Refused categories (tick any that apply)',
      'f.unitPh': 'e.g. 1-2-1502', 'f.locationPh': 'e.g. A-03',
      'f.locationHint': 'letters, digits, Chinese characters and "-" only, at most 16, e.g. A-03 or A区03',
      'kind.parcel': 'Parcel', 'kind.deposit': 'Deposit', 'kind.handover': 'Hand-over',
      'kind.key': 'Key',
      'flag.dangerous': 'Dangerous', 'flag.perishable': 'Perishable',
      'flag.insect_prone': 'Insect-prone', 'flag.smelly': 'Smelly', 'flag.cash': 'Cash',
      'flag.valuables': 'Valuables',
      'checkin.submit': 'Check in and tell the resident', 'checkin.busy': 'Checking in…',
      'stub.heading': 'Claim stub', 'stub.code': 'Pickup code', 'stub.serial': 'No.',
      'stub.once': 'The pickup code is shown this once: write it on the claim stub for the resident now, and tag the item with its number. The resident has been sent a message.',
      'stub.done': 'Written down, close',
      'register.heading': 'Held-items register', 'register.refresh': 'Refresh',
      'register.state': 'State', 'state.held': 'Held', 'state.released': 'Collected',
      'state.all': 'All',
      'register.empty': 'No items match',
      'col.serial': 'No.', 'col.unit': 'Flat', 'col.kind': 'Kind', 'col.pieces': 'Pieces',
      'col.location': 'Location', 'col.received': 'Received', 'col.by': 'By',
      'col.state': 'State', 'col.days': 'Days', 'col.actions': 'Actions',
      'col.picked': 'Collected',
      'release.open': 'Release', 'release.heading': 'Release at the desk',
      'release.pieces': 'Pieces counted', 'release.code': 'Pickup code (stub)',
      'release.collector': 'Collector\u2019s name', 'release.id': 'ID number',
      'release.hint': 'Parcels and deposits: against the pickup code. Without it, and always for hand-overs and keys: record the collector\u2019s ID number (a resident of the flat or their emergency contact).',
      'release.submit': 'Release', 'release.cancel': 'Cancel',
      'release.done': '{serial} released',
      'release.idRequired': 'without a matching pickup code, record the collector\u2019s ID number',
      'release.notEntitled': 'the collector must be a resident of the flat or one of their emergency contacts (the name on the ID)',
      'release.piecesMismatch': 'not the number on the register: count again',
      'reconcile.heading': 'Daily check: the register against the shelves',
      'reconcile.hint': 'Walk the shelves, tick each item you see, then submit. Anything missing goes to the butler supervisor at once.',
      'reconcile.submit': 'Submit the check', 'reconcile.empty': 'No items held on the register',
      'reconcile.clean': 'Check done: all {n} items on the shelves.',
      'reconcile.missing': '{n} missing, reported to the supervisor: {list}',
      'reconcile.unexpected': 'Not on the register: {list}',
      'err.network': 'Cannot reach the control room; try again shortly.',
    },
  };

  const FLAGS = ['dangerous', 'perishable', 'insect_prone', 'smelly', 'cash', 'valuables'];
  const KINDS = ['parcel', 'deposit', 'handover', 'key'];

  const st = {
    session: null,
    view: 'board', // board | desk
    tab: 'checkin',
    items: [],
    recon: [],
  };

  const $ = (sel, root) => (root || document).querySelector(sel);
  const tid = (id, root) => $(`[data-testid="${id}"]`, root);

  function lang() {
    return (document.documentElement.lang || 'zh').startsWith('en') ? 'en' : 'zh';
  }

  function t(key, params) {
    let s = I18N[lang()][key] || I18N.zh[key] || key;
    if (params) for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
    return s;
  }

  function h(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'testid') n.dataset.testid = v;
      else if (k === 'i18n') n.dataset.deskI18n = v;
      else if (k === 'i18nPh') n.dataset.deskI18nPh = v;
      else if (k === 'cls') n.className = v;
      else n.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined) n.append(c);
    return n;
  }

  /** The site's time, `YYYY-MM-DD HH:mm` (time.js: the console's one format). */
  const fmt = (iso) => (iso ? window.EstateButlerTime.format(iso, 'minute') : '');

  function days(iso) {
    return Math.floor((Date.now() - new Date(iso).getTime()) / 86400000);
  }

  class DeskError extends Error {
    constructor(status, detail, body) {
      super(detail);
      this.status = status;
      this.detail = detail;
      this.body = body || {};
    }
  }

  async function api(path, opts) {
    const o = opts || {};
    const headers = { Accept: 'application/json' };
    if (st.session) headers.Authorization = `Bearer ${st.session.token}`;
    let body;
    if (o.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.json);
    }
    let res;
    try {
      res = await fetch(path, { method: o.method || 'GET', headers, body, cache: 'no-store' });
    } catch (_) {
      throw new DeskError(0, t('err.network'));
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    if (!res.ok) {
      if (res.status === 401) tid('sign-out').click(); // the token ran out: sign in again
      const detail = data && typeof data.detail === 'string' ? data.detail : `${res.status}`;
      throw new DeskError(res.status, detail, data);
    }
    return data;
  }

  // Field errors in the console's language (fielderrors.js); false when none names a field.
  function showFieldErrors(form, err, summary, opts) {
    const fe = window.EstateButlerFieldErrors;
    return Boolean(fe && fe.show(form, err.body, summary, opts));
  }

  function clearFieldErrors(form) {
    if (window.EstateButlerFieldErrors) window.EstateButlerFieldErrors.clear(form);
  }

  const CHECKIN_HINTS = { location: () => t('f.locationHint') };
  const RELEASE_CODES = {
    id_required: ['id_number', () => t('release.idRequired')],
    not_entitled: ['collector', () => t('release.notEntitled')],
    pieces_mismatch: ['pieces', () => t('release.piecesMismatch')],
  };

  function showError(node, err) {
    const body = err.body || {};
    // A refusal at intake carries its reason in both languages.
    const text = lang() === 'zh' && body.reason_zh ? body.reason_zh : err.detail;
    node.textContent = text;
    node.hidden = false;
  }

  // -- building the pages ---------------------------------------------------------------------

  const el = {};

  function build() {
    el.view = tid('desk-view');

    const tabs = h('div', { cls: 'desk-tabs', role: 'tablist' },
      ...['checkin', 'register', 'reconcile'].map((k) => h('button', {
        type: 'button', cls: 'btn desk-tab', testid: `desk-tab-${k}`, i18n: `tab.${k}`,
        'data-tab': k, role: 'tab' })));
    tabs.addEventListener('click', (ev) => {
      const b = ev.target.closest('[data-tab]');
      if (b) showTab(b.dataset.tab);
    });
    el.view.append(tabs, buildCheckin(), buildRegister(), buildReconcile());
    translate();
  }

  function field(labelKey, input) {
    return h('label', { cls: 'desk-field' }, h('span', { i18n: labelKey }), input);
  }

  function buildCheckin() {
    const form = h('form', { cls: 'desk-form', testid: 'checkin-form', novalidate: true },
      h('h2', { i18n: 'checkin.heading' }),
      h('div', { cls: 'desk-row' },
        field('f.unit', h('input', { name: 'unit', testid: 'checkin-unit', required: true,
                                     i18nPh: 'f.unitPh', autocomplete: 'off', size: 13 })),
        field('f.kind', h('select', { name: 'kind', testid: 'checkin-kind' },
          ...KINDS.map((k) => h('option', { value: k, i18n: `kind.${k}` })))),
        field('f.pieces', h('input', { name: 'pieces', type: 'number', min: 1, max: 99,
                                       value: 1, testid: 'checkin-pieces', cls: 'narrow' })),
        field('f.location', h('input', { name: 'location', testid: 'checkin-location',
                                         required: true, i18nPh: 'f.locationPh', size: 8 }))),
      h('div', { cls: 'desk-row' },
        field('f.carrier', h('input', { name: 'carrier', testid: 'checkin-carrier', size: 12 })),
        field('f.barcode', h('input', { name: 'barcode', testid: 'checkin-barcode', size: 18 })),
        field('f.depositor', h('input', { name: 'depositor', testid: 'checkin-depositor',
                                          size: 10 })),
        field('f.condition', h('input', { name: 'condition', testid: 'checkin-condition',
                                          size: 20 }))),
      h('fieldset', { cls: 'desk-flags' }, h('legend', { i18n: 'f.flags' }),
        ...FLAGS.map((f) => h('label', { cls: 'desk-check' },
          h('input', { type: 'checkbox', name: 'flags', value: f, testid: `flag-${f}` }),
          h('span', { i18n: `flag.${f}` })))),
      h('p', { cls: 'form-error', testid: 'checkin-error', role: 'alert', hidden: true }),
      h('button', { type: 'submit', cls: 'btn btn-primary', testid: 'checkin-submit',
                    i18n: 'checkin.submit' }));
    form.addEventListener('submit', onCheckin);

    const stub = h('div', { cls: 'desk-stub', testid: 'stub', hidden: true, role: 'status' },
      h('h3', { i18n: 'stub.heading' }),
      h('div', { cls: 'stub-code-wrap' }, h('span', { i18n: 'stub.code' }),
        h('b', { cls: 'stub-code mono', testid: 'stub-code' })),
      h('dl', { cls: 'stub-facts' },
        h('dt', { i18n: 'stub.serial' }), h('dd', { cls: 'mono', testid: 'stub-serial' }),
        h('dt', { i18n: 'f.unit' }), h('dd', { cls: 'mono', testid: 'stub-unit' }),
        h('dt', { i18n: 'f.location' }), h('dd', { cls: 'mono', testid: 'stub-location' }),
        h('dt', { i18n: 'f.pieces' }), h('dd', { cls: 'mono', testid: 'stub-pieces' })),
      h('p', { cls: 'stub-once', i18n: 'stub.once' }),
      h('p', { cls: 'stub-warning', testid: 'stub-warning', hidden: true }),
      h('button', { type: 'button', cls: 'btn', testid: 'stub-done', i18n: 'stub.done' }));
    stub.querySelector('[data-testid="stub-done"]').addEventListener('click', clearStub);
    return h('div', { cls: 'desk-pane', testid: 'desk-checkin', 'data-tab': 'checkin' },
      form, stub);
  }

  function buildRegister() {
    const filters = h('form', { cls: 'desk-row desk-filters', testid: 'register-filters' },
      field('register.state', h('select', { name: 'state', testid: 'register-state' },
        ...['held', 'released', 'all'].map((s) => h('option', { value: s, i18n: `state.${s}` })))),
      field('f.unit', h('input', { name: 'unit', testid: 'register-unit', size: 13,
                                   i18nPh: 'f.unitPh' })),
      field('f.kind', h('select', { name: 'kind', testid: 'register-kind' },
        h('option', { value: '', i18n: 'state.all' }),
        ...KINDS.map((k) => h('option', { value: k, i18n: `kind.${k}` })))),
      h('button', { type: 'submit', cls: 'btn btn-small', testid: 'register-refresh',
                    i18n: 'register.refresh' }));
    filters.addEventListener('submit', (ev) => { ev.preventDefault(); loadRegister(); });
    filters.addEventListener('change', () => loadRegister());
    const cols = ['serial', 'unit', 'kind', 'pieces', 'location', 'received', 'by', 'days',
                  'state', 'picked', 'actions'];
    const table = h('table', { cls: 'board desk-table', testid: 'register-table' },
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { i18n: `col.${c}` })))),
      h('tbody', { testid: 'register-body' }));
    return h('div', { cls: 'desk-pane', testid: 'desk-register', 'data-tab': 'register' },
      h('h2', { i18n: 'register.heading' }), filters,
      h('p', { cls: 'form-error form-info', testid: 'register-status', role: 'status',
               hidden: true }),
      table,
      h('p', { cls: 'desk-empty', testid: 'register-empty', i18n: 'register.empty',
               hidden: true }));
  }

  function buildReconcile() {
    const form = h('form', { testid: 'reconcile-form', novalidate: true },
      h('ul', { cls: 'desk-recon', testid: 'reconcile-list' }),
      h('p', { cls: 'desk-empty', testid: 'reconcile-empty', i18n: 'reconcile.empty',
               hidden: true }),
      h('button', { type: 'submit', cls: 'btn btn-primary', testid: 'reconcile-submit',
                    i18n: 'reconcile.submit' }));
    form.addEventListener('submit', onReconcile);
    return h('div', { cls: 'desk-pane', testid: 'desk-reconcile', 'data-tab': 'reconcile' },
      h('h2', { i18n: 'reconcile.heading' }), h('p', { cls: 'desk-hint', i18n: 'reconcile.hint' }),
      form,
      h('div', { cls: 'form-error', testid: 'reconcile-result', role: 'status', hidden: true }));
  }

  function translate() {
    document.querySelectorAll('[data-desk-i18n]').forEach((n) => {
      n.textContent = t(n.dataset.deskI18n);
    });
    document.querySelectorAll('[data-desk-i18n-ph]').forEach((n) => {
      n.placeholder = t(n.dataset.deskI18nPh);
    });
    if (st.items.length) renderRegister();
  }

  // -- views ----------------------------------------------------------------------------------

  // app.js shows one page at a time and draws the navigation (window.EstateButlerPages).
  function show() {
    st.view = 'desk';
    el.view.hidden = false;
    showTab(st.tab);
  }

  function hide() {
    st.view = null;
    el.view.hidden = true;
    clearStub();
  }

  (window.EstateButlerPages = window.EstateButlerPages || []).push({
    id: 'desk', roles: DESK_ROLES, label: () => t('nav.desk'), show, hide,
  });

  function showTab(tab) {
    st.tab = tab;
    el.view.querySelectorAll('.desk-pane').forEach((p) => { p.hidden = p.dataset.tab !== tab; });
    el.view.querySelectorAll('.desk-tab').forEach((b) => {
      b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    });
    if (tab !== 'checkin') clearStub();
    if (tab === 'register') loadRegister();
    if (tab === 'reconcile') loadReconcile();
    if (tab === 'checkin') setTimeout(() => tid('checkin-unit').focus(), 0);
  }

  function onSession(session) {
    st.session = session;
    if (!session || !DESK_ROLES.includes(session.role)) hide();
  }

  function onSignedOut() {
    st.session = null;
    st.items = [];
    clearStub();
    el.view.hidden = true;
  }

  // -- check-in -------------------------------------------------------------------------------

  async function onCheckin(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const err = tid('checkin-error');
    err.hidden = true;
    clearFieldErrors(form);
    clearStub();
    const f = new FormData(form);
    const body = {
      unit: String(f.get('unit') || '').trim(), kind: f.get('kind'),
      pieces: Number(f.get('pieces') || 1), location: String(f.get('location') || '').trim(),
      carrier: String(f.get('carrier') || '').trim(), barcode: String(f.get('barcode') || '').trim(),
      depositor: String(f.get('depositor') || '').trim(),
      condition: String(f.get('condition') || '').trim(), flags: f.getAll('flags'),
    };
    const button = tid('checkin-submit');
    button.disabled = true;
    button.textContent = t('checkin.busy');
    try {
      const out = await api('api/items', { method: 'POST', json: body });
      showStub(out);
      form.reset();
    } catch (e) {
      if (!showFieldErrors(form, e, err, { hints: CHECKIN_HINTS })) showError(err, e);
    } finally {
      button.disabled = false;
      button.textContent = t('checkin.submit');
    }
  }

  function showStub(out) {
    const stub = tid('stub');
    tid('stub-code').textContent = out.code;
    tid('stub-serial').textContent = out.stub.serial;
    tid('stub-unit').textContent = out.stub.unit;
    tid('stub-location').textContent = out.stub.location;
    tid('stub-pieces').textContent = String(out.stub.pieces);
    const warn = tid('stub-warning');
    warn.hidden = !out.warnings.length;
    warn.textContent = out.warnings.length ? out.warnings[0][lang()] : '';
    stub.hidden = false;
  }

  function clearStub() {
    // The code is never left on screen: it goes as soon as the desk moves on.
    const stub = tid('stub');
    if (!stub) return;
    stub.hidden = true;
    tid('stub-code').textContent = '';
  }

  // -- register and release -------------------------------------------------------------------

  async function loadRegister() {
    const f = new FormData(tid('register-filters'));
    const q = new URLSearchParams({ state: f.get('state') || 'held' });
    if (String(f.get('unit') || '').trim()) q.set('unit', String(f.get('unit')).trim());
    if (f.get('kind')) q.set('kind', f.get('kind'));
    try {
      st.items = (await api(`api/items?${q}`)).items;
    } catch (e) {
      showError(tid('register-status'), e);
      return;
    }
    renderRegister();
  }

  function renderRegister() {
    const body = tid('register-body');
    body.replaceChildren(...st.items.map((i) => {
      const release = i.state === 'held' ? h('button', {
        type: 'button', cls: 'btn btn-small', testid: 'release-open', i18n: 'release.open' },
      t('release.open')) : null;
      const row = h('tr', { testid: 'register-row', 'data-item-id': i.id,
                            'data-serial': i.serial, 'data-state': i.state },
        h('td', { cls: 'mono', testid: 'row-serial' }, i.serial),
        h('td', { cls: 'mono', testid: 'row-unit' }, i.unit),
        h('td', {}, t(`kind.${i.kind}`)),
        h('td', { cls: 'mono', testid: 'row-pieces' }, String(i.pieces)),
        h('td', { cls: 'mono', testid: 'row-location' }, i.location),
        h('td', { cls: 'mono' }, fmt(i.received_at)),
        h('td', {}, i.received_by),
        h('td', { cls: 'mono' }, String(days(i.received_at))),
        h('td', { testid: 'row-state' }, t(`state.${i.state}`)),
        h('td', { cls: 'mono' }, i.picked_up_at ? `${fmt(i.picked_up_at)} ${i.released_by || ''}` : ''),
        h('td', {}, release));
      if (release) release.addEventListener('click', () => openRelease(row, i));
      return row;
    }));
    tid('register-empty').hidden = st.items.length > 0;
  }

  function openRelease(row, item) {
    const old = row.nextElementSibling;
    if (old && old.classList.contains('form-row')) {
      old.remove();
      return;
    }
    const form = h('form', { cls: 'inline-form', testid: 'release-form', novalidate: true },
      h('span', { cls: 'inline-title', i18n: 'release.heading' }, t('release.heading')),
      h('label', {}, h('span', {}, t('release.pieces')),
        h('input', { name: 'pieces', type: 'number', min: 1, max: 99, value: item.pieces,
                     cls: 'narrow', testid: 'release-pieces' })),
      h('label', {}, h('span', {}, t('release.code')),
        h('input', { name: 'code', testid: 'release-code', size: 7, autocomplete: 'off',
                     inputmode: 'numeric' })),
      h('label', {}, h('span', {}, t('release.collector')),
        h('input', { name: 'collector', testid: 'release-collector', size: 8 })),
      h('label', {}, h('span', {}, t('release.id')),
        h('input', { name: 'id_number', testid: 'release-id', size: 19, autocomplete: 'off' })),
      h('button', { type: 'submit', cls: 'btn btn-small btn-primary', testid: 'release-submit' },
        t('release.submit')),
      h('button', { type: 'button', cls: 'btn btn-small btn-ghost', testid: 'release-cancel' },
        t('release.cancel')),
      h('span', { cls: 'form-error', testid: 'release-error', role: 'alert', hidden: true }),
      h('p', { cls: 'desk-hint' }, t('release.hint')));
    const tr = h('tr', { cls: 'form-row', testid: 'release-row' },
      h('td', { colspan: 11 }, form));
    row.after(tr);
    form.querySelector('[data-testid="release-cancel"]').addEventListener('click', () => tr.remove());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const opt = (k) => (String(f.get(k) || '').trim() || null);
      const err = form.querySelector('[data-testid="release-error"]');
      err.hidden = true;
      clearFieldErrors(form);
      try {
        const done = await api(`api/items/${item.id}/release`, { method: 'POST', json: {
          pieces: Number(f.get('pieces')), code: opt('code'), collector: opt('collector'),
          id_number: opt('id_number') } });
        const status = tid('register-status');
        status.textContent = t('release.done', { serial: done.serial });
        status.hidden = false;
        await loadRegister();
      } catch (e) {
        if (!showFieldErrors(form, e, err, { codes: RELEASE_CODES })) showError(err, e);
      }
    });
    setTimeout(() => form.querySelector('input').focus(), 0);
  }

  // -- reconciliation -------------------------------------------------------------------------

  async function loadReconcile() {
    tid('reconcile-result').hidden = true;
    try {
      st.recon = (await api('api/items/reconciliation')).items;
    } catch (e) {
      showError(tid('reconcile-result'), e);
      return;
    }
    tid('reconcile-list').replaceChildren(...st.recon.map((i) => h('li', {
      testid: 'reconcile-item', 'data-serial': i.serial },
    h('label', { cls: 'desk-check' },
      h('input', { type: 'checkbox', name: 'seen', value: i.serial,
                   testid: `seen-${i.serial}` }),
      h('span', { cls: 'mono' }, `${i.location}  ${i.serial}`),
      h('span', {}, ` ${i.unit} · ${t(`kind.${i.kind}`)} × ${i.pieces}`)))));
    tid('reconcile-empty').hidden = st.recon.length > 0;
  }

  async function onReconcile(ev) {
    ev.preventDefault();
    const seen = new FormData(ev.currentTarget).getAll('seen');
    const out = tid('reconcile-result');
    try {
      const r = await api('api/items/reconciliation', { method: 'POST', json: { seen } });
      const lines = [r.missing.length
        ? t('reconcile.missing', { n: r.missing.length, list: r.missing.join(', ') })
        : t('reconcile.clean', { n: r.checked })];
      if (r.unexpected.length) lines.push(t('reconcile.unexpected', { list: r.unexpected.join(', ') }));
      out.textContent = lines.join(' ');
      out.dataset.state = r.clean ? 'clean' : 'missing';
      out.classList.toggle('form-info', r.missing.length === 0);
      out.hidden = false;
    } catch (e) {
      showError(out, e);
    }
  }

  // -- start ----------------------------------------------------------------------------------

  function init() {
    build();
    document.addEventListener('eb:session', (ev) => onSession(ev.detail));
    // app.js signs out by showing the login form: leave with it, and take the code along.
    const login = tid('login-view');
    new MutationObserver(() => { if (!login.hidden) onSignedOut(); })
      .observe(login, { attributes: true, attributeFilter: ['hidden'] });
    new MutationObserver(translate)
      .observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    try {
      const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
      if (saved && saved.token) st.session = saved;
    } catch (_) { /* app.js announces the session anyway */ }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
