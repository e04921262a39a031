"""What a resident reads about a request, in Chinese and English: its type, its state, and
what happens next (DOMAIN.md "The self-service terminal": progress, next step, what to bring).

The ONE place these labels live: the API serves them (`GET /api/requests/vocabulary`,
`vocabulary()`), and the kiosk and the console label states and types from that answer; they
keep no copy of their own (docs/decisions.md, "One request vocabulary").
"""

from __future__ import annotations

TYPE_LABELS: dict[str, tuple[str, str]] = {
    "repair": ("报修", "Repair"),
    "urgent_repair": ("紧急报修", "Urgent repair"),
    "complaint": ("投诉", "Complaint"),
    "enquiry": ("咨询", "Enquiry"),
    "suggestion": ("建议", "Suggestion"),
    "help": ("求助", "Help request"),
    "service_order": ("特约服务", "Paid service"),
    "assistance": ("囊助服务", "Free assistance"),
}

STATE_LABELS: dict[str, tuple[str, str]] = {
    "received": ("已受理", "Received"),
    "assigned": ("已派单", "Assigned"),
    "in_progress": ("处理中", "In progress"),
    "waiting_parts": ("等待配件", "Waiting for parts"),
    "completed": ("已完成", "Completed"),
    "accepted": ("已验收", "Accepted"),
    "return_visit": ("已回访", "Return visit done"),
    "closed": ("已关闭", "Closed"),
    "cancelled": ("已取消", "Cancelled"),
}

NEXT_STEP: dict[str, tuple[str, str]] = {
    "received": ("管家将在10分钟内回复您并安排人员。",
                 "Your butler will answer within 10 minutes and arrange someone."),
    "assigned": ("已安排工作人员，请在家等候；如需改约请致电服务热线。",
                 "Someone is on the way: please be at home, or call the hotline to rebook."),
    "in_progress": ("工作人员正在处理。", "Staff are working on it."),
    "waiting_parts": ("正在等待配件，到货后我们会通知您并约定时间。",
                      "Waiting for parts: we will tell you when they arrive and agree a time."),
    "completed": ("已处理完毕，请验收；如不满意请告诉管家。",
                  "Done: please check the work, and tell your butler if you are not satisfied."),
    "accepted": ("感谢验收，管家将回访了解您的满意度。",
                 "Thank you: your butler will call to ask how satisfied you are."),
    "return_visit": ("回访已完成，服务单即将关闭。",
                     "Return visit done: the request will be closed."),
    "closed": ("已关闭。", "Closed."),
    "cancelled": ("已取消。", "Cancelled."),
}

PROMISE_LABELS: dict[str, tuple[str, str]] = {
    "respond": ("回复", "answer"),
    "on_site": ("到场", "on site"),
    "feedback": ("反馈", "feedback"),
    "resolve": ("解决", "resolved"),
    "work": ("派单期限", "assigned deadline"),
}


def next_steps(respond_min: float) -> dict[str, tuple[str, str]]:
    """NEXT_STEP with the site's own answer time (SlaSettings.respond_min) in the words of a
    request just received: a site that promises 15 minutes does not say 10."""
    if respond_min >= 60 and respond_min % 60 == 0:
        zh, en = f"{respond_min / 60:g}小时", f"{respond_min / 60:g} h"
    else:
        zh, en = f"{respond_min:g}分钟", f"{respond_min:g} minutes"
    return NEXT_STEP | {"received": (f"管家将在{zh}内回复您并安排人员。",
                                     f"Your butler will answer within {en} and arrange "
                                     "someone.")}


def vocabulary(respond_min: float = 10) -> dict[str, dict[str, dict[str, str]]]:
    """The labels as served to the kiosk and the console: `{states, types, next_steps}`, each
    `{code: {"zh": ..., "en": ...}}`; the next steps with the site's answer time."""
    def both(table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
        return {code: {"zh": zh, "en": en} for code, (zh, en) in table.items()}

    return {"states": both(STATE_LABELS), "types": both(TYPE_LABELS),
            "next_steps": both(next_steps(respond_min))}
