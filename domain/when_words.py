"""The words of the `<when>` grammar in every shipped language: weekdays, ordinals, "every".

Pure: folded words in, a weekday, an ordinal or an RFC 5545 rule out. Words are matched
after `fold`: case off, accents off Latin letters ("miércoles" = "miercoles"), "ё" as "е",
and "ү", "ө" as "у", "о" (Mongolian typed on a Russian keyboard layout: "пурэв" = "пүрэв").

Weekdays (each also followed by Mongolian «гараг», «гарагт», «гариг», «гаригт»):

- English: mon/monday, tue/tues/tuesday, wed/weds/wednesday, thu/thur/thurs/thursday,
  fri/friday, sat/saturday, sun/sunday;
- Mongolian: даваа, мягмар, лхагва, пүрэв, баасан, бямба, ням; the bot's own abbreviations
  Да, Мя, Лх, Пү, Ба, Бя, Ня; хагас сайн (Saturday), бүтэн сайн (Sunday);
- Spanish: lunes/lun, martes/mar, miércoles/mié, jueves/jue, viernes/vie, sábado/sáb,
  domingo/dom (accents optional; "sábados", "domingos" after «todos los»);
- Russian: понедельник/пн, вторник/вт, среда/среду/ср, четверг/чт, пятница/пятницу/пт,
  суббота/субботу/сб, воскресенье/вс, and after «по» понедельникам … воскресеньям.

Ordinals (1st to 5th and last; a Russian or Spanish ordinal may take any gender):

- English: 1st … 5th, first … fifth, last;
- Mongolian: «2 дахь», «2-р», «2-дугаар», «хоёр дахь», «хоёрдугаар», эхний (first),
  сүүлийн / сүүлчийн (last); any of дэх, дахь, дох, дөх, дугаар, дүгээр, р after the number;
- Spanish: primer/primero/primera … quinto/quinta, último/última; 1.º, 2º, 1.ª, 1er, 2do,
  3ro, 4to …;
- Russian: первый/первую/первое/первая … пятый, последний/последнюю/последнее/последняя;
  1-й, 2-я, 3-ю, 4-е …

The forms (T is HH:MM, W a weekday, O an ordinal):

- daily: every day T, daily T; cada día T, todos los días T, diariamente T, a diario T;
  каждый день T, ежедневно T; өдөр бүр T, өдөр болгон T, өдөр тутам T;
- weekly: every W T; cada W T, todos los W T; каждый/каждую/каждое/каждая W T, по W T;
  W бүр T, W болгон T, долоо хоног бүрийн W T (Mongolian «every» follows the day:
  «Мягмар гараг бүр 10:00»);
- monthly: every O W [of the month] T; cada O W [de cada mes] T, el O W de cada mes T;
  каждый/каждую/каждое O W [месяца] T; сар бүрийн O W T, сар болгоны O W T (the genitive
  «сар бүрийн» is what a coordinator writes: «сар бүрийн 2 дахь Мягмар 10:00»).

Words of different languages may be mixed ("every Даваа"): each is unambiguous. Note
that Russian «каждый второй вторник» is read, as PRODUCT.md's `every 2nd tue`, as the
second Tuesday of each month; the bot's answer says so in words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["WEEKDAY_CODES", "WhenError", "every_rule", "fold", "ordinal_of", "weekday_of"]


class WhenError(ValueError):
    """A `<when>` text that does not parse; `code` is a stable key for translations."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# RFC 5545 weekday codes in Python's order: WEEKDAY_CODES[date.weekday()].
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def fold(word: str) -> str:
    """A word as matched: case and Latin accents off, ё as е, ү and ө as у and о."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", word.casefold()):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    text = unicodedata.normalize("NFC", "".join(kept))
    return text.replace("ё", "е").replace("ү", "у").replace("ө", "о")


_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: ("mon", "monday", "даваа", "да", "lunes", "lun", "понедельник", "пн", "понедельникам"),
    1: ("tue", "tues", "tuesday", "мягмар", "мя", "martes", "mar", "вторник", "вт", "вторникам"),
    2: (
        *("wed", "weds", "wednesday", "лхагва", "лх", "miércoles", "mié"),
        *("среда", "среду", "ср", "средам"),
    ),
    3: (
        *("thu", "thur", "thurs", "thursday", "пүрэв", "пү", "jueves", "jue"),
        *("четверг", "чт", "четвергам"),
    ),
    4: ("fri", "friday", "баасан", "ба", "viernes", "vie", "пятница", "пятницу", "пт", "пятницам"),
    5: (
        *("sat", "saturday", "бямба", "бя", "хагас сайн", "sábado", "sábados", "sáb"),
        *("суббота", "субботу", "сб", "субботам"),
    ),
    6: (
        *("sun", "sunday", "ням", "ня", "бүтэн сайн", "domingo", "domingos", "dom"),
        *("воскресенье", "вс", "воскресеньям"),
    ),
}
_WEEKDAYS = {fold(name): day for day, names in _WEEKDAY_NAMES.items() for name in names}
_DAY_WORDS = frozenset(fold(w) for w in ("гараг", "гарагт", "гариг", "гаригт"))

_ORDINAL_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        *("1st", "first", "эхний", "нэгдүгээр", "primer", "primero", "primera"),
        *("первый", "первую", "первое", "первая"),
    ),
    2: (
        *("2nd", "second", "хоёрдугаар", "segundo", "segunda"),
        *("второй", "вторую", "второе", "вторая"),
    ),
    3: (
        *("3rd", "third", "гуравдугаар", "tercer", "tercero", "tercera"),
        *("третий", "третью", "третье", "третья"),
    ),
    4: (
        *("4th", "fourth", "дөрөвдүгээр", "cuarto", "cuarta"),
        *("четвертый", "четвертую", "четвертое", "четвертая"),
    ),
    5: ("5th", "fifth", "тавдугаар", "quinto", "quinta", "пятый", "пятую", "пятое", "пятая"),
    -1: (
        *("last", "сүүлийн", "сүүлчийн", "último", "última"),
        *("последний", "последнюю", "последнее", "последняя"),
    ),
}
_ORDINALS = {fold(name): n for n, names in _ORDINAL_NAMES.items() for name in names}
_MN_NUMBERS = {fold(w): n for n, w in enumerate(("нэг", "хоёр", "гурав", "дөрөв", "тав"), 1)}
_DIGITS = frozenset("12345")
_MN_SUFFIXES = frozenset(fold(w) for w in ("дэх", "дахь", "дох", "дөх", "дугаар", "дүгээр", "р"))
# 1.º, 2º, 1.ª, 1er, 2do, 3ro, 4to (Spanish); 1-й, 2-я, 3-ю, 4-е (Russian); 2-р, 2дахь
# (Mongolian, folded). The digit is 1 to 5.
_NUMBERED = re.compile(
    r"([1-5])(?:\.?[ºª°oa]|\.?(?:er|ro|do|to)"
    r"|-?(?:й|я|ю|е|ый|ий|ой|ая|ую|ое|ье|ья|ью)"
    r"|-?(?:р|дэх|дахь|дох|дугаар|дугээр))"
)
_SPANISH_SUFFIX = {"er": (1, 3), "ro": (1, 3), "do": (2,), "to": (4, 5)}


def weekday_of(words: Sequence[str]) -> int | None:
    """0 = Monday … 6 = Sunday from folded words ("хагас сайн гараг"), else None."""
    words = list(words)
    while len(words) > 1 and words[-1] in _DAY_WORDS:
        words.pop()
    return _WEEKDAYS.get(" ".join(words)) if 1 <= len(words) <= 2 else None


def ordinal_of(words: Sequence[str]) -> int | None:
    """1 … 5, or -1 for "last", from one or two folded words ("2nd", "2 дахь"), else None."""
    if len(words) == 1:
        word = words[0]
        if word in _ORDINALS:
            return _ORDINALS[word]
        match = _NUMBERED.fullmatch(word)
        if match is None:
            return None
        suffix = word[1:].lstrip(".")
        allowed = _SPANISH_SUFFIX.get(suffix)
        return None if allowed is not None and int(match[1]) not in allowed else int(match[1])
    if len(words) == 2 and words[1] in _MN_SUFFIXES:
        if words[0] in _DIGITS:
            return int(words[0])
        return _MN_NUMBERS.get(words[0])
    return None


class _Kind:
    WEEKLY, MONTHLY, TAIL = "weekly", "monthly", "tail"  # TAIL: "of the month" required


def _words(*phrases: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fold(w) for w in phrase.split()) for phrase in phrases)


_DAILY = frozenset(
    _words(
        *("every day", "daily", "cada día", "todos los días", "diariamente", "a diario"),
        *("каждый день", "ежедневно", "өдөр бүр", "өдөр болгон", "өдөр тутам"),
    )
)
_BOTH = frozenset({_Kind.WEEKLY, _Kind.MONTHLY})
# Longest first, so that "сар бүрийн" is not read as "сар" and a rest.
_PREFIXES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = tuple(
    sorted(
        [
            *((p, _BOTH) for p in _words("every", "cada", "каждый", "каждую", "каждое", "каждая")),
            *((p, frozenset({_Kind.WEEKLY})) for p in _words("todos los", "todas las", "по")),
            *((p, frozenset({_Kind.WEEKLY})) for p in _words("долоо хоног бүрийн")),
            *(
                (p, frozenset({_Kind.MONTHLY}))
                for p in _words("сар бүрийн", "сар бүр", "сар болгоны", "сар болгон")
            ),
            *((p, frozenset({_Kind.MONTHLY, _Kind.TAIL})) for p in _words("el")),
        ],
        key=lambda item: -len(item[0]),
    )
)
_SUFFIXES = frozenset(fold(w) for w in ("бүр", "болгон"))
_TAILS = _words(
    *("of the month", "of every month", "of each month", "de cada mes", "del mes"),
    *("каждого месяца", "месяца"),
)


def every_rule(words: Sequence[str]) -> str | None:
    """The rule of an "every" phrase (the words before its HH:MM), None when the words are
    no "every" phrase at all; a phrase with a bad weekday or ordinal raises WhenError."""
    folded = [fold(w) for w in words]
    if tuple(folded) in _DAILY:
        return "FREQ=DAILY"
    for prefix, kinds in _PREFIXES:
        if tuple(folded[: len(prefix)]) == prefix:
            return _pattern(folded[len(prefix) :], kinds)
    if len(folded) > 1 and folded[-1] in _SUFFIXES:
        return _pattern(folded[:-1], frozenset({_Kind.WEEKLY}))
    return None


def _pattern(rest: list[str], kinds: frozenset[str]) -> str:
    if not rest:
        raise WhenError("unknown_form", "Say which day: e.g. 'every tue 10:00'.")
    day = weekday_of(rest)
    if day is not None and _Kind.WEEKLY in kinds:
        return f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[day]}"
    if _Kind.MONTHLY not in kinds:
        raise _bad_weekday(rest)
    body = rest
    tail = next((t for t in _TAILS if len(rest) > len(t) and tuple(rest[-len(t) :]) == t), None)
    if tail is not None:
        body = rest[: -len(tail)]
    elif _Kind.TAIL in kinds:
        raise WhenError("unknown_form", "Write 'el segundo martes de cada mes 10:00'.")
    for size in (2, 1):
        nth = ordinal_of(body[:size]) if len(body) > size else None
        if nth is None:
            continue
        day = weekday_of(body[size:])
        if day is not None:
            return f"FREQ=MONTHLY;BYDAY={nth}{WEEKDAY_CODES[day]}"
        if weekday_of(body[size : size + 1]) is not None:
            break  # a weekday and more words: no form of ours
        raise _bad_weekday(body[size:])
    else:
        # No ordinal before a weekday ("every 6th tue", "сар бүрийн 7 дахь мягмар").
        for size in (1, 2):
            if len(body) > size and (len(body) == 2 or weekday_of(body[size:]) is not None):
                raise WhenError(
                    "bad_ordinal",
                    f"Unknown '{' '.join(body[:size])}': use 1st, 2nd, 3rd, 4th, 5th or last.",
                )
        if len(body) == 1:
            if weekday_of(body) is None:
                raise _bad_weekday(body)
            raise WhenError(  # "сар бүрийн мягмар": which one of the month?
                "bad_ordinal", "Say which one of the month: 1st, 2nd, 3rd, 4th, 5th or last."
            )
    raise WhenError("unknown_form", "Write e.g. 'every 2nd tue 10:00'.")


def _bad_weekday(words: Sequence[str]) -> WhenError:
    return WhenError(
        "bad_weekday",
        f"Unknown weekday '{' '.join(words)}': use mon, tue, … or monday, tuesday, …",
    )
