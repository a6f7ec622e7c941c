"""One outgoing Telegram message, as the renderers make it and delivery sends it."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Part:
    """One Telegram message: text (HTML), or a photo or a file with an optional caption."""

    text: str
    photo: bytes | None = None
    # A file (the minutes as Markdown), sent under `filename` with `text` as its caption.
    document: bytes | None = None
    filename: str = "file"
    # One row of inline buttons under a text message: (label, callback data) each.
    buttons: tuple[tuple[str, str], ...] = ()
