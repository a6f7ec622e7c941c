"""Every `<when>` is bounded: its dates, its first date from the start it really gets, and
the cost of asking for its dates (no walk to year 9999). No timing here: see
benchmarks/when_budget.py for the time each example takes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from bot.i18n import translator
from domain.recurrence import FIRST_WITHIN, Schedule, next_occurrences, place
from domain.when import When, WhenError, parse_when
from storage.ics import CalendarInput, render_ics
from storage.meetings import MeetingView, first_start
from storage.queries import PlanView

ULAANBAATAR = zoneinfo.ZoneInfo("Asia/Ulaanbaatar")
ZONES = ("Asia/Ulaanbaatar", "Pacific/Kiritimati", "America/Los_Angeles", "UTC")
CODES = {
    "bad_time",
    "bad_date",
    "bad_weekday",
    "bad_ordinal",
    "bad_rrule",
    "out_of_range",
    "unknown_form",
}

EN = translator("en")  # the words of English exports


def at(zone: zoneinfo.ZoneInfo, year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=zone)


def test_a_rule_is_anchored_at_the_start_the_meeting_really_gets() -> None:
    # Every 7th day, on Saturdays: from a Monday that is never; from a Saturday, weekly.
    when = parse_when("RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=SA 10:00")
    monday = at(ULAANBAATAR, 2025, 3, 17, 9)
    with pytest.raises(WhenError) as info:
        first_start(when, now=monday, tz=ULAANBAATAR)
    assert info.value.code == "too_far"
    assert "2025-03-17" in str(info.value)

    saturday = at(ULAANBAATAR, 2025, 3, 22, 9)
    start = first_start(when, now=saturday, tz=ULAANBAATAR)
    assert start == dt.datetime(2025, 3, 22, 10, 0)  # noqa: DTZ001 - a stored wall time
    schedule = Schedule(start, when.rrule, "Asia/Ulaanbaatar")
    starts = next_occurrences(schedule, now=saturday, count=3)
    assert [s.date() for s in starts] == [
        dt.date(2025, 3, 22),
        dt.date(2025, 3, 29),
        dt.date(2025, 4, 5),
    ]
    # Past 10:00 on that Saturday, the start is the next day: a Sunday, so never again.
    with pytest.raises(WhenError) as info:
        first_start(when, now=at(ULAANBAATAR, 2025, 3, 22, 11), tz=ULAANBAATAR)
    assert info.value.code == "too_far"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # February only, counted in twelve-month steps from the start's month.
        ("RRULE:FREQ=MONTHLY;INTERVAL=12;BYMONTH=2 10:00", None),
        # Every other year on 29 February: only from a start in the right year.
        ("RRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29 10:00", None),
        ("RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29 10:00", None),
        # Leap days come within five years of any start.
        ("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29 10:00", dt.date(2028, 2, 29)),
        # Every third year from the start's: 2025's 1 March has passed, so 2028's.
        ("RRULE:FREQ=YEARLY;INTERVAL=3;BYMONTH=3;BYMONTHDAY=1 10:00", dt.date(2028, 3, 1)),
        # An UNTIL that has passed is a schedule with no future, not a refused rule.
        ("RRULE:FREQ=DAILY;UNTIL=20200101T000000Z 10:00", dt.date(2025, 3, 18)),
    ],
)
def test_the_first_date_comes_within_five_years_of_the_start(
    text: str, expected: dt.date | None
) -> None:
    when = parse_when(text)
    now = at(ULAANBAATAR, 2025, 3, 17, 11)
    if expected is None:
        with pytest.raises(WhenError) as info:
            first_start(when, now=now, tz=ULAANBAATAR)
        assert info.value.code == "too_far"
    else:
        assert first_start(when, now=now, tz=ULAANBAATAR).date() == expected


def test_a_february_rule_started_in_february_happens() -> None:
    when = parse_when("RRULE:FREQ=MONTHLY;INTERVAL=12;BYMONTH=2 10:00")
    now = at(ULAANBAATAR, 2025, 2, 3, 8)
    start = first_start(when, now=now, tz=ULAANBAATAR)
    starts = next_occurrences(Schedule(start, when.rrule, "Asia/Ulaanbaatar"), now=now, count=2)
    assert [s.date() for s in starts] == [dt.date(2025, 2, 3), dt.date(2026, 2, 3)]


# The grammar's parts, extremes included: any mix must parse or be refused cleanly.
_DAYS = st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])
_ORDINAL = st.one_of(
    st.just(""),
    st.integers(-5, 5).map(lambda n: f"{n:+d}" if n % 2 else str(n)),
    st.integers(-60, 60).map(str),
    st.sampled_from(["+", "-", "0", "99999999999999999999"]),
)
_NUMBER = st.one_of(
    st.integers(1, 12),
    st.integers(-400, 400),
    st.sampled_from([0, 29, 30, 31, 53, 366, 367, -366, 10**6, 10**18]),
)
_DATES = st.one_of(st.dates(dt.date(1970, 1, 1), dt.date(2100, 12, 31)), st.dates())
_UNTIL = st.one_of(
    st.sampled_from(
        [
            "00010101",
            "19691231T235959Z",
            "19700101",
            "19700101T000000Z",
            "21001231",
            "21001231T235959Z",
            "21001231T235959",
            "21010101",
            "99991231T235959Z",
            "99991231T235959",
            "20250230",
        ]
    ),
    st.tuples(_DATES, st.sampled_from(["", "T000000", "T120000Z", "T235959Z"])).map(
        lambda p: f"{p[0]:%Y%m%d}{p[1]}" if p[0].year >= 1000 else f"{p[0].year:04d}0101{p[1]}"
    ),
)


def _listing(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(values, min_size=1, max_size=3).map(",".join)


_PARTS = st.fixed_dictionaries(
    {"FREQ": st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"])},
    optional={
        "INTERVAL": st.one_of(
            st.integers(1, 10),
            st.sampled_from([7, 14, 28, 52, 365, 999, 1000, 1001, 0]),
            st.integers(1, 10**18),
        ).map(str),
        "BYDAY": _listing(st.tuples(_ORDINAL, _DAYS).map("".join)),
        "BYMONTHDAY": _listing(_NUMBER.map(str)),
        "BYMONTH": _listing(st.integers(0, 13).map(str)),
        "BYYEARDAY": _listing(_NUMBER.map(str)),
        "BYWEEKNO": _listing(_NUMBER.map(str)),
        "BYSETPOS": _listing(_NUMBER.map(str)),
        "COUNT": st.one_of(st.integers(0, 1001), st.just(10**15)).map(str),
        "UNTIL": _UNTIL,
        "WKST": _DAYS,
    },
)
_HHMM = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["00:00", "23:59", "24:00", "9:05"]),
)
_RRULE = st.tuples(_PARTS.map(lambda p: ";".join(f"{k}={v}" for k, v in p.items())), _HHMM).map(
    lambda p: f"RRULE:{p[0]} {p[1]}"
)
_EVERY = st.tuples(
    st.sampled_from(["", "1st ", "2nd ", "5th ", "last ", "6th "]),
    st.sampled_from(["day", "mon", "Friday", "Бямба", "someday"]),
    _HHMM,
).map(lambda p: f"every {p[0]}{p[1]} {p[2]}")
_ONCE = st.tuples(_DATES, _HHMM).map(lambda p: f"{p[0].year:04d}-{p[0]:%m-%d} {p[1]}")
_TEXTS = st.one_of(_RRULE, _RRULE, _EVERY, _ONCE)
_NOWS = st.datetimes(
    dt.datetime(1970, 1, 2),  # noqa: DTZ001 - made aware by `timezones`
    dt.datetime(2085, 12, 31),  # noqa: DTZ001 - same
    timezones=st.just(dt.UTC),
)
PLAN = PlanView(
    group_name="Working group",
    country=None,
    period=None,
    timezone="Asia/Ulaanbaatar",
    language="en",
    agencies=(),
    commitments=(),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(_TEXTS, _NOWS)
@example("RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=SA 10:00", dt.datetime(2025, 3, 17, tzinfo=dt.UTC))
@example("RRULE:FREQ=DAILY;UNTIL=21001231T235959Z 10:00", dt.datetime(2025, 3, 17, tzinfo=dt.UTC))
@example("RRULE:FREQ=YEARLY;BYWEEKNO=53;BYDAY=SU 23:59", dt.datetime(2025, 3, 17, tzinfo=dt.UTC))
@example("1970-01-01 00:00", dt.datetime(1970, 1, 2, tzinfo=dt.UTC))
@example("2100-12-31 23:59", dt.datetime(2025, 3, 17, tzinfo=dt.UTC))
def test_any_when_parses_expands_and_exports_or_is_refused(text: str, now: dt.datetime) -> None:
    """parse_when raises nothing but WhenError; a parsed When gets a start (or is refused
    as too_far when added), its next dates and a calendar file, in every zone."""
    try:
        when = parse_when(text)
    except WhenError as exc:
        assert exc.code in CODES
        return
    meetings: list[MeetingView] = []
    for number, zone in enumerate(ZONES, start=1):
        tz = zoneinfo.ZoneInfo(zone)
        try:
            start = first_start(when, now=now, tz=tz)
        except WhenError as exc:
            assert when.rrule is not None and exc.code == "too_far"
            continue
        schedule = Schedule(start, when.rrule, zone)
        starts = next_occurrences(schedule, now=now, count=3)
        assert starts == sorted(starts) and len(starts) <= 3
        assert all(s.tzinfo is not None and s >= now for s in starts)
        if when.rrule is None:
            # A one-off is to come exactly when its wall time in the zone is.
            assert starts == ([place(start, tz)] if place(start, tz) >= now else [])
        else:
            assert start - now.astimezone(tz).replace(tzinfo=None) <= FIRST_WITHIN
            if "UNTIL" not in when.rrule:
                assert starts[0] == place(start, tz)
        meetings.append(_view(number, when, start, zone))
    data = render_ics(PLAN, CalendarInput(group_id=1, meetings=meetings, now=now), EN)
    assert len(Calendar.from_ical(data).events) == len(meetings)


def _view(number: int, when: When, start: dt.datetime, zone: str) -> MeetingView:
    return MeetingView(
        id=number,
        title=f"Meeting {number}",
        first_start_local=start,
        rrule=when.rrule,
        timezone=zone,
        duration_minutes=None,
        place=None,
        skipped_dates=frozenset({start.date()}) if number == 2 and when.rrule else frozenset(),
    )
