"""Every shipped language is complete: a missing or mismatched message fails here.

For every language of `Language` (en, mn, es, ru) and every key of en.po: the message
exists, keeps English's placeholders (in each of its plural forms), keeps its Telegram
HTML tags and parses as Telegram parses it; plural messages have the language's plural
forms, and the code asks for them with `t.plural`.
"""

from __future__ import annotations

import collections
import gettext
import re
import string

import pytest

from bot.commands import COMMANDS
from bot.handlers.meetings import WHEN_PROBLEMS
from bot.i18n import PLURAL_INDEX, catalog, forms, placeholders, plural_forms, plural_index
from bot.notices import LEFT_UNITS
from domain.enums import Language, Status
from fakebot.html import parse_html
from storage.plan_export import COLUMNS as EXPORT_COLUMNS
from tests.conftest import ROOT

LANGUAGES = [lang.value for lang in Language]
TRANSLATIONS = [lang for lang in LANGUAGES if lang != Language.EN]

# t("key"), scope.t("key", ...), t.plural("key", n, ...), t.plural_list("key", numbers, ...):
# any call of a translator with a literal key.
KEY_USE = re.compile(
    r"""\b(?:t|words)(?:\.(plural|plural_list))?\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']"""
)


def calls_in_code() -> list[tuple[str, str, str]]:
    """(file, method, key) for every translator call with a literal key; method is
    "" for `t(...)`, else "plural" or "plural_list"."""
    found: list[tuple[str, str, str]] = []
    # storage renders the exports' words (storage.words): it is checked like the rest.
    for package in ("bot", "scheduler", "storage", "wgbot"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            found += [(path.name, method, key) for method, key in KEY_USE.findall(text)]
    return found


def keys_used_in_code() -> set[str]:
    used: set[str] = set()
    for _, method, key in calls_in_code():
        used.add(key)
        if method == "plural_list":
            used.add(f"{key}_list")
    # Keys built from data: every command's usage and description, every status, the
    # units of "in 2 hours", the names of the languages, the weekdays.
    for spec in COMMANDS:
        used |= {spec.usage_key, spec.description_key}
    used |= {f"status.{status.value}" for status in Status}
    used |= {f"notify.left.{unit}" for unit, _ in LEFT_UNITS}
    used |= {f"settings.language_name_{lang}" for lang in LANGUAGES}
    used |= {f"settings.weekday_{day}" for day in range(7)}
    used |= {f"digest.weekday.{day}" for day in range(7)}
    used |= {f"export.column.{column}" for column in EXPORT_COLUMNS}
    used |= {f"meeting.when.{code}" for code in WHEN_PROBLEMS}
    return used


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_language_has_the_same_keys_as_english(language: str) -> None:
    english, other = set(catalog("en")), set(catalog(language))
    assert english - other == set(), f"missing in {language}.po"
    assert other - english == set(), "missing in en.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_the_code_uses_is_translated(language: str) -> None:
    missing = keys_used_in_code() - set(catalog(language))
    assert missing == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_in_every_plural_form(language: str) -> None:
    mismatched = [
        (key, form)
        for key, message in catalog("en").items()
        for form in forms(catalog(language)[key])
        if placeholders(form) != placeholders(forms(message)[0])
    ]
    assert mismatched == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_messages_have_every_plural_form_of_the_language(language: str) -> None:
    nplurals = int(re.search(r"nplurals=(\d+)", plural_forms(language))[1])  # type: ignore[index]
    for key, message in catalog("en").items():
        translated = catalog(language)[key]
        assert isinstance(translated, str) == isinstance(message, str), key
        if not isinstance(translated, str):
            assert len(translated) == nplurals, key


def test_english_names_a_count_only_in_plural_messages() -> None:
    """No "{days} days" left singular: a message whose count agrees with a noun is plural."""
    counted = re.compile(r"\{(days|weeks|count|max|commitments|total)\} (?!more\b|complete\b)[a-z]")
    singular = [
        key
        for key, message in catalog("en").items()
        if isinstance(message, str) and counted.search(message)
    ]
    assert singular == []


def test_the_code_asks_for_the_plural_form_of_every_plural_message() -> None:
    english = catalog("en")
    wrong = [
        (file, method or "t", key)
        for file, method, key in calls_in_code()
        if key in english and isinstance(english[key], tuple) != bool(method)
    ]
    assert wrong == []


_TAG = re.compile(r"<(/?)([a-zA-Z-]+)([^>]*)>")
_ALLOWED_TAGS = {"b", "i", "code", "a"}


def _sample(text: str) -> str:
    """A message with its placeholders filled, as the renderers fill them."""
    values = {
        name: ("https://example.org/x" if name == "url" else "x")
        for _, name, _, _ in string.Formatter().parse(text)
        if name
    }
    return text.format(**values)


def _tags(text: str) -> collections.Counter[str]:
    return collections.Counter(match.group(0) for match in _TAG.finditer(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_telegram_html_with_the_tags_of_english(language: str) -> None:
    for key, message in catalog(language).items():
        english = forms(catalog("en")[key])[0]
        for form in forms(message):
            parse_html(_sample(form))  # raises like Telegram's "can't parse entities"
            assert {m.group(2) for m in _TAG.finditer(form)} <= _ALLOWED_TAGS, key
            assert _tags(form) == _tags(english), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_plural_rule_agrees_with_the_catalogs_plural_forms_header(language: str) -> None:
    expression = plural_forms(language).split("plural=", 1)[1].rstrip(";")
    header = gettext.c2py(expression)
    numbers = [*range(1500), 10**6, 2 * 10**6, 10**6 + 1, 10**9, 1_000_021]
    assert [plural_index(language, n) for n in numbers] == [header(n) for n in numbers]


def test_every_language_has_its_plural_mapping() -> None:
    assert set(PLURAL_INDEX) == set(LANGUAGES)
    for language, index in PLURAL_INDEX.items():
        assert "other" in index, language


CYRILLIC = r"[А-Яа-яЁёӨөҮү]"


@pytest.mark.parametrize("language", ["mn", "ru"])
def test_mongolian_and_russian_are_written_in_cyrillic(language: str) -> None:
    latin_only = [
        key
        for key, message in catalog(language).items()
        for text in forms(message)
        if re.search(
            r"[A-Za-z]{4,}", re.sub(r"<[^>]+>|\{[^}]+\}|/\w+|&\w+;|wgbot|\S+\.yaml", "", text)
        )
        and not re.search(CYRILLIC, text)
    ]
    assert latin_only == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_quotation_marks_are_guillemets(language: str) -> None:
    curly = [
        key
        for key, message in catalog(language).items()
        for text in forms(message)
        if re.search("[“”„]", text)
    ]
    assert curly == []


def test_no_mongolian_case_ending_is_glued_to_a_placeholder_or_a_command() -> None:
    """«{name}-ийн», «/mine-г», «&lt;хэзээ&gt;-г»: vowel harmony cannot know the word."""
    glued = re.compile(r"(\}|</b>|</code>|&gt;|/[a-z_]+)-[а-яёөү]")
    found = [
        (key, text)
        for key, message in catalog("mn").items()
        for text in forms(message)
        if glued.search(text)
    ]
    assert found == []


def test_each_key_lives_in_one_file_and_every_area_has_every_language() -> None:
    from bot.i18n import _read, catalog_files

    for language in LANGUAGES:
        files = catalog_files(language)
        where: dict[str, list[str]] = collections.defaultdict(list)
        for path in files:
            po = _read(path)
            assert str(po.plural_forms) == plural_forms(language), path
            for m in po:
                if m.id:
                    key = m.id[0] if isinstance(m.id, list | tuple) else m.id
                    where[str(key)].append(str(path))
        assert {k: v for k, v in where.items() if len(v) > 1} == {}
        # Every area of English is an area of this language too.
        areas = [str(p).rsplit("/", 2)[-2] for p in files]
        assert areas == [str(p).rsplit("/", 2)[-2] for p in catalog_files("en")]
