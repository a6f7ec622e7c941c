"""A meeting's schedule in words, in the reader's language: "every 3 months on the last
Thursday at 15:00", "раз в 2 недели, вторник, в 10:00", "сар бүрийн 2 дахь мягмар гарагт".

Catalog text in, Telegram HTML out. Put in words: weekly (on one or several days), every
n weeks, monthly on the nth or last weekday, every n months, daily, every n days, monthly
on a day of the month (or its last day), yearly on a date, every n years; COUNT as
"(N times)" and UNTIL as "until <date>" after any of them. A part a rule leaves out (the
weekday of a bare FREQ=WEEKLY, say) is the first start's, as RFC 5545 has it. Any other
rule (BYSETPOS, BYWEEKNO, several month days, …) is shown as it is, in <code>.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo

from babel.dates import format_skeleton, get_day_names
from babel.lists import format_list

from bot.i18n import Translator
from bot.render import esc
from domain.recurrence import until_wall
from domain.when_words import WEEKDAY_CODES

_PLAIN_DAY = re.compile(r"(MO|TU|WE|TH|FR|SA|SU)")
_NTH_DAY = re.compile(r"(\+?[1-5]|-1)(MO|TU|WE|TH|FR|SA|SU)")
_NUMBER = re.compile(r"\+?([0-9]{1,2})|(-1)")
_KNOWN = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"})
_LEAP_YEAR = 2000  # a year with a 29 February, to name a yearly date


@dataclasses.dataclass(frozen=True)
class _Rule:
    freq: str
    interval: int
    parts: dict[str, str]


def describe(t: Translator, rrule: str | None, start: dt.datetime, timezone: str) -> str:
    """The schedule of a meeting that first starts at `start` (a naive wall time in
    `timezone`), or its raw rule when it has no words here."""
    time = start.strftime("%H:%M")
    if rrule is None:
        return t("meetings.rule.once")
    rule = _read(rrule)
    text = _pattern(t, rule, start, time) if rule is not None else None
    if rule is None or text is None:
        return t("meetings.rule.custom", rule=esc(rrule), time=time)
    if "COUNT" in rule.parts:
        count = int(rule.parts["COUNT"])
        text += " " + t.plural("meetings.rule.count", count, count=count)
    if "UNTIL" in rule.parts:
        last = _last_day(rule.parts["UNTIL"], timezone, start.time())
        if last is None:
            return t("meetings.rule.custom", rule=esc(rrule), time=time)
        text += " " + t("meetings.rule.until", date=last.isoformat())
    return text


def _last_day(until: str, timezone: str, time: dt.time) -> dt.date | None:
    """The last day a meeting at wall `time` may take place by its UNTIL, in the meeting's
    zone (RFC 5545 writes UNTIL in UTC; a bare date is its midnight, so a 10:00 meeting's
    last day is the day before)."""
    try:
        end = until_wall(until, zoneinfo.ZoneInfo(timezone))
        return end.date() if end.time() >= time else end.date() - dt.timedelta(days=1)
    except (ValueError, KeyError, OverflowError, zoneinfo.ZoneInfoNotFoundError):
        return None


def _read(rrule: str) -> _Rule | None:
    parts: dict[str, str] = {}
    for pair in rrule.upper().split(";"):
        name, sep, value = pair.partition("=")
        if not sep or name not in _KNOWN or name in parts:
            return None
        parts[name] = value
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or int(interval) < 1 or "FREQ" not in parts:
        return None
    if not parts.get("COUNT", "1").isdigit():
        return None
    return _Rule(freq=parts["FREQ"], interval=int(interval), parts=parts)


def _pattern(t: Translator, rule: _Rule, start: dt.datetime, time: str) -> str | None:
    parts, n = rule.parts, rule.interval
    # WKST only moves where a week of several days begins every n weeks.
    if "WKST" in parts and not (rule.freq == "WEEKLY" and n == 1):
        return None
    by = {k for k in parts if k.startswith("BY")}
    if rule.freq == "DAILY" and not by:
        if n == 1:
            return t("meetings.rule.daily", time=time)
        return t.plural("meetings.rule.daily_interval", n, count=n, time=time)
    if rule.freq in ("DAILY", "WEEKLY") and by <= {"BYDAY"}:
        days = _plain_days(parts.get("BYDAY", WEEKDAY_CODES[start.weekday()]))
        if days is None or (rule.freq == "DAILY" and n != 1):
            return None
        weekday = format_list([_day_name(t, d) for d in days], locale=t.language)
        if n == 1:
            return t("meetings.rule.weekly", weekday=weekday, time=time)
        return t.plural("meetings.rule.weekly_interval", n, count=n, weekday=weekday, time=time)
    if rule.freq == "MONTHLY":
        return _monthly(t, rule, start, time, by)
    if rule.freq == "YEARLY":
        return _yearly(t, rule, start, time, by)
    return None


def _monthly(t: Translator, rule: _Rule, start: dt.datetime, time: str, by: set[str]) -> str | None:
    parts, n = rule.parts, rule.interval
    if by == {"BYDAY"}:
        match = _NTH_DAY.fullmatch(parts["BYDAY"])
        if match is None:
            return None
        ordinal = _ordinal(t, int(match[1]))
        weekday = _day_name(t, WEEKDAY_CODES.index(match[2]))
        if n == 1:
            return t("meetings.rule.monthly", ordinal=ordinal, weekday=weekday, time=time)
        return t.plural(
            "meetings.rule.monthly_interval",
            n,
            count=n,
            ordinal=ordinal,
            weekday=weekday,
            time=time,
        )
    if by - {"BYMONTHDAY"}:
        return None
    day = _month_day(parts.get("BYMONTHDAY", str(start.day)))
    if day is None:
        return None
    if day == -1:
        if n == 1:
            return t("meetings.rule.last_day", time=time)
        return t.plural("meetings.rule.last_day_interval", n, count=n, time=time)
    if n == 1:
        return t("meetings.rule.monthday", day=day, time=time)
    return t.plural("meetings.rule.monthday_interval", n, count=n, day=day, time=time)


def _yearly(t: Translator, rule: _Rule, start: dt.datetime, time: str, by: set[str]) -> str | None:
    parts, n = rule.parts, rule.interval
    if by - {"BYMONTH", "BYMONTHDAY"} or by == {"BYMONTHDAY"}:
        return None
    month = _month_day(parts.get("BYMONTH", str(start.month)))
    day = _month_day(parts.get("BYMONTHDAY", str(start.day)))
    if month is None or day is None or not 1 <= month <= 12 or day < 1:
        return None
    try:
        date = dt.date(_LEAP_YEAR, month, day)
    except ValueError:
        return None
    shown = format_skeleton("MMMMd", date, locale=t.language)
    if n == 1:
        return t("meetings.rule.yearly", date=shown, time=time)
    return t.plural("meetings.rule.yearly_interval", n, count=n, date=shown, time=time)


def _plain_days(value: str) -> list[int] | None:
    """MO,WE as weekday numbers, Monday first; None for anything else (2MO, say)."""
    codes = value.split(",")
    if not all(_PLAIN_DAY.fullmatch(code) for code in codes) or len(set(codes)) != len(codes):
        return None
    return sorted(WEEKDAY_CODES.index(code) for code in codes)


def _month_day(value: str) -> int | None:
    """One day (or month) number: 1 to 31, or -1 for the last; None for a list."""
    match = _NUMBER.fullmatch(value)
    if match is None:
        return None
    number = int(match[1] or match[2])
    return number if number == -1 or 1 <= number <= 31 else None


def _day_name(t: Translator, day: int) -> str:
    """The weekday's CLDR name in the reader's language (in a sentence: "мягмар")."""
    return str(get_day_names("wide", locale=t.language)[day])


def _ordinal(t: Translator, n: int) -> str:
    return {
        1: t("meetings.ordinal.1"),
        2: t("meetings.ordinal.2"),
        3: t("meetings.ordinal.3"),
        4: t("meetings.ordinal.4"),
        5: t("meetings.ordinal.5"),
    }.get(n) or t("meetings.ordinal.last")
