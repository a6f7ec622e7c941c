"""Pure argument parsers: words in, a value or an `Invalid` answer out, never an exception.

`Invalid` carries a catalog key and the raw values to show; the handler escapes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import re
import zoneinfo
from collections.abc import Mapping, Sequence

from domain.enums import Language
from domain.when import WhenError, parse_hhmm, parse_weekday

DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_OFFSET_DAYS = 365
MAX_OFFSETS = 10


@dataclasses.dataclass(frozen=True)
class Invalid:
    """Bad arguments: the message to answer with (a catalog key and its raw values)."""

    key: str
    values: Mapping[str, str] = dataclasses.field(default_factory=dict)


def parse_days(args: Sequence[str]) -> int | Invalid:
    """`/deadlines [days]`: 1..366, default 30."""
    usage = Invalid("cmd.deadlines.usage_help")
    if not args:
        return DEFAULT_DAYS
    if len(args) != 1 or not _is_ascii_number(args[0]):
        return usage
    days = int(args[0])
    return days if 1 <= days <= MAX_DAYS else usage


def _is_ascii_number(word: str) -> bool:
    # str.isdigit() accepts "²" and other digits int() refuses.
    return word.isascii() and word.isdigit() and len(word) <= 6


# --- /settings ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ShowSettings:
    pass


@dataclasses.dataclass(frozen=True)
class SetTimezone:
    name: str


@dataclasses.dataclass(frozen=True)
class SetLanguage:
    code: str


@dataclasses.dataclass(frozen=True)
class SetDigest:
    """`weekday` 0 = Monday … 6 = Sunday; None switches the digest off."""

    weekday: int | None
    time: dt.time | None


@dataclasses.dataclass(frozen=True)
class SetReminders:
    """Days before a due date, distinct, largest first; empty switches them off."""

    offsets: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class SetPublish:
    """`/settings publish on|off|rotate`: the public progress page."""

    action: str  # "on", "off" or "rotate"


SettingsCommand = ShowSettings | SetTimezone | SetLanguage | SetDigest | SetReminders | SetPublish

_SUBCOMMANDS = {
    "timezone": "timezone",
    "tz": "timezone",
    "language": "language",
    "lang": "language",
    "digest": "digest",
    "reminders": "reminders",
    "reminder": "reminders",
    "publish": "publish",
}
_OFF = frozenset({"off", "none", "унтраах", "унтраа", "үгүй"})


def parse_settings(args: Sequence[str]) -> SettingsCommand | Invalid:
    """`/settings [timezone|language|digest|reminders …]`."""
    if not args:
        return ShowSettings()
    sub = _SUBCOMMANDS.get(args[0].casefold())
    rest = list(args[1:])
    if sub == "timezone":
        if len(rest) != 1:
            return Invalid("settings.timezone.usage_help")
        return parse_timezone(rest[0])
    if sub == "language":
        if len(rest) != 1:
            return Invalid("settings.language.usage_help")
        return parse_language(rest[0])
    if sub == "digest":
        return parse_digest(rest)
    if sub == "reminders":
        return parse_reminders(" ".join(rest))
    if sub == "publish":
        return parse_publish(rest)
    return Invalid("cmd.settings.usage_help")


def parse_publish(words: Sequence[str]) -> SetPublish | Invalid:
    """`on`, `off` or `rotate` (a new address; the old one stops answering)."""
    word = words[0].casefold() if len(words) == 1 else ""
    if word in _OFF:
        return SetPublish("off")
    if word in ("on", "rotate"):
        return SetPublish(word)
    return Invalid("public.publish.usage_help")


def parse_language(word: str) -> SetLanguage | Invalid:
    code = _LANGUAGE_NAMES.get(word.casefold().strip())
    if code is None:
        return Invalid("settings.language.unknown", {"code": word})
    return SetLanguage(code)


_LANGUAGE_NAMES = {
    "en": Language.EN.value,
    "english": Language.EN.value,
    "англи": Language.EN.value,
    "mn": Language.MN.value,
    "mongolian": Language.MN.value,
    "монгол": Language.MN.value,
    "es": Language.ES.value,
    "spanish": Language.ES.value,
    "español": Language.ES.value,
    "espanol": Language.ES.value,
    "испани": Language.ES.value,
    "испанский": Language.ES.value,
    "ru": Language.RU.value,
    "russian": Language.RU.value,
    "русский": Language.RU.value,
    "орос": Language.RU.value,
    "ruso": Language.RU.value,
}


def parse_digest(words: Sequence[str]) -> SetDigest | Invalid:
    """`off`, or `<weekday> <HH:MM>` with the weekdays of the `<when>` grammar, in any
    language and maybe of two words or followed by «гараг» ("хагас сайн 10:00",
    "даваа гараг 09:00")."""
    usage = Invalid("settings.digest.usage_help")
    if len(words) == 1 and words[0].casefold() in _OFF:
        return SetDigest(weekday=None, time=None)
    if not 2 <= len(words) <= 4:
        return usage
    try:
        weekday = parse_weekday(" ".join(words[:-1]))
        return SetDigest(weekday=weekday, time=parse_hhmm(words[-1]))
    except WhenError:
        return usage


_OFFSET_SEPARATORS = re.compile(r"[,;\s]+")


def parse_reminders(text: str) -> SetReminders | Invalid:
    """`14,7,1` (commas or spaces), each 0..365; `off` for none. Duplicates fold."""
    usage = Invalid("settings.reminders.usage_help")
    text = text.strip()
    if text.casefold() in _OFF:
        return SetReminders(offsets=())
    words = [w for w in _OFFSET_SEPARATORS.split(text) if w]
    if not words or not all(_is_ascii_number(w) for w in words):
        return usage
    offsets = {int(w) for w in words}
    if len(offsets) > MAX_OFFSETS or max(offsets) > MAX_OFFSET_DAYS:
        return usage
    return SetReminders(offsets=tuple(sorted(offsets, reverse=True)))


@functools.cache
def _zones() -> dict[str, str]:
    """Every IANA name zoneinfo knows, by its case-folded form."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@functools.cache
def _zones_by_city() -> dict[str, list[str]]:
    cities: dict[str, list[str]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        if "/" in name:
            cities.setdefault(name.rsplit("/", 1)[1].casefold(), []).append(name)
    return cities


def parse_timezone(word: str) -> SetTimezone | Invalid:
    """An IANA name (any case); a near miss gets the right name suggested, not applied."""
    key = word.strip().casefold().replace(" ", "_")
    zones = _zones()
    if key in zones:
        return SetTimezone(zones[key])
    suggestion = suggest_timezone(key)
    if suggestion is None:
        return Invalid("settings.timezone.unknown", {"name": word})
    return Invalid("settings.timezone.suggest", {"name": word, "suggestion": suggestion})


def suggest_timezone(key: str) -> str | None:
    """The zone a user probably meant: by its city ("ulaanbaatar"), or by a close spelling."""
    key = key.strip().casefold().replace(" ", "_")
    if not key or len(key) > 64:
        return None
    cities = _zones_by_city()
    city = key.rsplit("/", 1)[-1]
    if city in cities:
        return cities[city][0]
    zones = _zones()
    close = difflib.get_close_matches(key, zones, n=1, cutoff=0.8)
    if close:
        return zones[close[0]]
    close = difflib.get_close_matches(city, cities, n=1, cutoff=0.8)
    if close:
        return cities[close[0]][0]
    return None


# --- /coordinator -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class UserRef:
    """Who a command is about: a Telegram user id, or a username without the "@"."""

    user_id: int | None = None
    username: str | None = None


_ROW_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and always under 2**63


def is_row_id(text: str) -> bool:
    """Text that is a database id (a button's data, say): bounded, so int() of it fits
    every database's integer and never raises."""
    return _ROW_ID.fullmatch(text) is not None


_USERNAME = re.compile(r"@([A-Za-z][A-Za-z0-9_]{2,31})")
_USER_ID = re.compile(r"[0-9]{1,15}")


def parse_user_ref(word: str) -> UserRef | Invalid:
    """`@username` or a numeric Telegram user id."""
    word = word.strip()
    match = _USERNAME.fullmatch(word)
    if match:
        return UserRef(username=match[1])
    if _USER_ID.fullmatch(word) and int(word) > 0:
        return UserRef(user_id=int(word))
    return Invalid("cmd.coordinator.usage_help")


@dataclasses.dataclass(frozen=True)
class CoordinatorChange:
    """`/coordinator add|remove [<user>]`; `target` None means "the replied-to user"."""

    grant: bool
    target: UserRef | None


def parse_coordinator(args: Sequence[str], *, is_reply: bool) -> CoordinatorChange | Invalid:
    usage = Invalid("cmd.coordinator.usage_help")
    if not args or args[0].casefold() not in ("add", "remove"):
        return usage
    grant = args[0].casefold() == "add"
    if len(args) == 1:
        return CoordinatorChange(grant=grant, target=None) if is_reply else usage
    if len(args) != 2:
        return usage
    ref = parse_user_ref(args[1])
    if isinstance(ref, Invalid):
        return ref
    return CoordinatorChange(grant=grant, target=ref)
