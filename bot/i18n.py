"""Message catalogs: one gettext .po file per language, keyed by message id.

Keys (``plan.header``) rather than English sentences are the msgids, so that the
English catalog is a translation like any other and a missing key fails a test
in either language instead of silently showing English.
"""

from __future__ import annotations

import functools
import logging
import string
from importlib import resources

from babel.messages.pofile import read_po

from domain.enums import Language

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = Language.EN


@functools.cache
def catalog(language: str) -> dict[str, str]:
    """Every message of one language, read once from `bot/locales/<lang>.po`."""
    path = resources.files("bot") / "locales" / f"{language}.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=None)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


def placeholders(text: str) -> set[str]:
    """The `{name}` fields a message expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Translator:
    """Renders catalog messages in one language (falling back to English per key)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in Language.__members__.values() else "en"

    def __call__(self, key: str, /, **values: object) -> str:
        text = catalog(self.language).get(key)
        if text is None:
            # A missing translation is a bug caught by the catalog test; degrade, don't crash.
            log.warning("message %r missing in %s catalog", key, self.language)
            text = catalog(DEFAULT_LANGUAGE).get(key, key)
        return text.format(**values) if values else text


def translator(language: str | None) -> Translator:
    return Translator(language or DEFAULT_LANGUAGE)
