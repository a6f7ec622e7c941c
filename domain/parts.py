"""One outgoing Telegram message, as the renderers make it and delivery sends it."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Part:
    """One Telegram message: text (HTML), or a photo with an optional caption."""

    text: str
    photo: bytes | None = None
