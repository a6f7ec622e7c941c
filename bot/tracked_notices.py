"""The messages of action items' reminders, OGP warnings and self-closing minutes,
rendered from their facts with the catalogs (bot.notices hands these over)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from bot.i18n import Translator
from bot.minutes_render import minutes_parts
from bot.render import esc
from bot.snooze import snooze_buttons
from domain.ogp import Requirement
from domain.parts import Part
from domain.rules import ACTION_DEADLINE
from storage.notices import Head
from storage.tracked_notices import ActionNotice, MinutesNotice, OgpNotice, TrackedNotice


def _left(t: Translator, days: int) -> str:
    return t.plural("notify.left.days", days)


def _late(t: Translator, head: Any) -> str:
    if not head.late:
        return ""
    when = head.due_at.astimezone(zoneinfo.ZoneInfo(head.timezone)).strftime("%Y-%m-%d %H:%M")
    return t("notify.late", when=when) + "\n"


def days_to(head: Head, day: dt.date, planned_days: int) -> int:
    """Days from the day a notification goes to `day` (its due or lapse date): it may
    go earlier off a quiet day, or later when snoozed, so the count is the real one;
    the planned count when it went late (it says when it was due)."""
    if head.late:
        return planned_days
    sent_on = head.due_at.astimezone(zoneinfo.ZoneInfo(head.timezone)).date()
    return (day - sent_on).days


def _action(t: Translator, notice: ActionNotice) -> str:
    facts = {
        "number": esc(notice.number),
        "text": esc(notice.text),
        "agency": esc(notice.agency_code) if notice.agency_code else t("agency.none"),
        "due": notice.due.isoformat(),
    }
    days = days_to(notice.head, notice.due, notice.offset_days)
    if notice.head.kind == ACTION_DEADLINE and days >= 0:
        left = _left(t, days) if days else t("quiet.notify.today")
        text = t("action.notify.deadline", left=left, **facts)
        if notice.private:
            return text + "\n" + t("notify.deadline.private", group=esc(notice.head.group_name))
    else:  # the overdue notice, or a deadline reminder snoozed past the due date
        text = t("action.notify.overdue", **facts)
    return text + "\n" + t("notify.update_hint", number=facts["number"])


def _ogp(t: Translator, notice: OgpNotice) -> str:
    what = "forum" if notice.requirement is Requirement.FORUM else "repository"
    last = notice.last.isoformat() if notice.last is not None else t("ogp.never")
    date = notice.lapses.isoformat()
    days = max(0, days_to(notice.head, notice.lapses, notice.days))
    if days == 0 and what == "forum":
        return t("ogp.warn.forum_today", date=date, last=last)
    if days == 0:
        return t("ogp.warn.repository_today", date=date, last=last)
    if what == "forum":
        return t.plural("ogp.warn.forum", days, days=days, date=date, last=last)
    return t.plural("ogp.warn.repository", days, days=days, date=date, last=last)


def render_tracked(t: Translator, notice: TrackedNotice) -> list[Part]:
    late = _late(t, notice.head)
    if isinstance(notice, ActionNotice):
        # A private deadline reminder can be snoozed, as a milestone's (bot.snooze).
        private = notice.private and notice.head.kind == ACTION_DEADLINE
        buttons = snooze_buttons(t, notice.head.notification_id) if private else ()
        return [Part(late + _action(t, notice), buttons=buttons)]
    if isinstance(notice, OgpNotice):
        return [Part(late + _ogp(t, notice))]
    assert isinstance(notice, MinutesNotice)
    return minutes_parts(t, notice.minutes, before=late + t("minutes.closed_auto"))
