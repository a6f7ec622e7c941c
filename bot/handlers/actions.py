"""/update A3 <status> [note] and /history A3: action items take progress like milestones.

Called by bot.handlers.progress when the number names no milestone but an action item.
"""

from __future__ import annotations

import zoneinfo

from telegram import Message

from bot.edge import GroupScope
from bot.flows import Flows, Step
from bot.progress_render import render_history, render_recorded, render_unknown_status
from bot.update_flow import screen
from domain.status_words import Ambiguous, ParsedUpdate, Unknown
from storage.actions import action_by_number, action_history, label, record_action_update
from storage.progress import reporter_name


async def update_action(scope: GroupScope, flows: Flows, number: int, parsed: ParsedUpdate) -> None:
    """Record progress on action item A<number>."""
    t = scope.t
    item = await action_by_number(session=scope.session, group_id=scope.group.id, number=number)
    if item is None:
        scope.reply(t("action.not_found", number=label(number)))
        return
    if isinstance(parsed.status, Unknown):
        scope.reply(render_unknown_status(t, parsed.status.word))
        return
    if isinstance(parsed.status, Ambiguous):
        # "in progress": the guided flow's status buttons, as for a milestone.
        flow = flows.start(
            chat_id=scope.chat_id,
            user_id=scope.user.id,
            user_name=scope.user.full_name,
            now=scope.now,
        )
        flow.step, flow.ambiguous_word, flow.action_id = Step.STATUS, parsed.status.word, item.id
        flow.note_given, flow.note, flow.evidence_url = True, parsed.note, parsed.evidence_url
        shown = await screen(scope, flow)

        def remember(sent: Message) -> None:
            flow.message_id = sent.message_id

        scope.reply(shown.text, reply_markup=shown.keyboard, then=remember)
        return
    was = item.status
    await record_action_update(
        session=scope.session,
        item=item,
        member=scope.member,
        status=parsed.status,
        note=parsed.note,
        evidence_url=parsed.evidence_url,
        now=scope.now,
    )
    scope.schedule_changed()  # a closed action item's reminders go
    scope.reply(
        render_recorded(
            t,
            number=label(item.number),
            title=item.text,
            status=parsed.status,
            was=was,
            reporter=reporter_name(scope.member),
            evidence_url=parsed.evidence_url,
        )
    )


async def history_action(scope: GroupScope, number: int, limit: int) -> None:
    """The updates of action item A<number>, newest first."""
    view = await action_history(
        session=scope.session, group_id=scope.group.id, number=number, limit=limit
    )
    if view is None:
        scope.reply(scope.t("action.not_found", number=label(number)))
        return
    scope.reply(render_history(scope.t, view, zoneinfo.ZoneInfo(scope.group.timezone)))
