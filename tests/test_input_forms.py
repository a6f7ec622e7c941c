"""Input as people type it, in every shipped language: dates, weekdays, the "every" forms
of `/meeting add`, status words; and every word the bot prints parses back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from babel.dates import get_day_names
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import catalog
from bot.parsing import SetDigest, parse_digest
from domain.enums import Language, Status
from domain.spelling import spellings
from domain.status_words import (
    ALIASES,
    AMBIGUOUS,
    Ambiguous,
    ParsedUpdate,
    lookup,
    parse_update,
)
from domain.when import WEEKDAY_CODES, When, WhenError, parse_date, parse_weekday, parse_when

LANGUAGES = [lang.value for lang in Language]
TEN = dt.time(10, 0)


def rule_of(text: str) -> str | None:
    return parse_when(text).rrule


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2022-10-11", "2022.10.11", "2022/10/11"])
def test_a_one_off_date_with_dashes_dots_or_slashes(typed: str) -> None:
    assert parse_date(typed) == dt.date(2022, 10, 11)
    assert parse_when(f"{typed} 10:00") == When(rrule=None, date=dt.date(2022, 10, 11), time=TEN)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2022.10/11 10:00", "bad_date"),  # one separator throughout
        ("2022.02.30 10:00", "bad_date"),
        ("2022/2/3 10:00", "bad_date"),
        ("11.10.2022 10:00", "bad_date"),
        ("1969.12.31 10:00", "out_of_range"),
        ("2101/01/01 10:00", "out_of_range"),
    ],
)
def test_dates_that_are_not_dates_are_refused(typed: str, code: str) -> None:
    with pytest.raises(WhenError) as info:
        parse_when(typed)
    assert info.value.code == code


# --- weekdays ---------------------------------------------------------------------------

WEEKDAYS = {
    "en": [
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
        ("sun", "sunday"),
    ],
    "mn": [
        ("Даваа", "Да", "даваа гараг", "Даваа гарагт"),
        ("Мягмар", "Мя", "мягмар гараг"),
        ("Лхагва", "Лх", "лхагва гариг"),
        ("Пүрэв", "Пү", "пүрэв гараг", "пурэв", "Пу"),
        ("Баасан", "Ба", "баасан гараг"),
        ("Бямба", "Бя", "хагас сайн", "Хагас сайн гараг"),
        ("Ням", "Ня", "бүтэн сайн", "бүтэн сайн гараг", "бутэн сайн"),
    ],
    "es": [
        ("lunes", "lun", "Lunes"),
        ("martes", "mar"),
        ("miércoles", "miercoles", "mié", "mie", "MIÉRCOLES"),
        ("jueves", "jue"),
        ("viernes", "vie"),
        ("sábado", "sabado", "sáb", "sab", "sábados"),
        ("domingo", "dom", "domingos"),
    ],
    "ru": [
        ("понедельник", "пн", "Пн"),
        ("вторник", "вт"),
        ("среда", "среду", "ср"),
        ("четверг", "чт"),
        ("пятница", "пятницу", "пт"),
        ("суббота", "субботу", "сб"),
        ("воскресенье", "вс", "Воскресенье"),
    ],
}


@pytest.mark.parametrize(
    ("language", "day", "word"),
    [
        (language, day, word)
        for language, days in WEEKDAYS.items()
        for day, words in enumerate(days)
        for word in words
    ],
)
def test_weekday_words_and_abbreviations_of_every_language(
    language: str, day: int, word: str
) -> None:
    assert parse_weekday(word) == day
    assert rule_of(f"every {word} 10:00") == f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[day]}"
    # /settings digest takes the same words, two-word ones and «гараг» included.
    assert parse_digest([*word.split(), "09:00"]) == SetDigest(day, dt.time(9))


@pytest.mark.parametrize("word", ["tuesdy", "гараг", "сайн", "хагас", "mier", "вторн", ""])
def test_a_word_that_is_no_weekday(word: str) -> None:
    with pytest.raises(WhenError) as info:
        parse_weekday(word)
    assert info.value.code == "bad_weekday"


# --- the "every" forms ------------------------------------------------------------------

WEEKLY_TU = "FREQ=WEEKLY;BYDAY=TU"
EVERY_FORMS = [
    # English
    ("every tue 10:00", WEEKLY_TU),
    ("every 2nd tue 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("every second Tuesday of the month 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("every last fri 15:00", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("every first Monday of every month 10:00", "FREQ=MONTHLY;BYDAY=1MO"),
    ("every day 09:00", "FREQ=DAILY"),
    ("daily 09:00", "FREQ=DAILY"),
    # Spanish
    ("cada martes 10:00", WEEKLY_TU),
    ("todos los martes 10:00", WEEKLY_TU),
    ("todos los sábados 10:00", "FREQ=WEEKLY;BYDAY=SA"),
    ("cada miercoles 10:00", "FREQ=WEEKLY;BYDAY=WE"),
    ("cada segundo martes 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("cada 2.º martes 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("cada 2º martes 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("cada 1er lunes 10:00", "FREQ=MONTHLY;BYDAY=1MO"),
    ("cada 3er jueves 10:00", "FREQ=MONTHLY;BYDAY=3TH"),
    ("cada 4to miércoles 10:00", "FREQ=MONTHLY;BYDAY=4WE"),
    ("cada primer lunes de cada mes 10:00", "FREQ=MONTHLY;BYDAY=1MO"),
    ("cada último viernes 15:00", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("cada ultimo viernes 15:00", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("el segundo martes de cada mes 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("cada día 09:00", "FREQ=DAILY"),
    ("cada dia 09:00", "FREQ=DAILY"),
    ("todos los días 09:00", "FREQ=DAILY"),
    ("diariamente 09:00", "FREQ=DAILY"),
    # Russian
    ("каждый вторник 10:00", WEEKLY_TU),
    ("каждую среду 10:00", "FREQ=WEEKLY;BYDAY=WE"),
    ("каждое воскресенье 10:00", "FREQ=WEEKLY;BYDAY=SU"),
    ("по вторникам 10:00", WEEKLY_TU),
    ("каждый второй вторник 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("каждый 2-й вторник месяца 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("каждую третью среду 10:00", "FREQ=MONTHLY;BYDAY=3WE"),
    ("каждую последнюю пятницу 15:00", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("каждый последний четверг каждого месяца 15:00", "FREQ=MONTHLY;BYDAY=-1TH"),
    ("каждый день 09:00", "FREQ=DAILY"),
    ("ежедневно 09:00", "FREQ=DAILY"),
    # Mongolian: «бүр» (every) after the day
    ("Мягмар гараг бүр 10:00", WEEKLY_TU),
    ("мягмар бүр 10:00", WEEKLY_TU),
    ("Мягмар гараг болгон 10:00", WEEKLY_TU),
    ("мягмар гараг бур 10:00", WEEKLY_TU),
    ("долоо хоног бүрийн Мягмар 10:00", WEEKLY_TU),
    ("хагас сайн бүр 10:00", "FREQ=WEEKLY;BYDAY=SA"),
    ("бүтэн сайн гараг бүр 10:00", "FREQ=WEEKLY;BYDAY=SU"),
    ("сар бүрийн 2 дахь Мягмар 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("сар бүрийн 2 дахь Мягмар гарагт 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("сар бүрийн 2-р Мягмар 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("сар бүрийн хоёрдугаар Мягмар 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("сар бүрийн хоёр дахь мягмар 10:00", "FREQ=MONTHLY;BYDAY=2TU"),
    ("сар бүрийн 1 дэх Даваа 10:00", "FREQ=MONTHLY;BYDAY=1MO"),
    ("сар бүрийн эхний Даваа 10:00", "FREQ=MONTHLY;BYDAY=1MO"),
    ("сар болгоны 4 дэх Пүрэв 10:00", "FREQ=MONTHLY;BYDAY=4TH"),
    ("сар бүрийн сүүлийн Баасан гарагт 15:00", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("өдөр бүр 09:00", "FREQ=DAILY"),
    ("өдөр болгон 09:00", "FREQ=DAILY"),
    ("өдөр тутам 09:00", "FREQ=DAILY"),
    # Words of two languages together, as before ("every Даваа").
    ("every Даваа 10:00", "FREQ=WEEKLY;BYDAY=MO"),
    ("cada Мягмар 10:00", WEEKLY_TU),
]


@pytest.mark.parametrize(("text", "rule"), EVERY_FORMS)
def test_the_every_forms_of_every_language(text: str, rule: str) -> None:
    when = parse_when(text)
    assert when.rrule == rule
    assert when.time.strftime("%H:%M") == text.split()[-1]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("cada sexto martes 10:00", "bad_ordinal"),
        ("cada 2er martes 10:00", "bad_ordinal"),  # 2.º, not 2er
        ("сар бүрийн 7 дахь Мягмар 10:00", "bad_ordinal"),
        ("каждый шестой вторник 10:00", "bad_ordinal"),
        ("сар бүрийн 2 дахь мягмарр 10:00", "bad_weekday"),
        ("мягмарр гараг бүр 10:00", "bad_weekday"),
        ("cada lunesx 10:00", "bad_weekday"),
        ("каждый вторник 25:00", "bad_time"),
        ("Мягмар гараг бүр 10", "bad_time"),
        ("el martes 10:00", "unknown_form"),  # «el … de cada mes» is monthly only
        ("бүр 10:00", "unknown_form"),
        ("cada 10:00", "unknown_form"),
        ("сар бүрийн мягмар 10:00", "bad_ordinal"),  # which Tuesday of the month?
        ("every tue of the month 10:00", "bad_ordinal"),
    ],
)
def test_every_forms_that_are_refused_say_why(text: str, code: str) -> None:
    with pytest.raises(WhenError) as info:
        parse_when(text)
    assert info.value.code == code


# --- status words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("хэрэгжээгүй", Status.NOT_STARTED),
        ("хийгээгүй", Status.NOT_STARTED),
        ("хийгээгүй байна", Status.NOT_STARTED),
        ("хэсэгчлэн", Status.LIMITED),
        ("хэсэгчлэн хэрэгжсэн", Status.LIMITED),
        ("ихээхэн", Status.SUBSTANTIAL),
        ("бараг дууссан", Status.SUBSTANTIAL),
        ("бараг бүрэн", Status.SUBSTANTIAL),
        ("хэрэгжүүлсэн", Status.COMPLETE),
        ("гүйцэтгэсэн", Status.COMPLETE),
        ("биелүүлсэн", Status.COMPLETE),
        ("хүчингүй болсон", Status.WITHDRAWN),
        ("зогсоосон", Status.WITHDRAWN),
        # Latin letters
        ("duussan", Status.COMPLETE),
        ("buren", Status.COMPLETE),
        ("Büren heregjsen", Status.COMPLETE),
        ("ehleegui", Status.NOT_STARTED),
        ("heregjilt ehleegui", Status.NOT_STARTED),
        ("hesegchlen", Status.LIMITED),
        ("khyazgaarlagdmal", Status.LIMITED),
        ("iheehen", Status.SUBSTANTIAL),
        ("ikheekhen kheregjsen", Status.SUBSTANTIAL),
        ("barag duussan", Status.SUBSTANTIAL),
        ("hiigdsen", Status.COMPLETE),
        ("tsutsalsan", Status.WITHDRAWN),
        ("cucalsan", Status.WITHDRAWN),
        ("huchingui bolson", Status.WITHDRAWN),
        # ү, ө typed on a Russian keyboard layout
        ("бурэн", Status.COMPLETE),
        ("бурэн хэрэгжсэн", Status.COMPLETE),
        ("эхлээгуй", Status.NOT_STARTED),
        ("хэрэгжуулсэн", Status.COMPLETE),
        ("гуйцэтгэсэн", Status.COMPLETE),
        ("биелуулсэн", Status.COMPLETE),
        ("хучингуй болсон", Status.WITHDRAWN),
    ],
)
def test_mongolian_status_words_as_people_type_them(word: str, status: Status) -> None:
    assert lookup(word) == status
    assert parse_update(f"1.1 {word} Хуралд танилцуулсан") == ParsedUpdate(
        "1.1", status, "Хуралд танилцуулсан", None
    )


@pytest.mark.parametrize(
    "word",
    [
        "хэрэгжүүлж байна",
        "хийж байна",
        "хийж байгаа",
        "хэрэгжуулж байна",
        "hiij baina",
        "heregjuulj baina",
        "khiigdej baina",
    ],
)
def test_mongolian_work_in_progress_is_asked_not_guessed(word: str) -> None:
    parsed = parse_update(f"1.1 {word}: төсөл бэлэн")
    assert isinstance(parsed, ParsedUpdate)
    assert parsed.status == Ambiguous(word)
    assert parsed.note == "төсөл бэлэн"


def test_no_other_spelling_of_a_word_means_two_things() -> None:
    """A Russian-layout or Latin spelling of every Cyrillic word finds that word's meaning
    (none was left out for meaning two things), and never hides a word of its own."""
    for phrase, status in ALIASES.items():
        key = phrase.casefold().replace("ё", "е")
        for spelling in spellings(key):
            assert lookup(spelling) == status, (phrase, spelling)
    for phrase in AMBIGUOUS:
        for spelling in spellings(phrase.casefold().replace("ё", "е")):
            assert isinstance(lookup(spelling), Ambiguous), (phrase, spelling)


# --- every word the bot prints parses back ----------------------------------------------


def _printed_weekdays() -> list[tuple[int, str]]:
    """Every weekday label and abbreviation the bot prints, in every language: the
    catalogs' own and Babel's (the /meetings dates and rules)."""
    printed: set[tuple[int, str]] = set()
    for language in LANGUAGES:
        messages = catalog(language)
        for day in range(7):
            for key in (f"digest.weekday.{day}", f"settings.weekday_{day}"):
                label = messages[key]
                assert isinstance(label, str)
                printed.add((day, label))
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_day_names(width, context, locale=language)
                printed |= {(day, str(names[day])) for day in range(7)}
    return sorted(printed)


_CASES = st.sampled_from([str, str.upper, str.lower, str.title])


@given(st.sampled_from(_printed_weekdays()), _CASES, st.sampled_from(["", " гараг"]))
def test_every_weekday_the_bot_prints_parses_back(
    printed: tuple[int, str], case: Callable[[str], str], day_word: str
) -> None:
    day, label = printed
    word = case(label) + day_word
    assert parse_weekday(word) == day
    code = WEEKDAY_CODES[day]
    for form in (f"every {word} 10:00", f"{word} бүр 10:00", f"cada {word} 10:00"):
        assert parse_when(form).rrule == f"FREQ=WEEKLY;BYDAY={code}", form
    assert parse_when(f"every last {word} 10:00").rrule == f"FREQ=MONTHLY;BYDAY=-1{code}"


_STATUS_LABELS = sorted(
    {
        (status, label)
        for language in LANGUAGES
        for status in Status
        if isinstance(label := catalog(language)[f"status.{status.value}"], str)
    }
)


@given(
    st.sampled_from(_STATUS_LABELS),
    _CASES,
    st.sampled_from(["1.1", "3.2", "A3"]),
    st.sampled_from(["", "Draft law submitted", "— хуралд орсон", ": proyecto listo"]),
)
def test_every_status_label_the_bot_prints_parses_back(
    printed: tuple[Status, str], case: Callable[[str], str], milestone: str, note: str
) -> None:
    status, label = printed
    word = case(label)
    parsed = parse_update(f"{milestone} {word} {note}")
    assert isinstance(parsed, ParsedUpdate)
    assert parsed.milestone == milestone
    assert parsed.status == status, word
    assert parsed.note == (note.lstrip(":—– ") or None)
