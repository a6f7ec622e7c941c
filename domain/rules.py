"""When the bot speaks on its own: pure functions of the plan's facts and a time window.

Every planned notification has a unique key, so planning the same window twice yields
the same keys and the outbox (unique on the key) never holds anything twice:

    meeting:<meeting id>:<occurrence UTC ISO>:<offset minutes>
    deadline:<milestone id>:<due>:<offset days>:group        (in the group's chat)
    deadline:<milestone id>:<due>:<offset days>:user:<telegram user id>  (privately)
    overdue:<milestone id>:<due>
    quiet:<milestone id>:<quiet period start UTC ISO>
    digest:<group id>:<ISO year>-W<ISO week>
    digest_now:<group id>:<asked at UTC ISO>                  (asked for with /digest)
    action_deadline:<action id>:<due>:<offset days>:group     (domain.tracked, like deadline)
    action_deadline:<action id>:<due>:<offset days>:user:<telegram user id>
    action_overdue:<action id>:<due>
    ogp:<group id>:<forum|repository>:<lapse date>:<30|7|0>   (a newer date, a new lapse date)
    minutes_closed:<minutes id>                    (closed by themselves: written once)
    snooze:<notification id>:<tomorrow|week>       (a member's snooze button: written once)

Keys name the recipient, never a chat id that can change: a group's chat moves (an
upgrade to a supergroup, re-linking) and its queued reminders follow it, unsent twice.

Wall times (09:00, the digest time, a meeting's start) are in the group's time zone and
stay at that wall time across daylight-saving changes; a wall time inside a
spring-forward gap moves forward by the gap (domain.recurrence.place).

Off quiet days (a holiday or a day outside the group's working week) every planned
notification moves by its `Planned.moves`, in plan_notifications only (domain.quiet);
its key stays the unmoved one, so a change of holidays moves a pending row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

from domain.enums import Status
from domain.quiet import Move as Move  # defined with the moving rule, re-exported here
from domain.quiet import QuietCalendar, moved
from domain.recurrence import Schedule, occurrences, place

# Deadline reminders, overdue notices and quiet nudges arrive at this local time.
MORNING = dt.time(9, 0)
# A notification delivered more than this after its time says that it is late.
LATE_AFTER = dt.timedelta(minutes=5)

MEETING, DEADLINE, OVERDUE, QUIET, DIGEST = "meeting", "deadline", "overdue", "quiet", "digest"
# Planning derives these kinds from the plan, and cancels what it no longer wants.
# Action items (tracked like milestones) and OGP's minimum requirements: domain.tracked.
ACTION_DEADLINE, ACTION_OVERDUE, OGP = "action_deadline", "action_overdue", "ogp"
PLANNED_KINDS = (MEETING, DEADLINE, OVERDUE, QUIET, DIGEST, ACTION_DEADLINE, ACTION_OVERDUE, OGP)
# Minutes that closed themselves after 4 hours: written once when closed, never planned.
MINUTES_CLOSED = "minutes_closed"
# The digest a member asked for with /digest: written once, never planned or cancelled.
DIGEST_NOW = "digest_now"
# How long a group waits between two /digest (a chart and a few messages each).
DIGEST_COOLDOWN = dt.timedelta(minutes=10)
IN_PROGRESS = frozenset({Status.LIMITED, Status.SUBSTANTIAL})


@dataclasses.dataclass(frozen=True)
class Window:
    """Instants `start <= t < end` (aware)."""

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a Window needs aware datetimes")

    def __contains__(self, when: dt.datetime) -> bool:
        return self.start <= when < self.end


@dataclasses.dataclass(frozen=True)
class GroupFacts:
    """A working group's settings as the rules need them."""

    id: int
    timezone: str
    chat_id: int | None  # the group chat; None when it has none the bot may write to
    created_at: dt.datetime
    digest_weekday: int | None = 0  # 0 = Monday; None = no digest
    digest_time: dt.time = dt.time(9, 0)
    deadline_offsets_days: tuple[int, ...] = (14, 7, 1)
    meeting_offsets_minutes: tuple[int, ...] = (1440, 60, 0)
    quiet_weeks: int = 4
    # Working week and days off; None: every day is a working day (nothing moves).
    quiet: QuietCalendar | None = None

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


@dataclasses.dataclass(frozen=True)
class MeetingFacts:
    id: int
    schedule: Schedule
    created_at: dt.datetime
    cancelled: bool = False


@dataclasses.dataclass(frozen=True)
class MilestoneFacts:
    id: int
    due: dt.date
    status: Status
    # Telegram user ids of the responsible agency's members who opened a private chat.
    private_chats: tuple[int, ...] = ()
    last_update_at: dt.datetime | None = None
    # When it is known to have been in progress, for a milestone without any update.
    started_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class Planned:
    """One notification the rules want: what, where, when, and the facts to render it."""

    key: str
    kind: str
    chat_id: int
    due_at: dt.datetime  # aware, UTC
    payload: dict[str, Any]
    # How the quiet-day rule may move it; the key stays that of the unmoved time.
    moves: Move = Move.STAY


def at_local(day: dt.date, wall: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The instant (UTC) of a wall time on a local day; a gap's wall time moves forward."""
    return place(dt.datetime.combine(day, wall), tz).astimezone(dt.UTC)


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat()


def meeting_reminders(group: GroupFacts, meeting: MeetingFacts, window: Window) -> list[Planned]:
    """Reminders at each offset before each occurrence; none whose time had passed when
    the meeting was created (so one created 30 minutes ahead gets only "starting now")."""
    if meeting.cancelled or group.chat_id is None or not group.meeting_offsets_minutes:
        return []
    offsets = sorted(set(group.meeting_offsets_minutes))
    starts = occurrences(
        meeting.schedule,
        after=window.start,
        until=window.end + dt.timedelta(minutes=offsets[-1]),
    )
    planned: list[Planned] = []
    for start in (s.astimezone(dt.UTC) for s in starts):
        for offset in offsets:
            # Offsets are durations (in UTC): one hour before is 60 real minutes before,
            # even across a daylight-saving change.
            due = start - dt.timedelta(minutes=offset)
            if due not in window or due < meeting.created_at:
                continue
            planned.append(
                Planned(
                    key=f"{MEETING}:{meeting.id}:{_iso(start)}:{offset}",
                    kind=MEETING,
                    chat_id=group.chat_id,
                    due_at=due,
                    payload={"meeting_id": meeting.id, "start": _iso(start), "offset": offset},
                    # The day before is ahead of the meeting; the hour before and the
                    # start are the meeting's own time.
                    moves=Move.EARLIER if offset >= 1440 else Move.STAY,
                )
            )
    return planned


def deadline_reminders(
    group: GroupFacts, milestone: MilestoneFacts, window: Window
) -> list[Planned]:
    """At 09:00 local, `offset` days before the due date: to the group and to each member
    of the responsible agency who opened a private chat with the bot."""
    if not milestone.status.is_open:
        return []
    chats = ([group.chat_id] if group.chat_id is not None else []) + sorted(
        set(milestone.private_chats)
    )
    planned: list[Planned] = []
    for offset in sorted(set(group.deadline_offsets_days), reverse=True):
        due_at = at_local(milestone.due - dt.timedelta(days=offset), MORNING, group.tz)
        if due_at not in window:
            continue
        for chat in chats:
            private = chat != group.chat_id
            to = f"user:{chat}" if private else "group"
            planned.append(
                Planned(
                    key=f"{DEADLINE}:{milestone.id}:{milestone.due.isoformat()}:{offset}:{to}",
                    kind=DEADLINE,
                    chat_id=chat,
                    due_at=due_at,
                    payload={
                        "milestone_id": milestone.id,
                        "due": milestone.due.isoformat(),
                        "offset": offset,
                        "private": private,
                    },
                    moves=Move.EARLIER,
                )
            )
    return planned


def overdue_notice(group: GroupFacts, milestone: MilestoneFacts, window: Window) -> list[Planned]:
    """Once, at 09:00 local on the day after a missed due date (then the digest lists it)."""
    if not milestone.status.is_open or group.chat_id is None:
        return []
    due_at = at_local(milestone.due + dt.timedelta(days=1), MORNING, group.tz)
    if due_at not in window:
        return []
    return [
        Planned(
            key=f"{OVERDUE}:{milestone.id}:{milestone.due.isoformat()}",
            kind=OVERDUE,
            chat_id=group.chat_id,
            due_at=due_at,
            payload={"milestone_id": milestone.id, "due": milestone.due.isoformat()},
            moves=Move.LATER,
        )
    ]


def _morning_on_or_after(when: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    local_day = when.astimezone(tz).date()
    morning = at_local(local_day, MORNING, tz)
    return morning if morning >= when else at_local(local_day + dt.timedelta(days=1), MORNING, tz)


def quiet_nudges(group: GroupFacts, milestone: MilestoneFacts, window: Window) -> list[Planned]:
    """A milestone in progress with no update for `quiet_weeks` weeks is named to the group,
    at the first 09:00 local after each full quiet period (so at most once a period)."""
    baseline = milestone.last_update_at or milestone.started_at
    if (
        milestone.status not in IN_PROGRESS
        or group.chat_id is None
        or baseline is None
        or group.quiet_weeks <= 0
    ):
        return []
    period = dt.timedelta(weeks=group.quiet_weeks)
    # A nudge lands within a day after baseline + n·period; look only at the n that can.
    first = max(1, math.floor((window.start - baseline - dt.timedelta(days=2)) / period))
    last = math.ceil((window.end - baseline) / period)
    planned: list[Planned] = []
    for n in range(first, last + 1):
        period_start = baseline + (n - 1) * period
        due_at = _morning_on_or_after(baseline + n * period, group.tz)
        if due_at not in window:
            continue
        planned.append(
            Planned(
                key=f"{QUIET}:{milestone.id}:{_iso(period_start)}",
                kind=QUIET,
                chat_id=group.chat_id,
                due_at=due_at,
                payload={"milestone_id": milestone.id, "since": _iso(baseline)},
                moves=Move.LATER,
            )
        )
    return planned


def weekly_digest(group: GroupFacts, window: Window) -> list[Planned]:
    """At the group's digest weekday and time, local, once per ISO week; None = off."""
    if group.digest_weekday is None or group.chat_id is None:
        return []
    tz = group.tz
    day = window.start.astimezone(tz).date() - dt.timedelta(days=1)
    last_day = window.end.astimezone(tz).date() + dt.timedelta(days=1)
    planned: list[Planned] = []
    while day <= last_day:
        if day.weekday() == group.digest_weekday:
            due_at = at_local(day, group.digest_time, tz)
            if due_at in window:
                year, week, _ = day.isocalendar()
                planned.append(
                    Planned(
                        key=f"{DIGEST}:{group.id}:{year}-W{week:02d}",
                        kind=DIGEST,
                        chat_id=group.chat_id,
                        due_at=due_at,
                        payload={"group_id": group.id, "week": f"{year}-W{week:02d}"},
                        moves=Move.LATER,
                    )
                )
        day += dt.timedelta(days=1)
    return planned


def plan_notifications(
    group: GroupFacts,
    meetings: Iterable[MeetingFacts],
    milestones: Iterable[MilestoneFacts],
    window: Window,
    *,
    now: dt.datetime | None = None,
    extra: Iterable[Callable[[GroupFacts, Window], list[Planned]]] = (),
) -> list[Planned]:
    """Everything the group wants sent with a time in `window`, ordered by time then key.
    `extra` rules (domain.tracked: action items, OGP warnings) plan in the same window.

    Nothing is planned before the group existed: a reminder whose time had passed when
    the plan was first loaded is not news.

    Every notification then moves off quiet days by its `moves` (domain.quiet.moved, here
    and nowhere else), keeping the key of its unmoved time; `now` is when an EARLIER move
    that is already past goes instead. The rules look beyond `window` by the quiet days
    at its edges, so what moves into the window from outside it is planned too.
    """
    asked, window = window, _reach(group, window)
    planned = weekly_digest(group, window)
    for meeting in meetings:
        planned += meeting_reminders(group, meeting, window)
    for milestone in milestones:
        planned += deadline_reminders(group, milestone, window)
        planned += overdue_notice(group, milestone, window)
        planned += quiet_nudges(group, milestone, window)
    for more in extra:
        planned += more(group, window)
    wanted = [p for p in planned if p.kind == MEETING or p.due_at >= group.created_at]
    placed = _one_digest_a_day(group, [_off_quiet_days(group, p, now) for p in wanted])
    return sorted((p for p in placed if p.due_at in asked), key=lambda p: (p.due_at, p.key))


def _reach(group: GroupFacts, window: Window) -> Window:
    """`window` widened by the runs of quiet days just outside it (plus a day for wall
    times and offsets): an EARLIER notification due after the window may move into it,
    a LATER one due before it too."""
    if group.quiet is None:
        return window
    tz, quiet = group.tz, group.quiet
    after = quiet.run(window.end.astimezone(tz).date() + dt.timedelta(days=1), 1)
    before = quiet.run(window.start.astimezone(tz).date() - dt.timedelta(days=1), -1)
    return Window(
        start=window.start - dt.timedelta(days=before + 1),
        end=window.end + dt.timedelta(days=after + 1),
    )


def _one_digest_a_day(group: GroupFacts, planned: list[Planned]) -> list[Planned]:
    """A digest moved onto the day of the next week's (a week of holidays) gives way to
    it: that one covers the same days and more."""
    days: dict[dt.date, str] = {}
    for p in planned:
        if p.kind == DIGEST:
            day = p.due_at.astimezone(group.tz).date()
            days[day] = max(days.get(day, p.key), p.key)
    return [
        p
        for p in planned
        if p.kind != DIGEST or days[p.due_at.astimezone(group.tz).date()] == p.key
    ]


def _off_quiet_days(group: GroupFacts, planned: Planned, now: dt.datetime | None) -> Planned:
    """The notification at its time off quiet days; its key stays the unmoved one."""
    if group.quiet is None or planned.moves is Move.STAY:
        return planned
    due_at = moved(planned.due_at, planned.moves, tz=group.tz, calendar=group.quiet, now=now)
    return planned if due_at == planned.due_at else dataclasses.replace(planned, due_at=due_at)


def digest_cooldown_left(last_asked: dt.datetime | None, now: dt.datetime) -> dt.timedelta | None:
    """How long until the group may ask for the digest again; None when it may now."""
    if last_asked is None:
        return None
    left = last_asked + DIGEST_COOLDOWN - now
    return left if left > dt.timedelta(0) else None
