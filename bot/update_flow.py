"""The guided `/update`: commitment → milestone → status → optional note, with buttons.

State lives in memory, one flow per (chat, user), and is lost on restart: every button
carries the flow's random token, so a button of a flow that ended, was replaced, or
belongs to an earlier process finds nothing and is answered "expired". Buttons carry
database ids, never plan numbers or titles, so callback data stays far under
Telegram's 64 bytes whatever the plan looks like.
"""

from __future__ import annotations

import dataclasses

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.edge import GroupScope
from bot.flows import PREFIX, Action, Flow, Flows, Press, Screen, Step
from bot.i18n import Translator
from bot.parsing import is_row_id
from bot.progress_render import render_recorded
from bot.render import STATUS_MARK, esc, status_label
from domain.enums import Status
from storage.actions import action_by_id, label, open_actions, record_action_update
from storage.models import Milestone
from storage.progress import (
    Choice,
    commitments_with_milestones,
    current_milestones,
    milestone_by_id,
    record_update,
    reporter_name,
)

PAGE_SIZE = 8
LABEL_LIMIT = 48
SCALE_ORDER = (Status.NOT_STARTED, Status.LIMITED, Status.SUBSTANTIAL, Status.COMPLETE)
# For "in progress": the two points it may mean come first.
AMBIGUOUS_ORDER = (Status.LIMITED, Status.SUBSTANTIAL, Status.NOT_STARTED, Status.COMPLETE)


def callback_data(flow: Flow, action: Action, arg: object = "") -> str:
    return f"{PREFIX}:{flow.token}:{action.value}:{arg}"


# Actions whose argument is a database id or a page number.
NUMBERED = frozenset({Action.COMMITMENT, Action.MILESTONE, Action.PAGE, Action.ACTION_ITEM})


def parse_press(data: str | None) -> Press | None:
    """A button's data, or None for anything this flow never made."""
    parts = (data or "").split(":")
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    try:
        action = Action(parts[2])
    except ValueError:
        return None
    if action in NUMBERED and not is_row_id(parts[3]):
        return None  # forged: no id the database could hold (an expired button, to them)
    return Press(token=parts[1], action=action, arg=parts[3])


def _label(text: str) -> str:
    """A button label: one line, cut at a word boundary when it is too long."""
    text = " ".join(text.split())
    if len(text) <= LABEL_LIMIT:
        return text
    cut = text[: LABEL_LIMIT - 1]
    space = cut.rfind(" ", LABEL_LIMIT // 2)
    return (cut[:space] if space > 0 else cut).rstrip(" ,;:-–—") + "…"


def _button(text: str, flow: Flow, action: Action, arg: object = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(_label(text), callback_data=callback_data(flow, action, arg))


def _controls(t: Translator, flow: Flow, *, back: bool) -> list[InlineKeyboardButton]:
    row = [_button(t("update.button.back"), flow, Action.BACK)] if back else []
    return [*row, _button(t("update.button.cancel"), flow, Action.CANCEL)]


def _paged(
    flow: Flow, buttons: list[InlineKeyboardButton], page: int
) -> tuple[list[list[InlineKeyboardButton]], int]:
    """One button a row, PAGE_SIZE a page, with ‹ n/N › under them when needed."""
    pages = max(1, -(-len(buttons) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = [[b] for b in buttons[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    if pages > 1:
        nav = [_button(f"{page + 1}/{pages}", flow, Action.PAGE, page)]
        if page > 0:
            nav.insert(0, _button("‹", flow, Action.PAGE, page - 1))
        if page < pages - 1:
            nav.append(_button("›", flow, Action.PAGE, page + 1))
        rows.append(nav)
    return rows, page


async def screen(scope: GroupScope, flow: Flow) -> Screen:
    """The flow's current step, drawn from the database as it is now."""
    t = scope.t
    if flow.step is Step.COMMITMENT:
        choices = await commitments_with_milestones(session=scope.session, group=scope.group)
        actions = await open_actions(session=scope.session, group_id=scope.group.id)
        if not choices and not actions:
            return Screen(t("update.flow.no_milestones"))
        buttons = [
            _button(f"{c.number}. {c.title}", flow, Action.COMMITMENT, c.id) for c in choices
        ]
        rows, flow.commitment_page = _paged(flow, buttons, flow.commitment_page)
        if actions:  # open action items are updated like milestones
            rows.append(
                [_button(t("action.flow.button", count=len(actions)), flow, Action.ACTIONS)]
            )
        rows.append(_controls(t, flow, back=False))
        return Screen(t("update.flow.pick_commitment"), InlineKeyboardMarkup(rows))
    if flow.step is Step.MILESTONE:
        found = await current_milestones(
            session=scope.session, group=scope.group, commitment_id=flow.commitment_id or 0
        )
        if found is None:
            flow.step = Step.COMMITMENT
            return await screen(scope, flow)
        commitment, milestones = found
        buttons = [_milestone_button(flow, m) for m in milestones]
        rows, flow.milestone_page = _paged(flow, buttons, flow.milestone_page)
        rows.append(_controls(t, flow, back=True))
        text = t(
            "update.flow.pick_milestone", number=esc(commitment.number), title=esc(commitment.title)
        )
        return Screen(text, InlineKeyboardMarkup(rows))
    if flow.step is Step.ACTIONS:
        actions = await open_actions(session=scope.session, group_id=scope.group.id)
        buttons = [
            _button(f"{STATUS_MARK[a.status]} {a.label} {a.text}", flow, Action.ACTION_ITEM, a.id)
            for a in actions
        ]
        rows, flow.milestone_page = _paged(flow, buttons, flow.milestone_page)
        rows.append(_controls(t, flow, back=True))
        return Screen(t("action.flow.pick"), InlineKeyboardMarkup(rows))
    milestone = await _target(scope, flow)
    if milestone is None:
        flow.step = Step.COMMITMENT
        return await screen(scope, flow)
    if flow.step is Step.STATUS:
        return _status_screen(t, flow, milestone)
    text = t(
        "update.flow.ask_note",
        number=esc(milestone.number),
        title=esc(milestone.title),
        status=status_label(t, flow.status or milestone.status),
    )
    rows = [[_button(t("update.button.skip"), flow, Action.SKIP)], _controls(t, flow, back=True)]
    return Screen(text, InlineKeyboardMarkup(rows))


def _milestone_button(flow: Flow, m: Choice) -> InlineKeyboardButton:
    mark = STATUS_MARK[m.status or Status.NOT_STARTED]
    return _button(f"{mark} {m.number} {m.title}", flow, Action.MILESTONE, m.id)


def _status_screen(t: Translator, flow: Flow, milestone: Milestone | ActionTarget) -> Screen:
    order = AMBIGUOUS_ORDER if flow.ambiguous_word else SCALE_ORDER
    buttons = [
        _button(f"{STATUS_MARK[s]} {status_label(t, s)}", flow, Action.STATUS, s.value)
        for s in (*order, Status.WITHDRAWN)
    ]
    rows = [buttons[0:2], buttons[2:4], buttons[4:], _controls(t, flow, back=True)]
    facts = {
        "number": esc(milestone.number),
        "title": esc(milestone.title),
        "status": status_label(t, milestone.status),
    }
    if flow.ambiguous_word:
        text = t("update.ambiguous", word=esc(flow.ambiguous_word), **facts)
    else:
        text = t("update.flow.pick_status", **facts)
    return Screen(text, InlineKeyboardMarkup(rows))


async def _milestone(scope: GroupScope, flow: Flow) -> Milestone | None:
    """The flow's milestone if it is still part of the plan."""
    if flow.milestone_id is None:
        return None
    milestone = await milestone_by_id(
        session=scope.session, group=scope.group, milestone_id=flow.milestone_id
    )
    return None if milestone is None or milestone.archived else milestone


@dataclasses.dataclass(frozen=True)
class ActionTarget:
    """An action item as the flow's status and note screens show it."""

    id: int
    number: str  # A3
    title: str
    status: Status


async def _target(scope: GroupScope, flow: Flow) -> Milestone | ActionTarget | None:
    """The flow's milestone, or its open action item, if it is still there."""
    if flow.action_id is None:
        return await _milestone(scope, flow)
    item = await action_by_id(
        session=scope.session, group_id=scope.group.id, action_id=flow.action_id
    )
    if item is None:
        return None
    return ActionTarget(id=item.id, number=label(item.number), title=item.text, status=item.status)


async def _finish_action(scope: GroupScope, flow: Flow) -> Screen:
    item = await action_by_id(
        session=scope.session, group_id=scope.group.id, action_id=flow.action_id or 0
    )
    if item is None or flow.status is None:
        return Screen(scope.t("update.flow.gone"))
    was = item.status
    await record_action_update(
        session=scope.session,
        item=item,
        member=scope.member,
        status=flow.status,
        note=flow.note,
        evidence_url=flow.evidence_url,
        now=scope.now,
    )
    scope.schedule_changed()
    text = render_recorded(
        scope.t,
        number=label(item.number),
        title=item.text,
        status=flow.status,
        was=was,
        reporter=reporter_name(scope.member),
        evidence_url=flow.evidence_url,
    )
    return Screen(text)


async def confirm_update(
    scope: GroupScope,
    milestone: Milestone,
    status: Status,
    note: str | None,
    evidence_url: str | None,
) -> str:
    """Record one update from this scope's member; the confirmation to show."""
    was = milestone.status
    await record_update(
        session=scope.session,
        milestone=milestone,
        member=scope.member,
        status=status,
        note=note,
        evidence_url=evidence_url,
        now=scope.now,
    )
    return render_recorded(
        scope.t,
        number=milestone.number,
        title=milestone.title,
        status=status,
        was=was,
        reporter=reporter_name(scope.member),
        evidence_url=evidence_url,
    )


async def finish(scope: GroupScope, flows: Flows, flow: Flow) -> Screen:
    """Record what the flow collected and end it; a milestone gone meanwhile ends it too."""
    flows.end(flow)
    if flow.action_id is not None:
        return await _finish_action(scope, flow)
    milestone = await _milestone(scope, flow)
    if milestone is None or flow.status is None:
        return Screen(scope.t("update.flow.gone"))
    text = await confirm_update(scope, milestone, flow.status, flow.note, flow.evidence_url)
    return Screen(text)


async def on_press(scope: GroupScope, flows: Flows, flow: Flow, press: Press) -> Screen:
    """Move the flow one step for a pressed button; the message's new content."""
    if press.action is Action.CANCEL:
        flows.end(flow)
        return Screen(scope.t("update.flow.cancelled"))
    if press.action is Action.BACK:
        flow.ambiguous_word = None
        flow.step = {
            Step.NOTE: Step.STATUS,
            Step.STATUS: Step.ACTIONS if flow.action_id is not None else Step.MILESTONE,
            Step.MILESTONE: Step.COMMITMENT,
            Step.ACTIONS: Step.COMMITMENT,
        }.get(flow.step, Step.COMMITMENT)
    elif press.action is Action.PAGE and press.arg.isdigit():
        if flow.step is Step.COMMITMENT:
            flow.commitment_page = int(press.arg)
        else:
            flow.milestone_page = int(press.arg)
    elif press.action is Action.COMMITMENT and press.arg.isdigit():
        flow.commitment_id, flow.milestone_page = int(press.arg), 0
        flow.step = Step.MILESTONE
    elif press.action is Action.MILESTONE and press.arg.isdigit():
        flow.milestone_id, flow.action_id = int(press.arg), None
        flow.step = Step.STATUS
    elif press.action is Action.ACTIONS and flow.step is Step.COMMITMENT:
        flow.step, flow.milestone_page = Step.ACTIONS, 0
    elif press.action is Action.ACTION_ITEM and press.arg.isdigit():
        flow.action_id, flow.milestone_id = int(press.arg), None
        flow.step = Step.STATUS
    elif press.action is Action.STATUS and press.arg in Status.__members__.values():
        flow.status = Status(press.arg)
        if flow.note_given:
            return await finish(scope, flows, flow)
        flow.step = Step.NOTE
    elif press.action is Action.SKIP and flow.step is Step.NOTE:
        flow.note, flow.evidence_url = None, None
        return await finish(scope, flows, flow)
    return await screen(scope, flow)
