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
from domain.parts import Part
from domain.rules import DEADLINE, OVERDUE
from storage.notices import DigestNotice, Head, MeetingNotice, MilestoneNotice, Notice


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
            left=_left(t, notice.offset_minutes),
        )
    if notice.place:
        text += "\n" + t("notify.meeting.place", place=esc(notice.place))
    return [Part(_late(t, notice.head) + text)]


def _milestone(t: Translator, notice: MilestoneNotice) -> list[Part]:
    facts: dict[str, Any] = {
        "number": esc(notice.number),
        "title": esc(notice.title),
        "agency": esc(notice.agency_code) if notice.agency_code else t("agency.none"),
        "due": notice.due.isoformat(),
    }
    hint = t("notify.update_hint", number=facts["number"])
    if notice.head.kind == DEADLINE:
        text = t("notify.deadline", left=_left(t, notice.offset_days * 1440), **facts)
        if notice.private:
            text += "\n" + t("notify.deadline.private", group=esc(notice.head.group_name))
        else:
            text += "\n" + hint
    elif notice.head.kind == OVERDUE:
        text = t("notify.overdue", **facts) + "\n" + hint
    else:
        quiet = t.plural("notify.quiet", notice.quiet_weeks, weeks=notice.quiet_weeks, **facts)
        text = quiet + "\n" + hint
    return [Part(_late(t, notice.head) + text)]


async def render_notice(notice: Notice) -> list[Part]:
    """The messages to send for one notification, in its language."""
    t = translator(notice.head.language)
    if isinstance(notice, MeetingNotice):
        return _meeting(t, notice)
    if isinstance(notice, MilestoneNotice):
        return _milestone(t, notice)
    assert isinstance(notice, DigestNotice)
    # Drawing the chart takes tens of milliseconds of CPU: off the event loop.
    return await asyncio.to_thread(digest_parts, t, notice.data, late=_late(t, notice.head))
