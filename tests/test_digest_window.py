"""The digest's week: seven local days ending now, in every zone, across DST changes."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest

from domain.digest_window import (
    deadline_range,
    digest_week,
    local_today,
    meeting_range,
    quiet_since,
)
from domain.recurrence import place

ZONES = ["America/New_York", "Europe/London", "Asia/Ulaanbaatar", "Australia/Lord_Howe"]


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A naive local wall time."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour, minute))


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


@pytest.mark.parametrize(
    ("zone", "now_wall", "length"),
    [
        ("America/New_York", wall(2026, 6, 15, 9), hours(168)),
        # Daylight time starts 2026-03-08 and ends 2026-11-01.
        ("America/New_York", wall(2026, 3, 9, 9), hours(167)),
        ("America/New_York", wall(2026, 11, 2, 9), hours(169)),
        # British Summer Time starts 2026-03-29 and ends 2026-10-25.
        ("Europe/London", wall(2026, 3, 30, 9), hours(167)),
        ("Europe/London", wall(2026, 10, 26, 9), hours(169)),
        # Ulaanbaatar has had no daylight saving since 2017.
        ("Asia/Ulaanbaatar", wall(2026, 3, 9, 9), hours(168)),
        ("Asia/Ulaanbaatar", wall(2026, 10, 26, 9), hours(168)),
        # Lord Howe Island shifts by half an hour: back on 2026-04-05, forward on 2026-10-04.
        ("Australia/Lord_Howe", wall(2026, 4, 6, 9), hours(168.5)),
        ("Australia/Lord_Howe", wall(2026, 10, 5, 9), hours(167.5)),
    ],
)
def test_the_week_is_seven_local_days_ending_now(
    zone: str, now_wall: dt.datetime, length: dt.timedelta
) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    now = place(now_wall, tz).astimezone(dt.UTC)  # the clock speaks UTC
    start, end = digest_week(now, tz)
    assert end == now
    assert start.tzinfo is dt.UTC and end.tzinfo is dt.UTC
    assert end.astimezone(tz).replace(tzinfo=None) == now_wall
    assert start.astimezone(tz).replace(tzinfo=None) == now_wall - dt.timedelta(days=7)
    assert end - start == length


@pytest.mark.parametrize(
    ("zone", "now_wall", "start_wall"),
    [
        # A week earlier 02:30 did not exist (spring forward): the week starts at 03:30.
        ("America/New_York", wall(2026, 3, 15, 2, 30), wall(2026, 3, 8, 3, 30)),
        ("Europe/London", wall(2026, 4, 5, 1, 30), wall(2026, 3, 29, 2, 30)),
        ("Australia/Lord_Howe", wall(2026, 10, 11, 2, 15), wall(2026, 10, 4, 2, 45)),
    ],
)
def test_a_start_in_a_daylight_saving_gap_moves_forward(
    zone: str, now_wall: dt.datetime, start_wall: dt.datetime
) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    start, _ = digest_week(place(now_wall, tz), tz)
    assert start.astimezone(tz).replace(tzinfo=None) == start_wall


def test_an_ambiguous_start_takes_the_earlier_instant() -> None:
    tz = zoneinfo.ZoneInfo("Europe/London")
    # 2026-10-25 01:30 happened twice; the week takes the first (BST), so nothing is lost.
    start, end = digest_week(place(wall(2026, 11, 1, 1, 30), tz), tz)
    assert start == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert end - start == hours(169)


@pytest.mark.parametrize("zone", ZONES)
def test_weekly_digests_tile_the_year_without_gap_or_overlap(zone: str) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    first = wall(2026, 1, 5, 9)  # a Monday; the default digest time
    posts = [place(first + dt.timedelta(weeks=n), tz) for n in range(60)]
    windows = [digest_week(now, tz) for now in posts]
    for (_, previous_end), (start, _) in itertools.pairwise(windows):
        assert start == previous_end
    # Real elapsed time (two zones in a subtraction compare instants, not wall times).
    elapsed = posts[-1].astimezone(dt.UTC) - posts[0]
    assert sum((end - start for start, end in windows[1:]), dt.timedelta()) == elapsed


@pytest.mark.parametrize("zone", ZONES)
def test_the_same_instant_gives_the_same_week_in_any_representation(zone: str) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    utc = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    tokyo = utc.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert digest_week(utc, tz) == digest_week(tokyo, tz)


@pytest.mark.parametrize(
    ("zone", "today"),
    [
        ("America/New_York", dt.date(2026, 3, 8)),
        ("Europe/London", dt.date(2026, 3, 8)),
        ("Asia/Ulaanbaatar", dt.date(2026, 3, 9)),
        ("Australia/Lord_Howe", dt.date(2026, 3, 9)),
    ],
)
def test_today_and_the_deadline_range_are_local_dates(zone: str, today: dt.date) -> None:
    now = dt.datetime(2026, 3, 8, 23, 30, tzinfo=dt.UTC)
    tz = zoneinfo.ZoneInfo(zone)
    assert local_today(now, tz) == today
    assert deadline_range(today) == (today, today + dt.timedelta(days=14))


def test_meetings_look_two_weeks_ahead_and_quiet_means_thirty_days() -> None:
    now = dt.datetime(2026, 3, 8, 23, 30, tzinfo=dt.UTC)
    assert meeting_range(now) == (now, now + dt.timedelta(days=14))
    assert quiet_since(now) == now - dt.timedelta(days=30)


def test_a_naive_now_is_refused() -> None:
    naive = wall(2026, 3, 9, 9)
    tz = zoneinfo.ZoneInfo("UTC")
    with pytest.raises(ValueError, match="aware"):
        digest_week(naive, tz)
    with pytest.raises(ValueError, match="aware"):
        local_today(naive, tz)
