"""The fixed vocabularies of PRODUCT.md: milestone statuses and agency sectors."""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    """The IRM completion scale, plus withdrawn."""

    NOT_STARTED = "not_started"
    LIMITED = "limited"
    SUBSTANTIAL = "substantial"
    COMPLETE = "complete"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        """True while the milestone still needs work (for deadlines and overdue lists)."""
        return self not in (Status.COMPLETE, Status.WITHDRAWN)


class Sector(enum.StrEnum):
    """Which side of the multi-stakeholder forum an agency belongs to."""

    GOVERNMENT = "government"
    CIVIL_SOCIETY = "civil_society"
    PRIVATE = "private"
    OTHER = "other"


class Role(enum.StrEnum):
    """A member's role in a working group; chat administrators are coordinators too."""

    MEMBER = "member"
    COORDINATOR = "coordinator"


class Language(enum.StrEnum):
    """Languages the bot ships complete catalogs for (ISO 639-1, as Telegram's language_code)."""

    EN = "en"
    MN = "mn"
    ES = "es"
    RU = "ru"
