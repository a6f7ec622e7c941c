"""What storage's file renderers say in words, handed in by the caller.

The exports (a Markdown report, a calendar's event descriptions) are rendered here, next
to the data, but their words live in the bot's catalogs: the caller passes a translator
of the group's language (bot.i18n.Translator fits this protocol).
"""

from __future__ import annotations

from typing import Protocol


class Words(Protocol):
    def __call__(self, key: str, /, **values: object) -> str: ...
