"""The guided `/update` flows in progress: in memory, one per (chat, user).

Lost on restart by design: every button carries its flow's random token, so a button of
a flow that ended, was replaced, or belongs to an earlier process finds nothing and is
answered "expired". The screens and steps are in bot.update_flow.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import secrets

from telegram import InlineKeyboardMarkup

from domain.enums import Status
from storage.models import Milestone

PREFIX = "u"
FLOW_TTL = dt.timedelta(hours=2)


class Step(enum.StrEnum):
    COMMITMENT = "commitment"
    MILESTONE = "milestone"
    STATUS = "status"
    NOTE = "note"
    ACTIONS = "actions"  # the open action items, instead of a commitment's milestones


class Action(enum.StrEnum):
    COMMITMENT = "c"  # arg: commitment id
    MILESTONE = "m"  # arg: milestone id
    STATUS = "s"  # arg: status value
    PAGE = "p"  # arg: page number
    SKIP = "k"
    BACK = "b"
    CANCEL = "x"
    ACTIONS = "a"  # show the open action items
    ACTION_ITEM = "i"  # arg: action item id


@dataclasses.dataclass
class Flow:
    token: str
    chat_id: int
    user_id: int
    user_name: str
    started_at: dt.datetime
    step: Step = Step.COMMITMENT
    message_id: int | None = None
    commitment_page: int = 0
    milestone_page: int = 0
    commitment_id: int | None = None
    milestone_id: int | None = None
    action_id: int | None = None  # an action item instead of a milestone
    status: Status | None = None
    # Set when the flow began as `/update 3.2 in progress <note>`: the note is known.
    note_given: bool = False
    note: str | None = None
    evidence_url: str | None = None
    ambiguous_word: str | None = None

    def ask_status(
        self, milestone: Milestone, *, word: str, note: str | None, evidence_url: str | None
    ) -> None:
        """Begin at the status step: `/update <milestone> in progress [note]` named the rest."""
        self.step, self.ambiguous_word = Step.STATUS, word
        self.commitment_id, self.milestone_id = milestone.commitment_id, milestone.id
        self.note_given, self.note, self.evidence_url = True, note, evidence_url


@dataclasses.dataclass(frozen=True)
class Press:
    token: str
    action: Action
    arg: str


@dataclasses.dataclass(frozen=True)
class Screen:
    """What the flow's message shows; no keyboard once the flow has ended."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


class Flows:
    """Flows in progress, by token and by (chat, user); one per person per chat."""

    def __init__(self) -> None:
        self._by_token: dict[str, Flow] = {}
        self._by_person: dict[tuple[int, int], str] = {}

    def start(self, *, chat_id: int, user_id: int, user_name: str, now: dt.datetime) -> Flow:
        """A new flow; one the same person had open in this chat ends (its buttons expire)."""
        self._prune(now)
        old = self._by_person.pop((chat_id, user_id), None)
        if old is not None:
            self._by_token.pop(old, None)
        token = secrets.token_urlsafe(6)
        flow = Flow(
            token=token, chat_id=chat_id, user_id=user_id, user_name=user_name, started_at=now
        )
        self._by_token[token] = flow
        self._by_person[(chat_id, user_id)] = token
        return flow

    def get(self, token: str, now: dt.datetime) -> Flow | None:
        self._prune(now)
        return self._by_token.get(token)

    def awaiting_note(self, chat_id: int, user_id: int, now: dt.datetime) -> Flow | None:
        self._prune(now)
        token = self._by_person.get((chat_id, user_id))
        flow = self._by_token.get(token) if token else None
        return flow if flow is not None and flow.step is Step.NOTE else None

    def end(self, flow: Flow) -> None:
        self._by_token.pop(flow.token, None)
        if self._by_person.get((flow.chat_id, flow.user_id)) == flow.token:
            del self._by_person[(flow.chat_id, flow.user_id)]

    def _prune(self, now: dt.datetime) -> None:
        for flow in [f for f in self._by_token.values() if now - f.started_at > FLOW_TTL]:
            self.end(flow)
