"""Text as people send it, made safe to store and show: no control characters.

A vertical tab or an escape in a note makes a spreadsheet export refuse the whole sheet;
a NUL makes PostgreSQL refuse the row; a lone surrogate cannot be written as UTF-8.
Newlines and tabs are kept (a note may have paragraphs); CR LF and CR become LF.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and UTF-16 surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control characters (tabs and newlines kept, line ends unified)."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_optional(text: str | None) -> str | None:
    return clean_text(text) if text is not None else None
