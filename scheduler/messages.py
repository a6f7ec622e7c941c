"""A notification's text, rendered when it is delivered, from the facts in its payload.

Rendering reads the database as it is now, in the group's current language (a private
reminder in the member's language when known). When the facts no longer call for the
message (the meeting was cancelled, the milestone completed or updated since), the
renderer says so with None and the worker cancels the row instead of sending it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import zoneinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator, translator
from bot.render import esc, split_message
from domain.recurrence import occurrences
from domain.rules import DEADLINE, DIGEST, IN_PROGRESS, MEETING, OVERDUE, QUIET
from storage.claims import Claimed
from storage.models import Agency, Meeting, Member, Milestone, ProgressUpdate, WorkingGroup
from storage.reminders import meeting_schedule

CAPTION_LIMIT = 1024


@dataclasses.dataclass(frozen=True)
class Part:
    """One Telegram message: text (HTML), or a photo with an optional caption."""

    text: str
    photo: bytes | None = None


def _local(when: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _left(t: Translator, minutes: int) -> str:
    """ "1 day", "2 hours", "30 minutes": the largest whole unit."""
    for unit, size in (("days", 1440), ("hours", 60), ("minutes", 1)):
        if minutes >= size and minutes % size == 0:
            count = minutes // size
            return t(f"notify.left.{unit}_{'one' if count == 1 else 'other'}", count=count)
    return t("notify.left.minutes_other", count=minutes)


def _late(t: Translator, row: Claimed, tz: zoneinfo.ZoneInfo) -> str:
    return t("notify.late", when=_local(row.due_at, tz)) + "\n" if row.late else ""


async def _agency_code(session: AsyncSession, milestone: Milestone) -> str | None:
    if milestone.responsible_agency_id is None:
        return None
    agency = await session.get(Agency, milestone.responsible_agency_id)
    return agency.code if agency else None


async def _meeting(
    session: AsyncSession, row: Claimed, group: WorkingGroup, t: Translator
) -> list[Part] | None:
    meeting = await session.get(Meeting, int(row.payload["meeting_id"]))
    if meeting is None or meeting.cancelled_at is not None:
        return None
    start = dt.datetime.fromisoformat(row.payload["start"])
    schedule = meeting_schedule(meeting)
    if not occurrences(schedule, after=start, until=start + dt.timedelta(seconds=1)):
        return None  # skipped, or the schedule changed
    tz = zoneinfo.ZoneInfo(group.timezone)
    offset = int(row.payload["offset"])
    place = t("notify.meeting.place", place=esc(meeting.place)) if meeting.place else ""
    if offset == 0:
        text = t("notify.meeting.now", title=esc(meeting.title))
    else:
        text = t(
            "notify.meeting.soon",
            title=esc(meeting.title),
            when=_local(start, tz),
            left=_left(t, offset),
        )
    return [Part(_late(t, row, tz) + text + (f"\n{place}" if place else ""))]


async def _milestone(
    session: AsyncSession, row: Claimed, group: WorkingGroup, t: Translator
) -> list[Part] | None:
    milestone = await session.get(Milestone, int(row.payload["milestone_id"]))
    if milestone is None or milestone.archived or not milestone.status.is_open:
        return None
    if "due" in row.payload and milestone.due.isoformat() != row.payload["due"]:
        return None  # the due date moved: the planner has written the new reminders
    tz = zoneinfo.ZoneInfo(group.timezone)
    code = await _agency_code(session, milestone)
    facts: dict[str, Any] = {
        "number": esc(milestone.number),
        "title": esc(milestone.title),
        "agency": esc(code) if code else t("agency.none"),
        "due": milestone.due.isoformat(),
    }
    if row.kind == DEADLINE:
        offset = int(row.payload["offset"])
        text = t("notify.deadline", left=_left(t, offset * 1440), **facts)
        if row.payload.get("private"):
            text += "\n" + t("notify.deadline.private", group=esc(group.name))
        else:
            text += "\n" + t("notify.update_hint", number=esc(milestone.number))
    elif row.kind == OVERDUE:
        text = t("notify.overdue", **facts) + "\n" + t("notify.update_hint", number=facts["number"])
    else:
        if milestone.status not in IN_PROGRESS:
            return None
        newest = await session.scalar(
            select(ProgressUpdate.created_at)
            .where(ProgressUpdate.milestone_id == milestone.id)
            .order_by(ProgressUpdate.created_at.desc())
            .limit(1)
        )
        since = dt.datetime.fromisoformat(row.payload["since"])
        if newest is not None and newest > since:
            return None  # an update arrived: the quiet period is over
        weeks = max(1, (row.due_at - since).days // 7)
        text = (
            t("notify.quiet", weeks=weeks, **facts)
            + "\n"
            + t("notify.update_hint", number=facts["number"])
        )
    return [Part(_late(t, row, tz) + text)]


async def _digest(
    session: AsyncSession, row: Claimed, group: WorkingGroup, t: Translator
) -> list[Part]:
    from bot.digest import chart_png, render_caption, render_digest
    from storage.digest import collect_digest

    # The week ends when the digest was due, not when it went out: a late or retried
    # digest covers the same week, and renders the same each time.
    data = await collect_digest(session=session, group=group, now=row.due_at)
    tz = zoneinfo.ZoneInfo(group.timezone)
    png = await asyncio.to_thread(chart_png, data, t)
    caption = _late(t, row, tz) + render_caption(t, data)
    if len(caption) > CAPTION_LIMIT:
        caption = render_caption(t, data)
    return [Part(caption, photo=png)] + [Part(c) for c in split_message(render_digest(t, data))]


async def render_notification(
    *, session: AsyncSession, row: Claimed, now: dt.datetime
) -> list[Part] | None:
    """The messages to send for `row`, or None when it no longer applies."""
    group = await session.get(WorkingGroup, row.group_id) if row.group_id is not None else None
    if group is None:
        return None
    language = group.language
    if row.payload.get("private"):
        member = await session.scalar(
            select(Member).where(
                Member.working_group_id == group.id, Member.telegram_user_id == row.chat_id
            )
        )
        if member is None or not member.private_chat:
            return None
        language = member.language or language
    t = translator(language)
    if row.kind == MEETING:
        return await _meeting(session, row, group, t)
    if row.kind in (DEADLINE, OVERDUE, QUIET):
        return await _milestone(session, row, group, t)
    if row.kind == DIGEST:
        return await _digest(session, row, group, t)
    raise ValueError(f"unknown notification kind {row.kind!r}")
