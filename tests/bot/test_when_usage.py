"""The forms the <when> usage shows in each language are forms the bot reads."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.i18n import Translator
from domain.enums import Language
from domain.when import parse_when

SAMPLE = re.compile(r"<code>(.*?)</code>")


@pytest.mark.parametrize("language", [lang.value for lang in Language])
def test_every_form_the_usage_shows_parses(language: str) -> None:
    shown = Translator(language)("meeting.when.forms", day="2030-01-15", tz="UTC")
    samples = SAMPLE.findall(shown)
    assert len(samples) >= 5
    for sample in samples:
        when = parse_when(sample)
        assert when.time in (dt.time(9, 0), dt.time(10, 0))
