"""Quiet days: the moving rule (PRODUCT.md, "Quiet days and snooze"), pure.

A day is quiet when it is outside the group's working week or one of its days off (the
country's public holidays and the group's own, as plain dates: the holidays library is
read outside the domain). A notification due on a quiet day, in the group's zone, moves
by its `Move`:

- EARLIER (ahead of something): to the previous working day at the same local wall
  time. When that instant has already passed but the original one has not, it goes at
  once (`now`); when both have passed (the bot was away) it keeps its original instant
  and is late like any missed reminder, or dropped past the grace window.
- LATER (after the fact, the digest): to the next working day at the same wall time.
- STAY: never moves (the meeting is when it is).

The same wall time is placed with domain.recurrence.place, so a move across a
daylight-saving change keeps 09:00 at 09:00 (a wall time inside a spring-forward gap
moves forward by the gap). A calendar without any working day moves nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import zoneinfo
from collections.abc import Iterable, Iterator

from domain.recurrence import place

# The outbox kind of a reminder a member snoozed with its button, keyed
# snooze:<notification id>:<tomorrow|week>; its payload is the reminder's, plus "of" (the
# reminder's own kind). Never planned, so planning never cancels it.
SNOOZE = "snooze"
# Monday to Friday: the working week of a group that chose none.
MON_FRI = frozenset(range(5))
# No stretch of quiet days is followed further than this (a year off is not a holiday).
MAX_RUN = 62


class Move(enum.StrEnum):
    """Which way a notification moves off a quiet day (PRODUCT.md, "Quiet days")."""

    EARLIER = "earlier"  # ahead of something: to the previous working day, same wall time
    LATER = "later"  # after the fact, and the digest: to the next working day
    STAY = "stay"  # the meeting is when it is (an hour before, starting now)


@dataclasses.dataclass(frozen=True)
class QuietCalendar:
    """A group's working week (0 = Monday … 6 = Sunday) and its days off."""

    workdays: frozenset[int] = MON_FRI
    days_off: frozenset[dt.date] = frozenset()

    def is_quiet(self, day: dt.date) -> bool:
        return day.weekday() not in self.workdays or day in self.days_off

    def working_day(self, day: dt.date, step: int) -> dt.date | None:
        """`day` if it is a working day, else the nearest one in direction `step` (±1);
        None when none comes within MAX_RUN days."""
        for _ in range(MAX_RUN + 1):
            if not self.is_quiet(day):
                return day
            day += dt.timedelta(days=step)
        return None

    def run(self, day: dt.date, step: int) -> int:
        """How many quiet days follow one another from `day` on in direction `step`."""
        count = 0
        while count < MAX_RUN and self.is_quiet(day):
            count += 1
            day += dt.timedelta(days=step)
        return count

    def quiet_days(self, first: dt.date, last: dt.date) -> Iterator[dt.date]:
        day = first
        while day <= last:
            if self.is_quiet(day):
                yield day
            day += dt.timedelta(days=1)


def spans(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days folded into (first, last) spans, in order."""
    folded: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if folded and folded[-1][1] + dt.timedelta(days=1) == day:
            folded[-1] = (folded[-1][0], day)
        else:
            folded.append((day, day))
    return folded


def moved(
    when: dt.datetime,
    moves: Move,
    *,
    tz: zoneinfo.ZoneInfo,
    calendar: QuietCalendar,
    now: dt.datetime | None = None,
) -> dt.datetime:
    """The instant (UTC) a notification due at `when` goes out, off quiet days.

    `now` matters for EARLIER only: a moved instant already past becomes `now` (sent at
    once) while the original is still ahead; without `now` nothing is clamped.
    """
    if moves is Move.STAY:
        return when
    local = when.astimezone(tz)
    if not calendar.is_quiet(local.date()):
        return when
    step = -1 if moves is Move.EARLIER else 1
    day = calendar.working_day(local.date(), step)
    if day is None:
        return when
    target = place(dt.datetime.combine(day, local.time()), tz).astimezone(dt.UTC)
    if moves is Move.EARLIER and now is not None and target < now:
        return max(target, min(now, when))
    return target
