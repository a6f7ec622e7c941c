"""Plural forms: the catalogs carry them, Babel's CLDR rules pick them."""

from __future__ import annotations

import decimal
import logging

import pytest

from bot.i18n import plural_index, translator
from bot.notices import _left


@pytest.mark.parametrize(
    ("language", "count", "text"),
    [
        ("en", 0, "in 0 days"),
        ("en", 1, "in 1 day"),
        ("en", 2, "in 2 days"),
        ("en", 21, "in 21 days"),
        ("mn", 1, "1 хоногийн дараа"),
        ("mn", 5, "5 хоногийн дараа"),
        ("es", 1, "dentro de 1 día"),
        ("es", 2, "dentro de 2 días"),
        ("es", 0, "dentro de 0 días"),
        ("es", 1_000_000, "dentro de 1000000 de días"),
        ("es", 1_000_001, "dentro de 1000001 días"),
        ("ru", 1, "через 1 день"),
        ("ru", 2, "через 2 дня"),
        ("ru", 4, "через 4 дня"),
        ("ru", 5, "через 5 дней"),
        ("ru", 11, "через 11 дней"),
        ("ru", 12, "через 12 дней"),
        ("ru", 14, "через 14 дней"),
        ("ru", 21, "через 21 день"),
        ("ru", 22, "через 22 дня"),
        ("ru", 25, "через 25 дней"),
        ("ru", 111, "через 111 дней"),
        ("ru", 0, "через 0 дней"),
    ],
)
def test_the_form_follows_the_languages_plural_rule(language: str, count: int, text: str) -> None:
    t = translator(language)
    assert t.plural("lists.due_in_days", count, days=count) == text


def test_the_count_is_the_count_placeholder_unless_named() -> None:
    t = translator("ru")
    assert t.plural("notify.left.hours", 3) == "через 3 часа"
    assert t.plural("notify.left.hours", 3, count="три") == "через три часа"


def test_fractions_take_the_russian_genitive_singular() -> None:
    """CLDR's "other" (1,5 дня) maps to the few form."""
    assert plural_index("ru", decimal.Decimal("1.5")) == 1
    assert plural_index("ru", 1.5) == 1
    assert plural_index("en", 1.5) == 1


def test_a_plural_message_called_the_old_way_still_renders(
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = translator("ru")
    assert t("notify.left.days", count=2) == "через 2 дня"  # `count=` picks the form
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        assert t("lists.due_in_days", days=5) == "через 5 дней"  # no count: the last form
    assert "without a count" in caplog.text


def test_a_missing_plural_message_falls_back_to_english(
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = translator("en")
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        assert t.plural("no.such.key", 2) == "no.such.key"
    assert t("plan.footer").startswith("Details:")


@pytest.mark.parametrize(
    ("language", "offsets", "text"),
    [
        ("en", [1], "1 day before the due date"),
        ("en", [7], "7 days before the due date"),
        ("en", [14, 7, 1], "14, 7, 1 days before the due date"),
        ("ru", [1], "за 1 день до срока"),
        ("ru", [14, 7, 1], "за 14, 7, 1 день до срока"),
        ("ru", [30, 7, 2], "за 30, 7, 2 дня до срока"),
        ("ru", [30, 14], "за 30, 14 дней до срока"),
        ("es", [1], "1 día antes de la fecha límite"),
        ("es", [7, 1], "7, 1 días antes de la fecha límite"),
        ("mn", [14, 7, 1], "хугацаанаас 14, 7, 1 хоногийн өмнө"),
    ],
)
def test_a_list_of_numbers_agrees_as_the_language_wants(
    language: str, offsets: list[int], text: str
) -> None:
    days = ", ".join(str(d) for d in offsets)
    assert translator(language).plural_list("settings.reminders_days", offsets, days=days) == text


@pytest.mark.parametrize(
    ("language", "minutes", "text"),
    [
        ("en", 1440, "in 1 day"),
        ("en", 2880, "in 2 days"),
        ("en", 60, "in 1 hour"),
        ("en", 90, "in 90 minutes"),
        ("en", 1, "in 1 minute"),
        ("ru", 120, "через 2 часа"),
        ("ru", 1440 * 5, "через 5 дней"),
        ("ru", 21, "через 21 минуту"),
        ("es", 60, "dentro de 1 hora"),
        ("es", 30, "dentro de 30 minutos"),
    ],
)
def test_reminder_lead_times(language: str, minutes: int, text: str) -> None:
    assert _left(translator(language), minutes) == text


def test_english_no_longer_says_one_days() -> None:
    t = translator("en")
    assert t.plural("digest.deadlines_header", 1, days=1) == "<b>Due in the next 1 day</b>"
    assert t.plural("lists.overdue_days", 1, days=1) == "1 day overdue"
    assert t.plural("settings.quiet_line", 1, weeks=1).endswith("after 1 week without an update")
    assert t.plural("plan.totals", 1, commitments=1, complete=0, total=2).startswith(
        "1 commitment ·"
    )
