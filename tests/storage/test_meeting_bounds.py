"""/meeting add's storage side at the bounds: far one-offs, rules that never come, far UNTILs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.when import WhenError, parse_when
from storage.db import transaction
from storage.groups import create_group
from storage.meetings import Outcome, Result, add_meeting
from storage.models import Meeting

ULAANBAATAR = zoneinfo.ZoneInfo("Asia/Ulaanbaatar")
# Monday 2025-03-17, 09:00 in Ulaanbaatar.
NOW = dt.datetime(2025, 3, 17, 9, 0, tzinfo=ULAANBAATAR)


async def add(sessionmaker: async_sessionmaker[AsyncSession], text: str) -> Result:
    async with transaction(sessionmaker) as session:
        group = await create_group(
            session=session,
            chat_id=-1,
            name="g",
            timezone="Asia/Ulaanbaatar",
            language="en",
            now=NOW,
        )
        return await add_meeting(
            session=session,
            group=group,
            when=parse_when(text),
            title="Review",
            created_by_member_id=None,
            now=NOW,
        )


async def stored(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Meeting)) or 0


async def test_a_one_off_decades_ahead_is_added_not_past(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    result = await add(sessionmaker, "2090-06-01 10:00")
    assert result.outcome is Outcome.DONE
    assert result.starts == [dt.datetime(2090, 6, 1, 10, 0, tzinfo=ULAANBAATAR)]


async def test_a_rule_that_never_comes_from_today_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(WhenError) as info:
        await add(sessionmaker, "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=SA 10:00")
    assert info.value.code == "too_far"
    assert await stored(sessionmaker) == 0


@pytest.mark.parametrize(
    ("text", "outcome", "first"),
    [
        # East of UTC, this UNTIL is 2101-01-01 07:59 local: no overflow, a long series.
        ("RRULE:FREQ=DAILY;UNTIL=21001231T235959Z 10:00", Outcome.DONE, dt.date(2025, 3, 17)),
        ("RRULE:FREQ=WEEKLY;UNTIL=20250301 10:00", Outcome.NO_FUTURE, None),
    ],
)
async def test_until_at_the_ends(
    sessionmaker: async_sessionmaker[AsyncSession],
    text: str,
    outcome: Outcome,
    first: dt.date | None,
) -> None:
    result = await add(sessionmaker, text)
    assert result.outcome is outcome
    assert (result.starts[0].date() if result.starts else None) == first
