"""Pure parsers of the quiet-day commands: `/settings holidays|workdays …`, `/holiday …`.

Words in, a value or an `Invalid` answer out (bot.parsing), never an exception. The
country code is checked against the holidays library by the caller's `known` function,
so this module stays free of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence

from bot.parsing import Invalid
from domain.when import WhenError, parse_date, parse_weekday

# The longest own day off one /holiday add may record.
MAX_SPAN_DAYS = 366
NAME_MAX = 200
_OFF = frozenset({"off", "none", "унтраах", "унтраа", "үгүй", "no", "нет", "выкл"})
_SETTINGS = {"holidays": "holidays", "holiday": "holidays", "workdays": "workdays"}
_WEEK_SEPARATORS = re.compile(r"\s*[,;]\s*")
_RANGE = re.compile(r"\s*[-–—]\s*")


@dataclasses.dataclass(frozen=True)
class SetHolidays:
    """`country` an ISO 3166 code the library knows; None switches public holidays off."""

    country: str | None


@dataclasses.dataclass(frozen=True)
class SetWorkdays:
    days: frozenset[int]  # 0 = Monday … 6 = Sunday


@dataclasses.dataclass(frozen=True)
class AddDayOff:
    first: dt.date
    last: dt.date
    name: str | None


@dataclasses.dataclass(frozen=True)
class RemoveDayOff:
    day: dt.date


def is_quiet_setting(args: Sequence[str]) -> bool:
    """Whether `/settings <args>` is one of this module's (holidays, workdays)."""
    return bool(args) and args[0].casefold() in _SETTINGS


def parse_quiet_setting(
    args: Sequence[str], known: Callable[[str], str | None]
) -> SetHolidays | SetWorkdays | Invalid:
    """`holidays <country code>|off` or `workdays <days>`; `known` maps a code the
    holidays library has to its canonical form (None when it has not)."""
    sub, rest = _SETTINGS.get(args[0].casefold() if args else ""), list(args[1:])
    if sub == "holidays":
        usage = Invalid("quiet.holidays.usage_help")
        if len(rest) != 1:
            return usage
        if rest[0].casefold() in _OFF:
            return SetHolidays(country=None)
        code = known(rest[0]) if len(rest[0]) <= 8 else None
        if code is None:
            return Invalid("quiet.holidays.unknown", {"code": rest[0][:20]})
        return SetHolidays(country=code)
    days = parse_workdays(" ".join(rest))
    return Invalid("quiet.workdays.usage_help") if days is None else SetWorkdays(days)


def parse_workdays(text: str) -> frozenset[int] | None:
    """`mon-fri`, `sun-thu`, `mon,tue,thu`, `mon-wed, fri`, weekday words of any shipped
    language (`пн-пт`, `даваа-баасан`, `lun-vie`); a span may wrap past Sunday."""
    days: set[int] = set()
    parts = [p for p in _WEEK_SEPARATORS.split(text.strip()) if p]
    if not parts or len(text) > 200:
        return None
    for part in parts:
        found = _week_part(part)
        if found is None:
            return None
        days |= found
    return frozenset(days) if days else None


def _week_part(part: str) -> set[int] | None:
    ends = _RANGE.split(part)
    try:
        if len(ends) == 2:
            first, last = parse_weekday(ends[0]), parse_weekday(ends[1])
            return {(first + i) % 7 for i in range((last - first) % 7 + 1)}
        if len(ends) == 1:
            try:
                return {parse_weekday(part)}
            except WhenError:
                # "mon tue wed": weekdays with spaces between them.
                return {parse_weekday(word) for word in part.split()}
    except WhenError:
        return None
    return None


def _date(word: str) -> dt.date | None:
    try:
        return parse_date(word)
    except WhenError:
        return None


def parse_holiday(args: Sequence[str]) -> AddDayOff | RemoveDayOff | Invalid:
    """`add <date> [<date>] [name]` or `remove <date>`; dates as /meeting takes them."""
    usage = Invalid("cmd.holiday.usage_help")
    sub = args[0].casefold() if args else ""
    if sub == "remove":
        day = _date(args[1]) if len(args) == 2 else None
        return usage if day is None else RemoveDayOff(day)
    if sub != "add" or len(args) < 2:
        return usage
    first = _date(args[1])
    if first is None:
        return usage
    last = _date(args[2]) if len(args) > 2 else None
    rest = args[3:] if last is not None else args[2:]
    last = last or first
    if last < first or (last - first).days >= MAX_SPAN_DAYS:
        return usage
    name = " ".join(" ".join(rest).split()) or None
    if name is not None and len(name) > NAME_MAX:
        return Invalid("quiet.holiday.name_too_long")
    return AddDayOff(first=first, last=last, name=name)
