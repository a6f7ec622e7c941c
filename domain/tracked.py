"""Action items and OGP's minimum requirements: their notifications, as pure rules.

An action item with a due date is tracked like a milestone: the milestone rules plan
its deadline reminders and overdue notice, under keys and kinds of its own
(`action_deadline:…`, `action_overdue:…`, see domain.rules). OGP warnings go to the
group at 09:00 local 30 and 7 days before a requirement lapses and on the day
(`ogp:<group>:<requirement>:<lapse date>:<days before>`): a newer date is a new lapse
date, so the old warnings are no longer planned and reconciling cancels them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable

from domain.enums import Status
from domain.ogp import Requirement, lapse_date, warning_days
from domain.rules import (
    ACTION_DEADLINE,
    ACTION_OVERDUE,
    DEADLINE,
    MORNING,
    OGP,
    OVERDUE,
    GroupFacts,
    MilestoneFacts,
    Move,
    Planned,
    Window,
    at_local,
    deadline_reminders,
    overdue_notice,
)


@dataclasses.dataclass(frozen=True)
class ActionFacts:
    id: int
    due: dt.date | None
    status: Status
    # Telegram user ids of the agency's members who opened a private chat.
    private_chats: tuple[int, ...] = ()
    # When it was recorded: a reminder whose time had passed by then is not news.
    created_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class OgpFacts:
    """The last dates of the two requirements (None: never recorded)."""

    created: dt.date  # the group's creation day, local: the count's start without a date
    forum: dt.date | None = None
    repository: dt.date | None = None


def _as_action(planned: Planned, action: ActionFacts) -> Planned:
    kind = ACTION_DEADLINE if planned.kind == DEADLINE else ACTION_OVERDUE
    prefix = DEADLINE if planned.kind == DEADLINE else OVERDUE
    payload = {k: v for k, v in planned.payload.items() if k != "milestone_id"}
    return dataclasses.replace(
        planned,
        key=kind + planned.key.removeprefix(prefix),
        kind=kind,
        payload={"action_id": action.id, **payload},
        moves=Move.EARLIER if kind == ACTION_DEADLINE else Move.LATER,
    )


def action_notices(group: GroupFacts, action: ActionFacts, window: Window) -> list[Planned]:
    """Deadline reminders and the overdue notice of one action item with a due date."""
    if action.due is None:
        return []
    facts = MilestoneFacts(
        id=action.id, due=action.due, status=action.status, private_chats=action.private_chats
    )
    planned = deadline_reminders(group, facts, window) + overdue_notice(group, facts, window)
    return [
        _as_action(p, action)
        for p in planned
        if action.created_at is None or p.due_at >= action.created_at
    ]


def ogp_warnings(group: GroupFacts, ogp: OgpFacts, window: Window) -> list[Planned]:
    """30 and 7 days before each requirement lapses and on the day, at 09:00 local."""
    if group.chat_id is None:
        return []
    planned: list[Planned] = []
    for requirement, last in (
        (Requirement.FORUM, ogp.forum),
        (Requirement.REPOSITORY, ogp.repository),
    ):
        lapses = lapse_date(last if last is not None else ogp.created)
        for days, day in warning_days(lapses):
            due_at = at_local(day, MORNING, group.tz)
            if due_at not in window:
                continue
            planned.append(
                Planned(
                    key=f"{OGP}:{group.id}:{requirement.value}:{lapses.isoformat()}:{days}",
                    kind=OGP,
                    chat_id=group.chat_id,
                    due_at=due_at,
                    payload={
                        "requirement": requirement.value,
                        "lapses": lapses.isoformat(),
                        "days": days,
                    },
                    moves=Move.EARLIER,
                )
            )
    return planned


def tracked_rules(
    actions: Iterable[ActionFacts], ogp: OgpFacts | None
) -> list[Callable[[GroupFacts, Window], list[Planned]]]:
    """The `extra` rules of domain.rules.plan_notifications for a group's facts."""
    actions = tuple(actions)

    def plan_actions(group: GroupFacts, window: Window) -> list[Planned]:
        return [p for a in actions for p in action_notices(group, a, window)]

    rules: list[Callable[[GroupFacts, Window], list[Planned]]] = [plan_actions]
    if ogp is not None:
        rules.append(lambda group, window: ogp_warnings(group, ogp, window))
    return rules
