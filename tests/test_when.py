"""The `<when>` grammar of `/meeting add`: what parses to what, what is refused and why."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.when import EARLIEST, LATEST, When, WhenError, format_when, parse_when

TEN = dt.time(10, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-18 10:00", When(rrule=None, date=dt.date(2025, 3, 18), time=TEN)),
        ("  2025-03-18   9:05 ", When(rrule=None, date=dt.date(2025, 3, 18), time=dt.time(9, 5))),
        ("every tue 10:00", When(rrule="FREQ=WEEKLY;BYDAY=TU", date=None, time=TEN)),
        ("EVERY Tuesday 10:00", When(rrule="FREQ=WEEKLY;BYDAY=TU", date=None, time=TEN)),
        ("every sunday 23:59", When(rrule="FREQ=WEEKLY;BYDAY=SU", date=None, time=dt.time(23, 59))),
        ("every 2nd tue 10:00", When(rrule="FREQ=MONTHLY;BYDAY=2TU", date=None, time=TEN)),
        ("every 1st Mon 00:00", When(rrule="FREQ=MONTHLY;BYDAY=1MO", date=None, time=dt.time(0))),
        ("every 5th wed 10:00", When(rrule="FREQ=MONTHLY;BYDAY=5WE", date=None, time=TEN)),
        (
            "every last fri 15:00",
            When(rrule="FREQ=MONTHLY;BYDAY=-1FR", date=None, time=dt.time(15)),
        ),
        ("every day 08:30", When(rrule="FREQ=DAILY", date=None, time=dt.time(8, 30))),
        ("every Даваа 10:00", When(rrule="FREQ=WEEKLY;BYDAY=MO", date=None, time=TEN)),
        ("every мягмар 10:00", When(rrule="FREQ=WEEKLY;BYDAY=TU", date=None, time=TEN)),
        ("every 3rd Лхагва 10:00", When(rrule="FREQ=MONTHLY;BYDAY=3WE", date=None, time=TEN)),
        ("every Пүрэв 10:00", When(rrule="FREQ=WEEKLY;BYDAY=TH", date=None, time=TEN)),
        ("every БААСАН 10:00", When(rrule="FREQ=WEEKLY;BYDAY=FR", date=None, time=TEN)),
        ("every Бямба 10:00", When(rrule="FREQ=WEEKLY;BYDAY=SA", date=None, time=TEN)),
        ("every last Ням 10:00", When(rrule="FREQ=MONTHLY;BYDAY=-1SU", date=None, time=TEN)),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,WE 18:00", When("FREQ=WEEKLY;BYDAY=MO,WE", None, dt.time(18))),
        (
            "rrule:freq=monthly;interval=3;byday=-1th 15:00",
            When("FREQ=MONTHLY;INTERVAL=3;BYDAY=-1TH", None, dt.time(15)),
        ),
        (
            "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29 10:00",
            When("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", None, TEN),
        ),
        ("RRULE:FREQ=DAILY;COUNT=5 10:00", When("FREQ=DAILY;COUNT=5", None, TEN)),
        ("RRULE:FREQ=WEEKLY;UNTIL=20231231 10:00", When("FREQ=WEEKLY;UNTIL=20231231", None, TEN)),
        (
            "RRULE:FREQ=WEEKLY;UNTIL=20231231T000000Z 10:00",
            When("FREQ=WEEKLY;UNTIL=20231231T000000Z", None, TEN),
        ),
        # The first and last dates a schedule may name.
        ("1970-01-01 00:00", When(rrule=None, date=dt.date(1970, 1, 1), time=dt.time(0))),
        ("2100-12-31 23:59", When(rrule=None, date=dt.date(2100, 12, 31), time=dt.time(23, 59))),
        (
            "RRULE:FREQ=DAILY;UNTIL=21001231T235959Z 10:00",
            When("FREQ=DAILY;UNTIL=21001231T235959Z", None, TEN),
        ),
        # It happens from a Saturday start: whether it does from the meeting's own start
        # is for storage.meetings.first_start to say, with now and the zone.
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=-1 10:00", When("FREQ=MONTHLY;BYMONTHDAY=-1", None, TEN)),
        (
            "RRULE:FREQ=MONTHLY;BYDAY=+1MO,-1FR;BYSETPOS=-1 10:00",
            When("FREQ=MONTHLY;BYDAY=+1MO,-1FR;BYSETPOS=-1", None, TEN),
        ),
        (
            "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=SA 10:00",
            When("FREQ=DAILY;INTERVAL=7;BYDAY=SA", None, TEN),
        ),
        (
            "RRULE:FREQ=MONTHLY;INTERVAL=12;BYMONTH=2 10:00",
            When("FREQ=MONTHLY;INTERVAL=12;BYMONTH=2", None, TEN),
        ),
    ],
)
def test_accepted_forms(text: str, expected: When) -> None:
    assert parse_when(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "unknown_form"),
        ("tomorrow 10:00", "unknown_form"),
        ("every 10:00", "unknown_form"),
        ("every 2nd tue at 10:00", "unknown_form"),
        ("2025-03-18", "unknown_form"),
        ("2025-03-18 10:00 extra", "unknown_form"),
        ("2025-02-30 10:00", "bad_date"),
        ("2025-3-18 10:00", "bad_date"),
        ("18.03.2025 10:00", "bad_date"),
        ("every tue 24:00", "bad_time"),
        ("every tue 10:60", "bad_time"),
        ("every tue 10", "bad_time"),
        ("every tue 10:00am", "bad_time"),
        ("every tue ١٠:٠٠", "bad_time"),
        ("every tuesdy 10:00", "bad_weekday"),
        ("every 2nd day 10:00", "bad_weekday"),
        ("every 6th tue 10:00", "bad_ordinal"),
        ("every 2th tue 10:00", "bad_ordinal"),
        ("every sixth tue 10:00", "bad_ordinal"),
        ("RRULE: 10:00", "bad_rrule"),
        ("RRULE:FREQ=HOURLY 10:00", "bad_rrule"),
        ("RRULE:FREQ=FORTNIGHTLY 10:00", "bad_rrule"),
        ("RRULE:BYDAY=MO 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY;BYHOUR=9 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY;DTSTART=20250101 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY;FREQ=WEEKLY 10:00", "bad_rrule"),
        ("RRULE:FREQ=WEEKLY;BYDAY=XX 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY;COUNT=0 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY;COUNT=2;UNTIL=20250101 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY;UNTIL=tomorrow 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY;UNTIL=18991231 10:00", "out_of_range"),
        ("RRULE:FREQ=DAILY;UNTIL=99991231T235959Z 10:00", "out_of_range"),
        ("RRULE:FREQ=DAILY;UNTIL=19691231T235959Z 10:00", "out_of_range"),
        ("RRULE:FREQ=DAILY;UNTIL=21010101 10:00", "out_of_range"),
        ("RRULE:FREQ=DAILY;UNTIL=20250230 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY;UNTIL=20250101T240000Z 10:00", "bad_rrule"),
        ("0001-01-01 00:00", "out_of_range"),
        ("1969-12-31 23:59", "out_of_range"),
        ("2101-01-01 00:00", "out_of_range"),
        ("9999-12-31 23:59", "out_of_range"),
        ("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 10:00", "bad_rrule"),
        # Numbers out of RFC 5545's ranges never match, and calendar files refuse them.
        ("RRULE:FREQ=YEARLY;BYMONTHDAY=1,1000000000000000000 10:00", "bad_rrule"),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=0 10:00", "bad_rrule"),
        ("RRULE:FREQ=YEARLY;BYMONTH=13 10:00", "bad_rrule"),
        ("RRULE:FREQ=YEARLY;BYMONTH=-1 10:00", "bad_rrule"),
        ("RRULE:FREQ=YEARLY;BYYEARDAY=367 10:00", "bad_rrule"),
        ("RRULE:FREQ=YEARLY;BYWEEKNO=54 10:00", "bad_rrule"),
        ("RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-367 10:00", "bad_rrule"),
        ("RRULE:FREQ=MONTHLY;BYDAY=54MO 10:00", "bad_rrule"),
        ("RRULE:FREQ=MONTHLY;BYDAY=+MO 10:00", "bad_rrule"),
        ("RRULE:FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31 10:00", "bad_rrule"),
        # Saturday the 29th of February: decades apart, so refused as never happening.
        ("RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=SA 10:00", "bad_rrule"),
        ("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30 10:00", "bad_rrule"),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=40 10:00", "bad_rrule"),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO;BYSETPOS=3 10:00", "bad_rrule"),
        ("RRULE:FREQ=DAILY 10:00 extra", "unknown_form"),
    ],
)
def test_refused_forms(text: str, code: str) -> None:
    with pytest.raises(WhenError) as info:
        parse_when(text)
    assert info.value.code == code
    assert str(info.value)  # a message a person can read


def test_error_is_a_value_error_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match=r"Bad time '25:00': use HH:MM from 00:00 to 23:59\."):
        parse_when("every day 25:00")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("EVERY Tuesday 9:05", "every tue 09:05"),
        ("every Даваа 10:00", "every mon 10:00"),
        ("every LAST friday 15:00", "every last fri 15:00"),
        ("rrule:freq=weekly;byday=tu 10:00", "every tue 10:00"),
        ("RRULE:FREQ=MONTHLY;BYDAY=+2TU 10:00", "RRULE:FREQ=MONTHLY;BYDAY=+2TU 10:00"),
        ("2025-03-18 7:00", "2025-03-18 07:00"),
    ],
)
def test_format_gives_canonical_text(text: str, canonical: str) -> None:
    assert format_when(parse_when(text)) == canonical


def test_when_holds_exactly_one_of_rrule_and_date() -> None:
    with pytest.raises(ValueError):
        When(rrule=None, date=None, time=TEN)
    with pytest.raises(ValueError):
        When(rrule="FREQ=DAILY", date=dt.date(2025, 1, 1), time=TEN)
    with pytest.raises(ValueError):
        When(rrule="FREQ=DAILY", date=None, time=dt.time(10, 0, 30))


_WORDS = st.sampled_from(
    [
        "every",
        "EVERY",
        "day",
        "tue",
        "Tuesday",
        "Мягмар",
        "ням",
        "2nd",
        "last",
        "6th",
        "1st",
        "10:00",
        "9:05",
        "24:00",
        "23:59",
        "2025-03-18",
        "2025-02-30",
        "RRULE:FREQ=DAILY",
        "rrule:freq=weekly;byday=mo,fr",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4",
        "RRULE:FREQ=YEARLY;COUNT=3",
        "RRULE:FREQ=DAILY;UNTIL=20250101T000000Z",
        "RRULE:",
        "RRULE:FREQ=WEEKLY;BYDAY=",
        "RRULE:;;",
        "RRULE:FREQ=DAILY;INTERVAL=99999999999999",
        "RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU",
        "RRULE:FREQ=YEARLY;BYWEEKNO=53",
    ]
)
_TEXTS = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(_WORDS, st.text(min_size=1, max_size=8)), max_size=5).map(" ".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_any_text_parses_or_raises_when_error(text: str) -> None:
    code: str | None
    try:
        when = parse_when(text)
    except WhenError as exc:
        code = exc.code
    else:
        code = None
        assert parse_when(format_when(when)) == when
    assert code in {
        None,
        "bad_time",
        "bad_date",
        "bad_weekday",
        "bad_ordinal",
        "bad_rrule",
        "out_of_range",
        "unknown_form",
    }


_TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))
_RULES = st.one_of(
    st.just("FREQ=DAILY"),
    st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]).flatmap(
        lambda day: st.sampled_from(
            [f"FREQ=WEEKLY;BYDAY={day}", f"FREQ=MONTHLY;BYDAY=-1{day}"]
            + [f"FREQ=MONTHLY;BYDAY={n}{day}" for n in range(1, 6)]
            + [f"FREQ=MONTHLY;BYDAY=+1{day}", f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"]
        )
    ),
)
_WHENS = st.one_of(
    st.builds(When, rrule=st.none(), date=st.dates(EARLIEST, LATEST), time=_TIMES),
    st.builds(When, rrule=_RULES, date=st.none(), time=_TIMES),
)


@settings(max_examples=200, deadline=None)
@given(_WHENS)
def test_format_parse_round_trip(when: When) -> None:
    assert parse_when(format_when(when)) == when
