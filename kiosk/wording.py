"""The kiosk's own sentences in Chinese and English (names of services, notices and
categories come from the site file or the control room). No Kivy here.

Short, plain words for elderly residents; every refusal says what to do next, most often
"call the hotline". `say(key, lang, **values)` fills `{placeholders}`. Request states and
types are not here: the control room serves them (kiosk.vocabulary).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]

WORDS: dict[str, tuple[str, str]] = {
    # chrome
    "home": ("首页", "Home"),
    "back": ("‹ 返回", "‹ Back"),
    "large_on": ("大字", "A+ Larger"),
    "large_off": ("标准字", "A− Normal"),
    "logout": ("退出登录", "Log out"),
    "hello": ("您好，{name}", "Hello, {name}"),
    "wait": ("正在处理，请稍候…", "Working, please wait…"),
    "offline": (
        "暂时无法连接服务中心。下单、报修、取件暂停，请致电 {hotline}",
        "The service centre cannot be reached. Orders, reports and pickups are paused: "
        "please call {hotline}",
    ),
    "offline_short": ("暂时离线", "Offline"),
    # attract
    "touch_start": ("请触摸屏幕开始", "Touch the screen to start"),
    "no_notices": ("暂无通知", "No notices at the moment"),
    "incident": ("楼栋警报", "Building alert"),
    # home
    "prompt": ("请选择服务", "Choose a service"),
    "my_account": ("我的账户", "My account"),
    "pickup": ("取件", "Pick up an item"),
    "report": ("报事 / 求助", "Report or get help"),
    "notices": ("通知公告", "Notices"),
    "contacts": ("紧急电话", "Emergency calls"),
    "hotline_title": ("24小时服务热线", "24-hour hotline"),
    # menus and ordering
    "order": ("下单", "Order"),
    "order_login": ("登录后下单", "Log in to order"),
    "department": ("负责部门：{dept}", "Handled by: {dept}"),
    "promise": ("承诺：{sla}", "Promise: {sla}"),
    "ordered": ("已下单", "Order placed"),
    "reported": ("已提交", "Report received"),
    "your_number": ("您的单号", "Your number"),
    "promised_by": ("承诺时间：{at} 前", "Promised by {at}"),
    "done_home": ("完成", "Done"),
    # confirming a paid order
    "confirm_title": ("请确认订单", "Please confirm your order"),
    "paid_fixed": ("这是有偿服务：确认下单即表示同意支付 {price}。",
                   "This is a paid service: by confirming you agree to pay {price}."),
    "paid_quote": ("这是有偿服务，价格面议：工作人员会先与您确认价格。",
                   "This is a paid service, priced on request: staff will agree the price "
                   "with you first."),
    "confirm_order": ("确认下单", "Confirm order"),
    "cancel": ("取消", "Cancel"),
    # report
    "report_repair": ("报修", "Repair"),
    "report_complaint": ("投诉", "Complaint"),
    "choose_category": ("请选择类别", "Choose a category"),
    "optional_text": ("补充说明（可不填）", "Anything to add (optional)"),
    "send": ("提交", "Send"),
    "urgent": ("紧急", "Urgent"),
    # login
    "login": ("登录", "Log in"),
    "login_card": ("请在读卡区刷住户卡", "Hold your resident card to the reader"),
    "login_or": ("或输入房号和密码", "or enter your flat and PIN"),
    "flat": ("房号", "Flat"),
    "pin": ("密码", "PIN"),
    "flat_hint": ("例：1-2-1502", "e.g. 1-2-1502"),
    "ok": ("确定", "OK"),
    "clear": ("清除", "Clear"),
    "wrong_pin": ("房号或密码不正确，还可尝试 {n} 次", "Flat or PIN not right: {n} tries left"),
    "unknown_card": ("无法识别此卡，请输入房号和密码", "Card not recognised: enter flat and PIN"),
    "cards_paused": ("本机刷卡登录暂停 {minutes} 分钟，请输入房号和密码",
                     "Card login paused here for {minutes} min: enter flat and PIN"),
    "locked": ("尝试次数过多，请 {minutes} 分钟 后再试",
               "Too many tries: try again in {minutes} min"),
    "session_expired": ("登录已过期，请重新登录", "Your session ended: please log in again"),
    # login by a one-time code sent by SMS to the flat's registered phone
    "send_code": ("短信验证码登录", "Text me a code"),
    "code": ("验证码", "Code"),
    "code_sent": ("验证码已发送到本房登记的手机（5 分钟内有效）",
                  "A code was sent to the flat's registered phone (5 minutes)"),
    "wrong_login_code": ("验证码不正确，还可尝试 {n} 次",
                         "That login code is not right: {n} tries left"),
    "flat_first": ("请先输入房号", "Enter your flat first"),
    # account
    "account": ("我的账户", "My account"),
    "balance": ("账户余额", "Balance"),
    "arrears": ("欠费", "Owing"),
    "my_requests": ("我的服务单", "My requests"),
    "my_fees": ("我的费用", "My fees"),
    "my_items": ("我的寄存物品", "My held items"),
    "open_requests": ("{n} 张进行中", "{n} open"),
    "held_items": ("{n} 件待取", "{n} waiting"),
    "no_requests": ("暂无服务单", "No requests"),
    "no_items": ("暂无待取物品", "Nothing is waiting for you"),
    "next_step": ("下一步：{text}", "Next: {text}"),
    "timeline": ("进度", "Progress"),
    "statement": ("{period} 账单", "Statement {period}"),
    "due": ("到期 {date}", "due {date}"),
    "paid_amount": ("已付 {amount}", "paid {amount}"),
    "fee_unpaid": ("未缴", "Unpaid"),
    "fee_paid": ("已缴", "Paid"),
    "fee_part": ("部分已缴", "Part paid"),
    "where_kiosk": ("凭取件码在本机取件", "Collect here with your pickup code"),
    "where_desk": ("请带身份证到服务台领取", "Collect at the desk with your ID"),
    "pieces": ("{n} 件", "{n} pieces"),
    "piece": ("{n} 件", "{n} piece"),
    # pickup
    "pickup_code": ("请输入取件码", "Enter your pickup code"),
    "pickup_scan": ("也可在扫码区扫描取件单", "or scan the slip at the scanner"),
    "find": ("查找", "Find"),
    "found_at": ("您的物品在", "Your item is at"),
    "for_flat": ("房号 {unit}", "Flat {unit}"),
    "confirm_pickup": ("确认已取 {n} 件", "I have taken {n}"),
    "picked_up": ("取件完成", "Collected"),
    "picked_up_body": ("已于 {at} 取件，谢谢", "Collected at {at}. Thank you"),
    "wrong_code": ("取件码不正确，还可尝试 {n} 次", "That code is not right: {n} tries left"),
    "pickup_locked": (
        "取件码错误次数过多，本机取件暂停",
        "Too many wrong codes: pickup is paused at this kiosk",
    ),
    "try_again_in": ("{time} 后可再试", "Try again in {time}"),
    "desk_only": ("此物品需凭身份证到服务台领取", "This item needs ID: please go to the desk"),
    "already_collected": ("此物品已于 {at} 取走", "This item was collected at {at}"),
    "pieces_mismatch": ("件数不符，请到服务台", "Piece count differs: please go to the desk"),
    # refusals
    "refused": ("无法完成", "Could not be done"),
    "call_hotline": ("请致电 24 小时热线 {hotline}", "Please call the 24-hour hotline {hotline}"),
    "offline_refusal": (
        "现在无法连接服务中心，您的请求没有提交。",
        "The service centre cannot be reached: your request was NOT sent.",
    ),
    "rejected": ("请求未被接受：{detail}", "Not accepted: {detail}"),
    # emergency numbers of the site (fallback when the control room is unreachable)
    "emergency_fallback": (
        "报警 110 · 火警 119 · 急救 120", "Police 110 · Fire 119 · Ambulance 120"
    ),
    # collecting a held item with the resident card (kiosk.flows.collect)
    "pickup_scan_card": ("也可扫描取件单，或在读卡区刷住户卡取件",
                         "or scan the slip, or hold your resident card to the reader"),
    "held_use_code_or_card": ("请凭取件码取件，或刷住户卡登录后在此直接取件",
                              "Collect with your pickup code, or log in with your resident "
                              "card to collect here"),
    "held_by_card": ("已刷住户卡登录：点「取件」即可领取", "Logged in by card: tap Collect"),
    "where_card": ("可在本机刷卡取件 · {pieces}", "Collect here by card · {pieces}"),
    "collect": ("取件", "Collect"),
    "card_required": ("请凭取件码，或刷住户卡登录后取件",
                      "Collect with your pickup code, or log in with your resident card"),
    # paid orders under my fees (kiosk.account_views)
    "paid_order": ("有偿服务 · {label}", "Paid service · {label}"),
    "order_pending": ("服务完成后计费", "billed when the service is done"),
    "order_pending_short": ("待计费", "Pending"),
    "order_void": ("订单已取消，不收费", "order cancelled, not charged"),
    "order_void_short": ("已取消", "Cancelled"),
    # every request type at the kiosk (help, enquiry, suggestion beside repair, complaint)
    "report_help": ("求助", "Help"),
    "report_enquiry": ("咨询", "Enquiry"),
    "report_suggestion": ("建议", "Suggestion"),
    "help_prompt": ("需要帮助？直接按「提交」，管家会尽快联系您。",
                    "Need help? Just press Send: your butler will contact you soon."),
    "enquiry_prompt": ("请在下面写下您的问题，写好后才能提交。",
                       "Write your question below: Send works once there is text."),
    "suggestion_prompt": ("请在下面写下您的建议，写好后才能提交。",
                          "Write your suggestion below: Send works once there is text."),
    "enquiry_text": ("您的问题", "Your question"),
    "suggestion_text": ("您的建议", "Your suggestion"),
    "help_sent": ("已收到您的求助", "Your call for help was received"),
    "help_emergency": ("情况危急请立即拨打 120，或 24 小时热线 {hotline}",
                       "In an emergency call 120 now, or the 24-hour hotline {hotline}"),
    # announcing a visitor
    "visitor": ("访客登记", "Announce a visitor"),
    "visitor_name": ("访客姓名", "Visitor's name"),
    "visitor_name_hint": ("请输入访客姓名", "Type the visitor's name"),
    "visitor_when": ("什么时候到？", "When are they coming?"),
    "visitor_today": ("今天", "Today"),
    "visitor_tomorrow": ("明天", "Tomorrow"),
    "visitor_purpose": ("来访事由（可不选）", "Why they are coming (optional)"),
    "purpose_family": ("探亲访友", "Family or friends"),
    "purpose_delivery": ("送货", "A delivery"),
    "purpose_service": ("上门维修 / 服务", "Repair or service"),
    "purpose_carer": ("护工 / 家政", "Carer or home help"),
    "visitor_send": ("通知前台", "Tell the front desk"),
    "visitor_told": ("已通知前台", "The front desk has been told"),
    "visitor_at": ("{name}  ·  {at}", "{name}  ·  {at}"),
    "visitors_expected": ("本户待到访客", "Visitors expected at your flat"),
    "no_visitors": ("暂无待到访客", "No visitors expected"),
}

KINDS: dict[str, tuple[str, str]] = {
    "parcel": ("快递", "Parcel"),
    "deposit": ("寄存物品", "Deposit"),
    "handover": ("转交物品", "Hand-over"),
    "key": ("钥匙", "Key"),
}

# The promise of each SLA class (DOMAIN.md "Promises to residents", site defaults).
SLA: dict[str, tuple[str, str]] = {
    "request": ("10 分钟内响应", "answered within 10 min"),
    "repair": ("15 分钟内到场", "on site within 15 min"),
    "urgent_repair": ("30 分钟内到场", "on site within 30 min"),
    "complaint": ("1 小时内到场", "staff on site within 1 h"),
    "paid": ("10 分钟内响应，预约上门", "answered within 10 min, visit booked"),
}

DEPARTMENTS: dict[str, tuple[str, str]] = {
    "engineering": ("工程部", "Engineering"),
    "environment": ("环境部", "Environment"),
    "security": ("安保部", "Security"),
    "service": ("客服部", "Customer service"),
}


def _index(lang: Lang) -> int:
    return 0 if lang == "zh" else 1


def say(key: str, lang: Lang, **values: object) -> str:
    words = WORDS[key][_index(lang)]
    return words.format(**values) if values else words


@dataclass(frozen=True)
class Said:
    """A sentence kept as its key and values, rendered when shown: a message on screen
    follows a later change of language (`said(lang)`)."""

    key: str
    values: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **values: object) -> Said:
        return cls(key, tuple(values.items()))

    def __call__(self, lang: Lang) -> str:
        return say(self.key, lang, **dict(self.values))


def kind_label(kind: str, lang: Lang) -> str:
    return KINDS.get(kind, (kind, kind))[_index(lang)]


def use_promises(promises: dict[str, tuple[str, str]]) -> None:
    """The promise words the control room sent (kiosk.remote_config), in place of the
    defaults above: they follow the site's SLA numbers."""
    SLA.update(promises)


def sla_label(sla: str, lang: Lang) -> str:
    return SLA.get(sla, (sla, sla))[_index(lang)]


def department_label(dept: str, lang: Lang) -> str:
    return DEPARTMENTS.get(dept, (dept, dept))[_index(lang)]
