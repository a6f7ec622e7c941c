"""Argument parsers: any text gives a value or a usage answer, never an exception."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import catalog
from bot.parsing import (
    CoordinatorChange,
    Invalid,
    SetDigest,
    SetLanguage,
    SetReminders,
    SetTimezone,
    ShowSettings,
    UserRef,
    parse_coordinator,
    parse_days,
    parse_reminders,
    parse_settings,
    parse_timezone,
    parse_user_ref,
    suggest_timezone,
)
from domain.when import parse_hhmm, parse_weekday
from storage.members import match_agencies
from storage.models import Agency

words = st.lists(st.text(max_size=40), max_size=6)
settings_words = st.lists(
    st.one_of(
        st.sampled_from(["timezone", "language", "digest", "reminders", "off", "mon", "09:00"]),
        st.text(max_size=30),
    ),
    max_size=5,
)


@given(words)
def test_days_never_raise(args: list[str]) -> None:
    result = parse_days(args)
    assert isinstance(result, Invalid) or 1 <= result <= 366


@given(settings_words)
def test_settings_never_raise(args: list[str]) -> None:
    result = parse_settings(args)
    if isinstance(result, Invalid):
        assert result.key in catalog("en")
    elif isinstance(result, SetReminders):
        assert list(result.offsets) == sorted(set(result.offsets), reverse=True)
        assert all(0 <= d <= 365 for d in result.offsets)
    elif isinstance(result, SetDigest):
        assert result.weekday is None or 0 <= result.weekday <= 6
    elif isinstance(result, SetTimezone):
        assert result.name in _zones()
    else:
        assert isinstance(result, ShowSettings | SetLanguage)


@given(st.text(max_size=80))
def test_timezones_never_raise(text: str) -> None:
    result = parse_timezone(text)
    assert isinstance(result, Invalid) or result.name in _zones()
    suggestion = suggest_timezone(text)
    assert suggestion is None or suggestion in _zones()


@given(st.text(max_size=40), st.booleans())
def test_user_refs_never_raise(text: str, is_reply: bool) -> None:
    assert isinstance(parse_user_ref(text), UserRef | Invalid)
    result = parse_coordinator(["add", *text.split()], is_reply=is_reply)
    assert isinstance(result, CoordinatorChange | Invalid)


@given(st.text(max_size=60))
def test_agency_matching_never_raises(text: str) -> None:
    agencies = [
        Agency(code="MOF", name="Ministry of Finance"),
        Agency(code="MOH", name="Ministry of Health"),
        Agency(code="A&B", name="<b>x</b>"),
    ]
    assert all(a in agencies for a in match_agencies(text, agencies))


def _zones() -> set[str]:
    return zoneinfo.available_timezones()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], 30),
        (["1"], 1),
        (["366"], 366),
        (["0"], None),
        (["367"], None),
        (["²"], None),
        (["-5"], None),
        (["30", "days"], None),
    ],
)
def test_days(args: list[str], expected: int | None) -> None:
    result = parse_days(args)
    assert result == (Invalid("cmd.deadlines.usage_help") if expected is None else expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14,7,1", (14, 7, 1)),
        ("1, 7 ,14", (14, 7, 1)),
        ("7 7 0", (7, 0)),
        ("off", ()),
        ("365", (365,)),
        ("366", None),
        ("", None),
        ("1,,2", (2, 1)),
        ("1;2", (2, 1)),
        ("a,1", None),
        ("1,2,3,4,5,6,7,8,9,10,11", None),
    ],
)
def test_reminders(text: str, expected: tuple[int, ...] | None) -> None:
    result = parse_reminders(text)
    if expected is None:
        assert isinstance(result, Invalid)
    else:
        assert result == SetReminders(expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["digest", "mon", "09:00"], SetDigest(0, dt.time(9))),
        (["digest", "Sunday", "23:59"], SetDigest(6, dt.time(23, 59))),
        (["digest", "Ням", "7:05"], SetDigest(6, dt.time(7, 5))),
        (["digest", "даваа", "гараг", "09:00"], SetDigest(0, dt.time(9))),
        (["digest", "OFF"], SetDigest(None, None)),
        (["language", "mn"], SetLanguage("mn")),
        (["language", "English"], SetLanguage("en")),
        (["timezone", "asia/ulaanbaatar"], SetTimezone("Asia/Ulaanbaatar")),
        (["timezone", "UTC"], SetTimezone("UTC")),
        (["TZ", "Europe/Berlin"], SetTimezone("Europe/Berlin")),
    ],
)
def test_settings(args: list[str], expected: object) -> None:
    assert parse_settings(args) == expected


def test_a_near_miss_time_zone_is_suggested_not_applied() -> None:
    assert parse_timezone("ulaanbaatar") == Invalid(
        "settings.timezone.suggest", {"name": "ulaanbaatar", "suggestion": "Asia/Ulaanbaatar"}
    )
    assert suggest_timezone("Asia/Ulanbaatar") == "Asia/Ulaanbaatar"
    assert parse_timezone("Nowhere/Atall") == Invalid(
        "settings.timezone.unknown", {"name": "Nowhere/Atall"}
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("@oyuna", UserRef(username="oyuna")),
        ("501", UserRef(user_id=501)),
        ("oyuna", None),
        ("@1abc", None),
        ("0", None),
        ("@a", None),
    ],
)
def test_user_refs(word: str, expected: UserRef | None) -> None:
    result = parse_user_ref(word)
    assert result == (Invalid("cmd.coordinator.usage_help") if expected is None else expected)


def test_coordinator_needs_a_target_or_a_reply() -> None:
    assert parse_coordinator(["add"], is_reply=True) == CoordinatorChange(True, None)
    assert isinstance(parse_coordinator(["add"], is_reply=False), Invalid)
    assert parse_coordinator(["Remove", "@bat"], is_reply=False) == CoordinatorChange(
        False, UserRef(username="bat")
    )


def test_when_exports_weekdays_and_times() -> None:
    assert [parse_weekday(w) for w in ("mon", "Tuesday", "лхагва", "SUN")] == [0, 1, 2, 6]
    assert parse_hhmm("9:30") == dt.time(9, 30)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("mof", ["MOF"]),
        ("ministry of helth", ["MOH"]),
        ("ministry", ["MOF", "MOH"]),
        ("ministry of magic", []),
        ("MOG", []),
        ("", []),
    ],
)
def test_agency_matching(text: str, codes: list[str]) -> None:
    agencies = [
        Agency(code="MOF", name="Ministry of Finance"),
        Agency(code="MOH", name="Ministry of Health"),
    ]
    assert [a.code for a in match_agencies(text, agencies)] == codes
