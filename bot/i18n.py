"""Message catalogs: gettext .po files per language, keyed by message id.

A language's messages are `bot/locales/<lang>.po` and, for each area that keeps its own
(`bot/locales/<area>/<lang>.po`: minutes, quiet days, the public page, …), that area's
file; a key lives in exactly one of them (a test checks it).

Keys (``plan.header``) rather than English sentences are the msgids, so that the
English catalog is a translation like any other and a missing key fails a test
in any language instead of silently showing English.

A message about a number of things is a gettext plural entry, its msgid_plural the
same key, one msgstr[i] per plural form of the language::

    msgid "lists.overdue_days"
    msgid_plural "lists.overdue_days"
    msgstr[0] "{days} day overdue"
    msgstr[1] "{days} days overdue"

`Translator.plural` picks the form with Babel's CLDR plural rule for the language
(`Locale.parse(lang).plural_form(n)`: one, few, many, other) through PLURAL_INDEX, which
follows the order of each catalog's Plural-Forms header (a test checks that both choose
the same form for every whole number it tries).
"""

from __future__ import annotations

import decimal
import functools
import logging
import string
from collections.abc import Callable, Sequence
from importlib import resources
from importlib.resources.abc import Traversable

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from domain.enums import Language

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = Language.EN

# A singular message, or a plural one: one text per plural form, in msgstr[i] order.
Message = str | tuple[str, ...]
Number = int | float | decimal.Decimal

# CLDR plural category -> msgstr index, per language, in the order of the catalog's
# Plural-Forms header:
# - en, mn: nplurals=2; plural=(n != 1);  (CLDR: one, other)
# - es: nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);
#   CLDR (v49 in Babel 2.19): one, many ("1000000 de días"), other; the header is the
#   one Babel writes for Spanish (`babel.messages.plurals.get_plural("es")`).
# - ru: gettext's standard three forms (one: 1, 21 день; few: 2-4, 22 дня; many: 0, 5-20,
#   25 дней). CLDR's fourth category, other, only holds fractions ("1,5 дня"): they take
#   the genitive singular, which is the few form.
PLURAL_INDEX: dict[str, dict[str, int]] = {
    Language.EN: {"one": 0, "other": 1},
    Language.MN: {"one": 0, "other": 1},
    Language.ES: {"one": 0, "many": 1, "other": 2},
    Language.RU: {"one": 0, "few": 1, "many": 2, "other": 1},
}


def _read(path: Traversable) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=None)


@functools.cache
def _po(language: str) -> Catalog:
    return _read(resources.files("bot") / "locales" / f"{language}.po")


def catalog_files(language: str) -> list[Traversable]:
    """The .po files of one language: the core one, then each area's, by area name."""
    locales = resources.files("bot") / "locales"
    areas = sorted(
        (entry for entry in locales.iterdir() if entry.is_dir() and not entry.name.startswith("_")),
        key=lambda entry: entry.name,
    )
    extra = [area / f"{language}.po" for area in areas if (area / f"{language}.po").is_file()]
    return [locales / f"{language}.po", *extra]


@functools.cache
def catalog(language: str) -> dict[str, Message]:
    """Every message of one language, read once from its .po files.

    A plural message is the tuple of its forms; one with an empty form is left out (so
    that the catalog test reports it missing)."""
    messages: dict[str, Message] = {}
    entries = [m for path in catalog_files(language) for m in _read(path)]
    for m in entries:
        if not m.id:
            continue
        if isinstance(m.id, list | tuple):
            forms = tuple(str(s) for s in m.string or ())
            if forms and all(forms):
                messages[str(m.id[0])] = forms
        elif m.string:
            messages[str(m.id)] = str(m.string)
    return messages


def plural_forms(language: str) -> str:
    """The catalog's Plural-Forms header (`nplurals=2; plural=(n != 1);`)."""
    return str(_po(language).plural_forms)


def forms(message: Message) -> tuple[str, ...]:
    """The texts of a message: one, or one per plural form."""
    return (message,) if isinstance(message, str) else message


def placeholders(text: str) -> set[str]:
    """The `{name}` fields a message expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@functools.cache
def _plural_rule(language: str) -> Callable[[Number], str]:
    rule: Callable[[Number], str] = Locale.parse(language).plural_form
    return rule


def plural_index(language: str, count: Number) -> int:
    """Which msgstr[i] of `language` a count takes, by the language's CLDR plural rule."""
    index = PLURAL_INDEX[language]
    category = _plural_rule(language)(-count if count < 0 else count)
    return index.get(category, index["other"])


class Translator:
    """Renders catalog messages in one language (falling back to English per key).

    `t(key, **values)` renders a message; `t.plural(key, n, **values)` the form of a plural
    message for the count n (which is also its `{count}` unless `values` name one).
    """

    def __init__(self, language: str) -> None:
        # Telegram apps send a region too ("es-419", "pt-br"): the language is what counts.
        base = language.split("-")[0].lower()
        self.language = base if base in Language.__members__.values() else "en"

    def _find(self, key: str) -> tuple[str, Message]:
        message = catalog(self.language).get(key)
        if message is not None:
            return self.language, message
        # A missing translation is a bug caught by the catalog test; degrade, don't crash.
        log.warning("message %r missing in %s catalog", key, self.language)
        return DEFAULT_LANGUAGE, catalog(DEFAULT_LANGUAGE).get(key, key)

    @staticmethod
    def _form(language: str, message: Message, count: Number | None) -> str:
        if isinstance(message, str):
            return message
        # Without a count, the last form: the plural of many things in every language.
        index = len(message) - 1 if count is None else plural_index(language, count)
        return message[min(index, len(message) - 1)]

    def __call__(self, key: str, /, **values: object) -> str:
        language, message = self._find(key)
        count = values.get("count")
        number = count if isinstance(count, Number) and not isinstance(count, bool) else None
        if isinstance(message, tuple) and number is None:
            log.warning("plural message %r rendered without a count", key)
        text = self._form(language, message, number)
        return text.format(**values) if values else text

    def plural(self, key: str, count: Number, /, **values: object) -> str:
        """The form of a plural message for `count` ("1 day", "2 дня", "5 дней")."""
        language, message = self._find(key)
        if isinstance(message, str):
            log.warning("message %r has no plural forms in %s catalog", key, language)
        values.setdefault("count", count)
        return self._form(language, message, count).format(**values)

    def plural_list(self, key: str, numbers: Sequence[int], /, **values: object) -> str:
        """A message about a list of numbers ("14, 7, 1 days"): `key` for one number,
        `<key>_list` for several, its form chosen by the last number (Russian agrees with
        the nearest numeral: "за 14, 7, 1 день"); `values` carry the list as written."""
        if len(numbers) == 1:
            return self.plural(key, numbers[0], **values)
        return self.plural(f"{key}_list", numbers[-1] if numbers else 0, **values)


def translator(language: str | None) -> Translator:
    return Translator(language or DEFAULT_LANGUAGE)
