"""The reminders job: arrival reminders, the final notice and the supervisor's report for
uncollected items, and the follow-up of lent items not returned (the decisions are
reminders.py's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config import Site
from controlroom.core.audit import audit
from controlroom.services.desk.models import HeldItem, LentItem
from controlroom.services.desk.reminders import Period, due_notice, lent_follow_up_due

__all__ = ["KIND_WORDS", "ReminderSweep"]

# What a kind of item is called in a message to a resident.
KIND_WORDS = {"parcel": ("快递", "parcel"), "deposit": ("寄存物品", "deposited item"),
              "handover": ("转交物品", "hand-over item"), "key": ("钥匙", "key")}


class ReminderSweep:
    """The reminders half of the held-item service (HeldItemService is one)."""

    sessions: sessionmaker
    site: Site
    now: Callable[[], datetime]

    if TYPE_CHECKING:  # HeldItemService's, which this is part of
        def _holds(self, s: Session, unit: str) -> list[Period]: ...
        def _tell(self, s: Session, unit: str, kind: str, about: str, zh: str, en: str,
                  secret: str | None = None) -> None: ...
        def _notify(self, role: str, subject: str, body: str, **kw: Any) -> None: ...

    def sweep(self) -> list[tuple[str, str]]:
        """Send what is due now: (notice, serial or lent item) for each one sent."""
        now = self.now()
        sent: list[tuple[str, str]] = []
        with self.sessions.begin() as s:
            holds: dict[str, list[Period]] = {}
            for item in s.scalars(select(HeldItem).where(HeldItem.state == "held")):
                if item.unit not in holds:
                    holds[item.unit] = self._holds(s, item.unit)
                done = {k: v for k, v in (("reminder", item.reminded_at),
                                          ("final_notice", item.final_notice_at),
                                          ("supervisor_report", item.reported_at)) if v}
                notice = due_notice(item.received_at, now, done, holds[item.unit])
                if notice is None:
                    continue
                self._send(s, item, notice, now)
                setattr(item, {"reminder": "reminded_at", "final_notice": "final_notice_at",
                               "supervisor_report": "reported_at"}[notice], now)
                audit(s, now, "system", f"item.{notice}", f"held_item:{item.id}",
                      f"{notice.replace('_', ' ')} for {item.serial}")
                sent.append((notice, item.serial))
            for lent in s.scalars(select(LentItem).where(LentItem.returned_at.is_(None))):
                if lent_follow_up_due(lent.lent_at, now, False, lent.followed_up_at):
                    days = (now - lent.lent_at).days
                    self._tell(s, lent.unit, "lent_follow_up", f"lent_item:{lent.id}",
                               f"【{self.site.name_zh}】您借用的{lent.item}已借出 {days} 天，"
                               "请尽快归还服务前台。", f"[{self.site.name_en}] The "
                               f"{lent.item} you borrowed {days} days ago: please bring it "
                               "back to the service desk.")
                    lent.followed_up_at = now
                    audit(s, now, "system", "lent.follow_up", f"lent_item:{lent.id}",
                          f"follow-up after {days} days")
                    sent.append(("lent_follow_up", str(lent.id)))
        return sent

    def _send(self, s: Session, item: HeldItem, notice: str, now: datetime) -> None:
        zh, en = KIND_WORDS[item.kind]
        days = (now - item.received_at).days
        about = f"held_item:{item.id}"
        if notice == "reminder":
            self._tell(s, item.unit, "held_item_reminder", about,
                       f"【{self.site.name_zh}】提醒：您的{zh}（编号 {item.serial}）已在前台存放 "
                       f"{days} 天，请尽快领取。", f"[{self.site.name_en}] Reminder: your {en} "
                       f"(no. {item.serial}) has waited {days} days at the desk.")
        elif notice == "final_notice":
            self._tell(s, item.unit, "held_item_final_notice", about,
                       f"【{self.site.name_zh}】最后通知：您的{zh}（编号 {item.serial}）已存放 "
                       f"{days} 天，48 小时后将上报管家部主管处理。",
                       f"[{self.site.name_en}] Final notice: your {en} (no. {item.serial}) "
                       f"has waited {days} days; in 48 hours it is reported to the butler "
                       "supervisor for disposal.")
        else:
            self._notify("supervisor", f"Uncollected {en} {item.serial} ({days} days)",
                         f"{item.serial} for {item.unit} at {item.location}, received "
                         f"{item.received_at:%Y-%m-%d} by {item.received_by}: decide what "
                         "to do with it (seed 003: report after 30 days).",
                         kind="held_item_report", about=about, session=s)
