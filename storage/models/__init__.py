"""The database: one typed model per word of PRODUCT.md, in one metadata.

`storage.models.plan` holds the plan, its people and the outbox; `storage.models.minutes`
the minutes, action items and OGP dates. Import models from here.
"""

from storage.models.base import NAMING_CONVENTION, Base, stored_enum
from storage.models.minutes import ActionItem, ActionUpdate, Minutes, MinutesLine, OgpEvent
from storage.models.plan import (
    Agency,
    Chat,
    ChatRate,
    Commitment,
    DayOff,
    Meeting,
    Member,
    Milestone,
    Notification,
    ProgressUpdate,
    SchedulerBeat,
    WorkingGroup,
    commitment_supporting_agency,
)

__all__ = [
    "NAMING_CONVENTION",
    "ActionItem",
    "ActionUpdate",
    "Agency",
    "Base",
    "Chat",
    "ChatRate",
    "Commitment",
    "DayOff",
    "Meeting",
    "Member",
    "Milestone",
    "Minutes",
    "MinutesLine",
    "Notification",
    "OgpEvent",
    "ProgressUpdate",
    "SchedulerBeat",
    "WorkingGroup",
    "commitment_supporting_agency",
    "stored_enum",
]
