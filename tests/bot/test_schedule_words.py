"""A meeting's schedule in words, in every language (bot.schedule_words), and /meetings."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import translator
from bot.schedule_words import describe
from domain.enums import Language
from domain.when import WhenError, parse_when
from tests.bot.conftest import BAT, GROUP, link_example
from wgbot.harness import BotRun

LANGUAGES = [lang.value for lang in Language]
# A naive wall time, as meetings store them.
TUESDAY = dt.datetime.combine(dt.date(2022, 9, 13), dt.time(10, 0))
ZONE = "Asia/Ulaanbaatar"


def words(language: str, rule: str | None, start: dt.datetime = TUESDAY) -> str:
    return describe(translator(language), rule, start, ZONE)


@pytest.mark.parametrize(
    ("rule", "en", "mn", "es", "ru"),
    [
        (None, "once", "нэг удаа", "una vez", "один раз"),
        (
            "FREQ=DAILY",
            "every day at 10:00",
            "өдөр бүр 10:00 цагт",
            "todos los días a las 10:00",
            "ежедневно в 10:00",
        ),
        (
            "FREQ=DAILY;INTERVAL=2",
            "every 2 days at 10:00",
            "2 хоног тутам 10:00 цагт",
            "cada 2 días a las 10:00",
            "раз в 2 дня в 10:00",
        ),
        (
            "FREQ=WEEKLY;BYDAY=TU",
            "every Tuesday at 10:00",
            "мягмар гараг бүр 10:00 цагт",
            "cada martes a las 10:00",
            "еженедельно, вторник, в 10:00",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            "every 2 weeks on Tuesday at 10:00",
            "2 долоо хоног тутам мягмар гарагт 10:00 цагт",
            "cada 2 semanas: martes, a las 10:00",
            "раз в 2 недели, вторник, в 10:00",
        ),
        (
            "FREQ=WEEKLY;BYDAY=WE,MO",
            "every Monday and Wednesday at 10:00",
            "даваа, лхагва гараг бүр 10:00 цагт",
            "cada lunes y miércoles a las 10:00",
            "еженедельно, понедельник и среда, в 10:00",
        ),
        (
            "FREQ=MONTHLY;BYDAY=2TU",
            "every 2nd Tuesday of the month at 10:00",
            "сар бүрийн 2 дахь мягмар гарагт 10:00 цагт",
            "el segundo martes de cada mes a las 10:00",
            "ежемесячно в 10:00: вторник, 2-й такой день месяца",
        ),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1TH",
            "every 3 months on the last Thursday at 10:00",
            "3 сар тутам сүүлийн пүрэв гарагт 10:00 цагт",
            "el último jueves, cada 3 meses, a las 10:00",
            "раз в 3 месяца в 10:00: четверг, последний такой день месяца",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "on day 15 of every month at 10:00",
            "сар бүр, сарын 15, 10:00 цагт",
            "el día 15 de cada mes a las 10:00",
            "ежемесячно, 15-го числа, в 10:00",
        ),
        (
            "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=1",
            "every 6 months on day 1 at 10:00",
            "6 сар тутам, сарын 1, 10:00 цагт",
            "el día 1, cada 6 meses, a las 10:00",
            "раз в 6 месяцев, 1-го числа, в 10:00",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "on the last day of every month at 10:00",
            "сар бүрийн сүүлийн өдөр 10:00 цагт",
            "el último día de cada mes a las 10:00",
            "ежемесячно, в последний день месяца, в 10:00",
        ),
        (
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15",
            "every year on March 15 at 10:00",
            "жил бүр, гуравдугаар сарын 15, 10:00 цагт",
            "cada año, el 15 de marzo, a las 10:00",
            "ежегодно, 15 марта, в 10:00",
        ),
        (
            "FREQ=YEARLY;INTERVAL=2",
            "every 2 years on September 13 at 10:00",
            "2 жил тутам, есдүгээр сарын 13, 10:00 цагт",
            "cada 2 años, el 13 de septiembre, a las 10:00",
            "раз в 2 года, 13 сентября, в 10:00",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=5",
            "on day 15 of every month at 10:00 (5 times)",
            "сар бүр, сарын 15, 10:00 цагт (5 удаа)",
            "el día 15 de cada mes a las 10:00 (5 veces)",
            "ежемесячно, 15-го числа, в 10:00 (5 раз)",
        ),
        (
            # 16:00 UTC on 31 December is midnight starting 1 January in Ulaanbaatar: a
            # 10:00 meeting may take place on the 31st at the latest.
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20231231T160000Z",
            "every Tuesday at 10:00 until 2023-12-31",
            "мягмар гараг бүр 10:00 цагт 2023-12-31 хүртэл",
            "cada martes a las 10:00 hasta el 2023-12-31",
            "еженедельно, вторник, в 10:00 до 2023-12-31",
        ),
    ],
)
def test_rules_in_words_in_every_language(
    rule: str | None, en: str, mn: str, es: str, ru: str
) -> None:
    expected = {"en": en, "mn": mn, "es": es, "ru": ru}
    assert {language: words(language, rule) for language in LANGUAGES} == expected


def test_a_bare_until_date_ends_before_a_meeting_later_that_day() -> None:
    """UNTIL=20231231 is midnight starting the 31st: a 10:00 meeting is last on the 30th."""
    assert words("en", "FREQ=DAILY;UNTIL=20231231").endswith("until 2023-12-30")
    midnight = TUESDAY.replace(hour=0)
    assert words("en", "FREQ=DAILY;UNTIL=20231231", midnight).endswith("until 2023-12-31")


@pytest.mark.parametrize(
    ("count", "weeks", "times"),
    [
        (2, "раз в 2 недели,", "(2 раза)"),
        (5, "раз в 5 недель,", "(5 раз)"),
        (21, "раз в 21 неделю,", "(21 раз)"),
        (22, "раз в 22 недели,", "(22 раза)"),
    ],
)
def test_counts_take_the_russian_plural_form(count: int, weeks: str, times: str) -> None:
    assert words("ru", f"FREQ=WEEKLY;INTERVAL={count};BYDAY=TU").startswith(weeks)
    assert words("ru", f"FREQ=DAILY;COUNT={count}").endswith(times)


def test_one_time_is_singular() -> None:
    assert words("en", "FREQ=DAILY;COUNT=1") == "every day at 10:00 (1 time)"
    assert words("es", "FREQ=DAILY;COUNT=1") == "todos los días a las 10:00 (1 vez)"
    assert words("es", "FREQ=DAILY;COUNT=2") == "todos los días a las 10:00 (2 veces)"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=MONTHLY;BYDAY=+1MO,-1FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYWEEKNO=20",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=MONTHLY;BYDAY=MO",
        "FREQ=MONTHLY;BYDAY=-2FR",
        "FREQ=YEARLY;BYMONTHDAY=1",
        "FREQ=DAILY;INTERVAL=7;BYDAY=SA",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU;WKST=SU",
        "FREQ=DAILY;BYMONTH=2",
    ],
)
def test_a_rule_without_words_is_shown_as_it_is(rule: str) -> None:
    for language in LANGUAGES:
        assert f"<code>{rule}</code>" in words(language, rule)
        assert "10:00" in words(language, rule)


def test_a_raw_rule_is_escaped() -> None:
    assert "<code>FREQ=X&lt;b&gt;</code>" in words("en", "FREQ=X<b>")


_PARTS = st.fixed_dictionaries(
    {
        "FREQ": st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    },
    optional={
        "INTERVAL": st.integers(1, 30).map(str),
        "COUNT": st.integers(1, 40).map(str),
        "BYDAY": st.sampled_from(["TU", "MO,WE", "2TU", "-1FR", "+1MO", "SA,SU", "5TH"]),
        "BYMONTHDAY": st.sampled_from(["1", "15", "-1", "31", "1,15"]),
        "BYMONTH": st.sampled_from(["2", "3", "12", "1,7"]),
        "WKST": st.just("SU"),
    },
)


@settings(max_examples=300, deadline=None)
@given(
    _PARTS,
    st.sampled_from(LANGUAGES),
    st.datetimes(TUESDAY),
)
def test_every_rule_the_grammar_accepts_is_shown(
    parts: dict[str, str], language: str, start: dt.datetime
) -> None:
    body = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        rule = parse_when(f"RRULE:{body} 10:00").rrule
    except WhenError:
        return
    assert rule is not None
    start = start.replace(second=0, microsecond=0)
    text = describe(translator(language), rule, start, ZONE)
    assert "{" not in text and "}" not in text
    assert start.strftime("%H:%M") in text
    if "FREQ=" not in text:
        # In words: every number of the rule that is shown is its own.
        shown = {int(n) for n in re.findall(r"(?<![\d:-])\d+(?![\d:-])", text)}
        assert shown <= {int(n) for n in re.findall(r"\d+", body)} | {
            start.day,
            start.month,
            *range(1, 6),  # the ordinal of "2-й", "2 дахь"
        }


@pytest.mark.parametrize(
    ("language", "review", "meeting"),
    [
        (
            "en",
            "every 3 months on the last Thursday at 15:00 · 90 min",
            "every 2nd Tuesday of the month at 10:00 · 120 min",
        ),
        (
            "mn",
            "3 сар тутам сүүлийн пүрэв гарагт 15:00 цагт · 90 минут",
            "сар бүрийн 2 дахь мягмар гарагт 10:00 цагт · 120 минут",
        ),
        (
            "es",
            "el último jueves, cada 3 meses, a las 15:00",
            "el segundo martes de cada mes a las 10:00",
        ),
        (
            "ru",
            "раз в 3 месяца в 15:00: четверг, последний такой день месяца",
            "ежемесячно в 10:00: вторник, 2-й такой день месяца",
        ),
    ],
)
async def test_meetings_shows_every_rule_in_words(
    run: BotRun, engine: AsyncEngine, language: str, review: str, meeting: str
) -> None:
    await link_example(engine, language=language)
    reply = (await run.unique_reply(GROUP, BAT, "/meetings")).text
    assert reply is not None
    assert "FREQ=" not in reply
    assert f"\n    {review}" in reply
    assert f"\n    {meeting}" in reply
