"""OGP's minimum requirements as pure functions of explicit dates.

OGP asks that the multi-stakeholder forum meets at least every six months and that the
national OGP repository is updated at least twice a year, i.e. at least every six
months too. A requirement lapses six calendar months after its last date (dateutil's
relativedelta: six months after 31 August is the last day of February, 28 or 29).
With nothing recorded yet, the count starts on the day the working group was created:
the bot knows no earlier date.

Warnings are due at 09:00 local (rules.MORNING) 30 and 7 days before a lapse and on its
day; a newer date moves the lapse date, and so every warning of the old one goes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from dateutil.relativedelta import relativedelta

INTERVAL = relativedelta(months=6)
# Days before the lapse date on which the group is warned (0: on the day).
WARN_DAYS = (30, 7, 0)


class Requirement(enum.StrEnum):
    FORUM = "forum"  # the multi-stakeholder forum meets
    REPOSITORY = "repository"  # the national OGP repository is updated


def lapse_date(last: dt.date) -> dt.date:
    """The day the requirement lapses when its last date was `last`."""
    return last + INTERVAL


@dataclasses.dataclass(frozen=True)
class Standing:
    """Where one requirement stands on `today`."""

    requirement: Requirement
    last: dt.date | None  # None: nothing recorded yet
    since: dt.date  # what the count starts from: `last`, else the group's creation day
    lapses: dt.date
    days_left: int  # negative once lapsed

    @property
    def lapsed(self) -> bool:
        return self.days_left < 0


def standing(
    requirement: Requirement, *, last: dt.date | None, created: dt.date, today: dt.date
) -> Standing:
    since = last if last is not None else created
    lapses = lapse_date(since)
    return Standing(
        requirement=requirement,
        last=last,
        since=since,
        lapses=lapses,
        days_left=(lapses - today).days,
    )


def warning_days(lapses: dt.date) -> list[tuple[int, dt.date]]:
    """(days before, local day) of each warning for a lapse date, earliest first."""
    return [(days, lapses - dt.timedelta(days=days)) for days in WARN_DAYS]
