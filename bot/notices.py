"""A notification's messages, rendered from its facts with the catalogs.

The composition root hands `render_notice` to the scheduler's delivery, which gathers
the facts (storage.notices) when a row is due and sends what comes back. Rendering
happens at delivery time, in the group's current language (a private reminder in the
member's language when known).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import zoneinfo
from typing import Any

from bot.digest import digest_parts
from bot.i18n import Translator, translator
from bot.render import esc
from bot.snooze import snooze_buttons
from bot.tracked_notices import days_to, render_tracked
from domain.parts import Part
from domain.rules import DEADLINE, OVERDUE
from storage.notices import DigestNotice, Head, MeetingNotice, MilestoneNotice, Notice
from storage.tracked_notices import TRACKED_NOTICES


def _local(when: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


# The units of "in 1 day", "in 2 hours", "in 30 minutes": catalog keys notify.left.<unit>.
LEFT_UNITS = (("days", 1440), ("hours", 60), ("minutes", 1))


def _left(t: Translator, minutes: int) -> str:
    """ "in 1 day", "in 2 hours", "in 30 minutes": the largest whole unit."""
    for unit, size in LEFT_UNITS:
        if minutes >= size and minutes % size == 0:
            return t.plural(f"notify.left.{unit}", minutes // size)
    return t.plural("notify.left.minutes", minutes)


def _late(t: Translator, head: Head) -> str:
    """The line a late message begins with ("Late: this was due …")."""
    if not head.late:
        return ""
    return t("notify.late", when=_local(head.due_at, zoneinfo.ZoneInfo(head.timezone))) + "\n"


def _meeting(t: Translator, notice: MeetingNotice) -> list[Part]:
    tz = zoneinfo.ZoneInfo(notice.head.timezone)
    title = esc(notice.title)
    if notice.offset_minutes == 0:
        text = t("notify.meeting.now", title=title)
    else:
        text = t(
            "notify.meeting.soon",
            title=title,
            when=_local(notice.start, tz),
            left=_meeting_left(t, notice, tz),
        )
    if notice.place:
        text += "\n" + t("notify.meeting.place", place=esc(notice.place))
    return [Part(_late(t, notice.head) + text)]


def _meeting_left(t: Translator, notice: MeetingNotice, tz: zoneinfo.ZoneInfo) -> str:
    """By the offset; a reminder moved off a quiet day counts the days to the meeting."""
    planned = notice.start - dt.timedelta(minutes=notice.offset_minutes)
    if notice.head.late or notice.head.due_at == planned:
        return _left(t, notice.offset_minutes)
    days = (notice.start.astimezone(tz).date() - notice.head.due_at.astimezone(tz).date()).days
    return t.plural("notify.left.days", days) if days > 0 else _left(t, notice.offset_minutes)


def _milestone(t: Translator, notice: MilestoneNotice) -> list[Part]:
    facts: dict[str, Any] = {
        "number": esc(notice.number),
        "title": esc(notice.title),
        "agency": esc(notice.agency_code) if notice.agency_code else t("agency.none"),
        "due": notice.due.isoformat(),
    }
    hint = t("notify.update_hint", number=facts["number"])
    deadline = notice.head.kind == DEADLINE
    days_left = days_to(notice.head, notice.due, notice.offset_days) if deadline else 0
    if deadline and days_left >= 0:
        left = _left(t, days_left * 1440) if days_left else t("quiet.notify.today")
        text = t("notify.deadline", left=left, **facts)
        if notice.private:
            text += "\n" + t("notify.deadline.private", group=esc(notice.head.group_name))
        else:
            text += "\n" + hint
    elif notice.head.kind in (OVERDUE, DEADLINE):  # a deadline reminder snoozed past it
        text = t("notify.overdue", **facts) + "\n" + hint
    else:
        quiet = t.plural("notify.quiet", notice.quiet_weeks, weeks=notice.quiet_weeks, **facts)
        text = quiet + "\n" + hint
    buttons = snooze_buttons(t, notice.head.notification_id) if notice.private else ()
    return [Part(_late(t, notice.head) + text, buttons=buttons)]


async def render_notice(notice: Notice) -> list[Part]:
    """The messages to send for one notification, in its language."""
    t = translator(notice.head.language)
    if isinstance(notice, MeetingNotice):
        return _meeting(t, notice)
    if isinstance(notice, MilestoneNotice):
        return _milestone(t, notice)
    if isinstance(notice, TRACKED_NOTICES):  # action items, OGP warnings, minutes
        return render_tracked(t, notice)
    assert isinstance(notice, DigestNotice)
    # Drawing the chart takes tens of milliseconds of CPU: off the event loop.
    return await asyncio.to_thread(digest_parts, t, notice.data, late=_late(t, notice.head))
