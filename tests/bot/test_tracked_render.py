"""The texts of action-item reminders and OGP warnings count the days from when they go."""

from __future__ import annotations

import datetime as dt

from bot.i18n import translator
from bot.tracked_notices import render_tracked
from domain.ogp import Requirement
from domain.rules import ACTION_DEADLINE, OGP
from storage.notices import Head
from storage.tracked_notices import ActionNotice, OgpNotice

UB = "Asia/Ulaanbaatar"


def ub(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def head(kind: str, local: dt.datetime) -> Head:
    when = local.astimezone(dt.UTC)
    return Head(kind=kind, language="en", timezone=UB, group_name="WG", due_at=when, late=False)


def action(local: dt.datetime) -> str:
    notice = ActionNotice(
        head=head(ACTION_DEADLINE, local),
        number="A1",
        text="Publish the register",
        agency_code="PPA",
        due=dt.date(2022, 11, 16),
        offset_days=7,
        private=True,
    )
    [part] = render_tracked(translator("en"), notice)
    return part.text


def test_a_reminder_snoozed_past_the_due_date_says_it_is_overdue() -> None:
    assert "is due in 7 days, on 2022-11-16" in action(ub(2022, 11, 9, 9))
    assert "is due today, on 2022-11-16" in action(ub(2022, 11, 16, 9))
    late = action(ub(2022, 11, 24, 9))
    assert "was due on 2022-11-16 and is not done" in late
    assert "due in" not in late


def test_an_ogp_warning_counts_from_the_day_it_goes() -> None:
    notice = OgpNotice(
        head=head(OGP, ub(2023, 2, 28, 9)),
        requirement=Requirement.FORUM,
        last=None,
        lapses=dt.date(2023, 3, 1),
        days=0,
    )
    [part] = render_tracked(translator("en"), notice)
    assert "by 2023-03-01, in 1 day " in part.text
