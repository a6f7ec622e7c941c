"""English and Mongolian ship complete: a missing or mismatched message fails here."""

from __future__ import annotations

import re

import pytest

from bot.commands import COMMANDS
from bot.i18n import catalog, placeholders
from domain.enums import Language, Status
from tests.conftest import ROOT

# t("key"), scope.t("key", ...), self.t("key") — any call of a translator with a literal key.
KEY_USE = re.compile(r"""\bt\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def keys_used_in_code() -> set[str]:
    used: set[str] = set()
    for package in ("bot", "scheduler", "wgbot"):
        for path in (ROOT / package).rglob("*.py"):
            used |= set(KEY_USE.findall(path.read_text(encoding="utf-8")))
    # Keys built from data: every command's usage and description, every status.
    for spec in COMMANDS:
        used |= {spec.usage_key, spec.description_key}
    used |= {f"status.{status.value}" for status in Status}
    return used


def test_both_languages_have_the_same_keys() -> None:
    english, mongolian = set(catalog("en")), set(catalog("mn"))
    assert english - mongolian == set(), "missing in mn.po"
    assert mongolian - english == set(), "missing in en.po"


@pytest.mark.parametrize("language", [lang.value for lang in Language])
def test_every_key_the_code_uses_is_translated(language: str) -> None:
    missing = keys_used_in_code() - set(catalog(language))
    assert missing == set()


def test_translations_keep_the_placeholders() -> None:
    english, mongolian = catalog("en"), catalog("mn")
    for key, text in english.items():
        assert placeholders(mongolian[key]) == placeholders(text), key


def test_mongolian_is_written_in_cyrillic() -> None:
    latin_only = [
        key
        for key, text in catalog("mn").items()
        if re.search(
            r"[A-Za-z]{4,}", re.sub(r"<[^>]+>|\{[^}]+\}|/\w+|&\w+;|wgbot|\S+\.yaml", "", text)
        )
        and not re.search(r"[А-Яа-яӨөҮү]", text)
    ]
    assert latin_only == []
