"""The `<when>` grammar of `/meeting add` and plan-file meetings: a pure parser and printer.

Accepted (case-insensitive, any amount of whitespace between words):

- ``YYYY-MM-DD HH:MM``            once (also ``YYYY.MM.DD`` and ``YYYY/MM/DD``)
- ``every <weekday> HH:MM``       weekly        (``FREQ=WEEKLY;BYDAY=TU``)
- ``every <n>th <weekday> HH:MM`` monthly       (``1st``..``5th``, ``last``: ``BYDAY=-1FR``)
- ``every day HH:MM``             daily         (``FREQ=DAILY``)
- ``RRULE:<rule> HH:MM``          any RFC 5545 rule the scheduler can run

and the same "every" forms in Mongolian, Spanish and Russian (``Мягмар гараг бүр 10:00``,
``cada segundo martes 10:00``, ``каждую последнюю пятницу 15:00``, ``өдөр бүр 09:00``):
domain.when_words lists every word. Times are local wall-clock times in the group's time
zone; the caller attaches the zone.

Every schedule is bounded, so that no later question about it is costly: dates (a one-off's,
an UNTIL's) lie between EARLIEST and LATEST, and a rule must have a date within five years
of some start. Whether it has one from the start a meeting really gets is only known with
`now` and the zone (storage.meetings.first_start asks domain.recurrence).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from domain.recurrence import endless, first_wall_within, wall_rule
from domain.when_words import WEEKDAY_CODES, WhenError, every_rule, fold, weekday_of

__all__ = [
    "BY_RANGES",
    "EARLIEST",
    "LATEST",
    "WEEKDAY_CODES",
    "When",
    "WhenError",
    "by_item_ok",
    "format_when",
    "parse_date",
    "parse_hhmm",
    "parse_weekday",
    "parse_when",
]


@dataclasses.dataclass(frozen=True)
class When:
    """A parsed schedule: a one-off `date` or a recurring `rrule`, at local wall `time`."""

    rrule: str | None
    date: dt.date | None
    time: dt.time

    def __post_init__(self) -> None:
        if (self.rrule is None) == (self.date is None):
            raise ValueError("When needs exactly one of rrule and date")
        if self.time.second or self.time.microsecond or self.time.tzinfo is not None:
            raise ValueError("When.time is a naive HH:MM wall time")


# The canonical (English, three-letter) weekday of each code, as format_when writes it.
_SHORT = dict(zip(WEEKDAY_CODES, ("mon", "tue", "wed", "thu", "fri", "sat", "sun"), strict=True))

_ORDINAL_TEXT = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}

_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
# 2022-10-11, 2022.10.11 or 2022/10/11: one separator throughout.
_DATE = re.compile(r"([0-9]{4})([-./])([0-9]{2})\2([0-9]{2})")
_DATE_LIKE = re.compile(r"[0-9][0-9./-]*[./-][0-9./-]*")

_RRULE_PARAMS = frozenset(
    {
        "FREQ",
        "INTERVAL",
        "COUNT",
        "UNTIL",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
_FREQS = frozenset({"YEARLY", "MONTHLY", "WEEKLY", "DAILY"})
_RRULE_VALUE = re.compile(r"[A-Z0-9+,-]+")
_UNTIL = re.compile(r"[0-9]{8}(T[0-9]{6}Z?)?")
_MAX_INTERVAL = 1000
# RFC 5545's ranges of the numbers in BY… lists: 1 to n or -n to -1 (BYMONTH 1 to 12).
# dateutil takes any number (one out of range never matches), calendar files do not.
BY_RANGES = {"BYMONTHDAY": 31, "BYYEARDAY": 366, "BYWEEKNO": 53, "BYSETPOS": 366, "BYMONTH": 12}
_BYDAY = re.compile(r"[+-]?([0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_BY_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")
# The dates a schedule may name: far-off years are typos, and near year 1 or 9999 the
# calendar arithmetic of zones, exports and clients overflows.
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2100, 12, 31)
# "Never happens" is asked of the rule without INTERVAL, from a 1 January: a rule that
# has a date from some start has one there too (any date it meets can be its own start;
# a rule with no day of its own takes the start's, and every month has a 1st). The probe
# sits five years before the end of the calendar, where dateutil stops looking anyway.
_PROBE = dt.datetime(9995, 1, 1)  # noqa: DTZ001 - rules are evaluated in naive wall time


def parse_when(text: str) -> When:
    """Parse a `<when>` text, or raise WhenError with a code and an English message."""
    words = text.split()
    if not words:
        raise WhenError("unknown_form", "Say when: e.g. 'every 2nd tue 10:00'.")
    head = words[0].casefold()
    if head.startswith("rrule:"):
        if len(words) != 2:
            raise WhenError(
                "unknown_form", "Write 'RRULE:<rule> HH:MM', e.g. 'RRULE:FREQ=DAILY 09:00'."
            )
        return When(rrule=_check_rrule(words[0][len("rrule:") :]), date=None, time=_time(words[1]))
    if _DATE.fullmatch(head) or _DATE_LIKE.fullmatch(head):
        if len(words) != 2:
            raise WhenError("unknown_form", "Write a one-off meeting as 'YYYY-MM-DD HH:MM'.")
        return When(rrule=None, date=parse_date(head), time=_time(words[1]))
    rule = every_rule(words[:-1])
    if rule is None:
        raise WhenError(
            "unknown_form",
            "Use 'YYYY-MM-DD HH:MM', 'every <weekday> HH:MM', 'every 2nd <weekday> HH:MM', "
            "'every day HH:MM' or 'RRULE:<rule> HH:MM'.",
        )
    return When(rrule=rule, date=None, time=_time(words[-1]))


def format_when(when: When) -> str:
    """The canonical text of `when`: parse_when(format_when(w)) == w."""
    hhmm = when.time.strftime("%H:%M")
    if when.date is not None:
        return f"{when.date.isoformat()} {hhmm}"
    assert when.rrule is not None  # guaranteed by When.__post_init__
    return f"{_friendly(when.rrule) or 'RRULE:' + when.rrule} {hhmm}"


def parse_weekday(text: str) -> int:
    """0 = Monday … 6 = Sunday from a weekday in any shipped language, maybe of two words
    and followed by «гараг» ("Мягмар гараг", "хагас сайн", "miércoles", "пт"), else
    WhenError."""
    day = weekday_of([fold(word) for word in text.split()])
    if day is None:
        raise WhenError(
            "bad_weekday", f"Unknown weekday '{text}': use mon, tue, … or monday, tuesday, …"
        )
    return day


def parse_hhmm(word: str) -> dt.time:
    """A wall-clock `HH:MM` (00:00 to 23:59), else WhenError."""
    return _time(word)


def _time(word: str) -> dt.time:
    match = _TIME.fullmatch(word)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise WhenError("bad_time", f"Bad time '{word}': use HH:MM from 00:00 to 23:59.")
    return dt.time(int(match[1]), int(match[2]))


def parse_date(word: str) -> dt.date:
    """A date as people type it: 2022-10-11, 2022.10.11 or 2022/10/11, from EARLIEST to
    LATEST, else WhenError."""
    match = _DATE.fullmatch(word.strip())
    try:
        day = dt.date(int(match[1]), int(match[3]), int(match[4])) if match else None
    except ValueError:
        day = None
    if day is None:
        raise WhenError("bad_date", f"Bad date '{word}': use YYYY-MM-DD, e.g. 2025-03-18.")
    _in_range(day, word)
    return day


def _in_range(day: dt.date, word: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise WhenError(
            "out_of_range",
            f"'{word}' is out of range: use a date from {EARLIEST} to {LATEST}.",
        )


def _check_rrule(body: str) -> str:
    """Validate an RRULE body and return it in canonical (upper-case) form."""
    rule = body.upper()
    params: dict[str, str] = {}
    for pair in rule.split(";"):
        name, sep, value = pair.partition("=")
        if not sep or not _RRULE_VALUE.fullmatch(value):
            raise _bad_rrule(f"'{pair}' is not NAME=VALUE")
        if name not in _RRULE_PARAMS:
            raise _bad_rrule(f"'{name}' is not supported here (the time comes after the rule)")
        if name in params:
            raise _bad_rrule(f"{name} is given twice")
        params[name] = value
    if params.get("FREQ") not in _FREQS:
        raise _bad_rrule("FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY")
    if "COUNT" in params and "UNTIL" in params:
        raise _bad_rrule("use COUNT or UNTIL, not both")
    if "UNTIL" in params:
        _check_until(params["UNTIL"])
    for name in ("COUNT", "INTERVAL"):
        if name in params and not (
            params[name].isdigit() and 1 <= int(params[name]) <= _MAX_INTERVAL
        ):
            raise _bad_rrule(f"{name} must be a whole number from 1 to {_MAX_INTERVAL}")
    for name, value in params.items():
        if not all(by_item_ok(name, item) for item in value.split(",")):
            raise _bad_rrule(_BY_PROBLEMS.get(name, f"bad {name} value {value}"))
    # INTERVAL only picks which of the pattern's dates a start meets: left out here.
    pattern = ";".join(f"{k}={v}" for k, v in params.items() if k != "INTERVAL")
    try:
        wall_rule(rule, _PROBE, dt.UTC)  # what dateutil refuses, it refuses when built
        first = first_wall_within(endless(pattern), _PROBE, dt.UTC)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as exc:
        raise _bad_rrule(str(exc)) from None
    if first is None:
        raise _bad_rrule("this rule never happens (or only years apart)")
    return rule


_BY_PROBLEMS = {
    "BYDAY": "BYDAY values are weekdays (MO…SU), each maybe after a number from -53 to 53",
    "BYMONTH": "BYMONTH values are from 1 to 12",
    **{
        name: f"{name} values are from 1 to {top} or from -{top} to -1"
        for name, top in BY_RANGES.items()
        if name != "BYMONTH"
    },
}


def by_item_ok(name: str, item: str) -> bool:
    """Whether one item of a BY… list is within RFC 5545's range (other parts: True)."""
    if name == "BYDAY":
        match = _BYDAY.fullmatch(item)
        return match is not None and (match[1] is None or 1 <= int(match[1]) <= 53)
    if name not in BY_RANGES:
        return True
    if not _BY_NUMBER.fullmatch(item):
        return False
    number = int(item)
    if name == "BYMONTH":
        return 1 <= number <= BY_RANGES[name]
    return 1 <= abs(number) <= BY_RANGES[name]


def _check_until(value: str) -> None:
    match = _UNTIL.fullmatch(value)
    if match is None:
        raise _bad_rrule("UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSSZ")
    shape = "%Y%m%dT%H%M%S" if match[1] else "%Y%m%d"
    try:
        until = dt.datetime.strptime(value.removesuffix("Z"), shape)  # noqa: DTZ007 - its date counts
    except ValueError:
        raise _bad_rrule(f"UNTIL {value} is not a real date and time") from None
    _in_range(until.date(), f"UNTIL={value}")


def _bad_rrule(why: str) -> WhenError:
    return WhenError("bad_rrule", f"Bad RRULE: {why}.")


def _friendly(rule: str) -> str | None:
    """The `every …` wording of a rule, when it has one."""
    if rule == "FREQ=DAILY":
        return "every day"
    match = re.fullmatch(r"FREQ=WEEKLY;BYDAY=([A-Z]{2})", rule)
    if match and match[1] in _SHORT:
        return f"every {_SHORT[match[1]]}"
    match = re.fullmatch(r"FREQ=MONTHLY;BYDAY=(-1|[1-5])([A-Z]{2})", rule)
    if match and match[2] in _SHORT:
        return f"every {_ORDINAL_TEXT[int(match[1])]} {_SHORT[match[2]]}"
    return None
