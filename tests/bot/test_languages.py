"""Every shipped language works end to end: status words, examples, menus, the digest."""

from __future__ import annotations

import re

import pytest
from babel import Locale

from bot.commands import COMMANDS
from bot.digest import chart_png, render_caption, render_digest
from bot.i18n import Translator, catalog, translator
from bot.render import split_message
from domain.enums import Language, Status
from domain.status_words import ParsedUpdate, lookup, parse_update
from fakebot.html import parse_html, utf16_len
from tests.bot.test_digest import _long_week

LANGUAGES = [lang.value for lang in Language]


def test_the_languages_of_the_product() -> None:
    """PRODUCT.md: /settings language en, mn, es, ru."""
    assert LANGUAGES == ["en", "mn", "es", "ru"]
    for language in LANGUAGES:
        assert Locale.parse(language).language == language  # Babel knows its rules and days


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_status_label_is_a_status_word(language: str) -> None:
    """The bot lists its labels as the words to type: each must parse back."""
    t = translator(language)
    for status in Status:
        label = t(f"status.{status.value}")
        assert lookup(label) == status, label
        assert parse_update(f"3.2 {label} note") == ParsedUpdate("3.2", status, "note", None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_update_example_of_every_language_parses(language: str) -> None:
    usage = translator(language)("cmd.update.usage_help")
    example = re.search(r"<code>/update (.+?)</code>", usage)
    assert example is not None
    parsed = parse_update(example[1])
    assert isinstance(parsed, ParsedUpdate) and isinstance(parsed.status, Status)
    assert parsed.note


# The words update.aliases names, per language: each is in the message and understood.
NAMED_ALIASES = {
    "en": "done, finished, started, mostly, todo, dropped, not_started, дууссан, эхэлсэн, "
    "ихэнх нь, completado, iniciado, выполнено, начато",
    "mn": "дууссан, хийгдсэн, эхэлсэн, ихэнх нь, хассан, done, started, mostly, completado, "
    "выполнено",
    "es": "completado, cumplido, terminado, iniciado, avanzado, pendiente, cancelado, done, "
    "started, mostly, дууссан, выполнено",
    "ru": "выполнено, завершено, начато, почти готово, отменено, done, started, mostly, "
    "дууссан, completado",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_aliases_a_language_names_are_understood(language: str) -> None:
    text = translator(language)("update.aliases")
    for word in NAMED_ALIASES[language].split(", "):
        assert word in text, word
        assert isinstance(lookup(word), Status), word


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_command_menu_fits_telegrams_limits(language: str) -> None:
    t = translator(language)
    for spec in COMMANDS:
        description = t(spec.description_key)
        assert 1 <= len(description) <= 256, spec.name
        assert description != spec.description_key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_names_every_language(language: str) -> None:
    names = {catalog(language)[f"settings.language_name_{other}"] for other in LANGUAGES}
    assert len(names) == len(LANGUAGES)


@pytest.mark.parametrize("language", ["es", "ru"])
def test_the_longest_digest_stays_one_message_in_spanish_and_russian(language: str) -> None:
    data = _long_week()
    t = translator(language)
    text = render_digest(t, data)
    assert split_message(text) == [text]
    assert utf16_len(parse_html(text).text) < 3200
    assert utf16_len(render_caption(t, data)) < 400
    assert chart_png(data, t).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_telegram_language_code_with_a_region_is_its_language() -> None:
    assert Translator("es-419").language == "es"
    assert Translator("ru-RU").language == "ru"
    assert Translator("pt-br").language == "en"  # not shipped: English
