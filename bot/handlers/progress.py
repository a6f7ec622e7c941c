"""/update and /history: recording progress on a milestone and reading it back."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, command, in_linked_group
from bot.flows import PREFIX, Flow, Flows
from bot.handlers.actions import history_action, update_action
from bot.progress_render import render_history, render_unknown_status
from bot.render import esc
from bot.update_flow import (
    confirm_update,
    finish,
    on_press,
    parse_press,
    screen,
)
from domain.clock import Clock
from domain.status_words import (
    Ambiguous,
    Unknown,
    UsageError,
    clean_note,
    evidence_url,
    parse_update,
)
from storage.actions import parse_label
from storage.progress import find_milestone, history

# A few messages at most, whatever the history: the group allows 20 messages a minute.
HISTORY_LIMIT = 15


def _arguments(message: Message) -> str:
    """The text after `/update` or `/update@bot`, spacing and line breaks kept."""
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) == 2 else ""


async def _show_menu(scope: GroupScope, flows: Flows, flow: Flow) -> None:
    """Send the flow's first screen and remember which message carries its buttons."""
    shown = await screen(scope, flow)
    if shown.keyboard is None:
        flows.end(flow)

    def remember(sent: Message) -> None:
        flow.message_id = sent.message_id

    scope.reply(shown.text, reply_markup=shown.keyboard, then=remember)


@in_linked_group
async def update_command(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Record progress on a milestone, or start the guided flow when sent alone."""
    message = update.effective_message
    assert message is not None
    flows = context.deps.flows
    arguments = _arguments(message)
    if not arguments.strip():
        flow = flows.start(
            chat_id=scope.chat_id,
            user_id=scope.user.id,
            user_name=scope.user.full_name,
            now=scope.now,
        )
        await _show_menu(scope, flows, flow)
        return
    parsed = parse_update(arguments)
    if isinstance(parsed, UsageError):
        scope.reply(scope.t("cmd.update.usage_help"))
        return
    milestone = await find_milestone(
        session=scope.session, group=scope.group, number=parsed.milestone
    )
    if milestone is None and (action := parse_label(parsed.milestone)) is not None:
        await update_action(scope, flows, action, parsed)
        return
    if milestone is None:
        scope.reply(scope.t("update.not_found", number=esc(parsed.milestone)))
        return
    if milestone.archived:
        scope.reply(scope.t("update.archived", number=esc(milestone.number)))
        return
    if isinstance(parsed.status, Unknown):
        scope.reply(render_unknown_status(scope.t, parsed.status.word))
        return
    if isinstance(parsed.status, Ambiguous):
        flow = flows.start(
            chat_id=scope.chat_id,
            user_id=scope.user.id,
            user_name=scope.user.full_name,
            now=scope.now,
        )
        flow.ask_status(
            milestone, word=parsed.status.word, note=parsed.note, evidence_url=parsed.evidence_url
        )
        await _show_menu(scope, flows, flow)
        return
    text = await confirm_update(scope, milestone, parsed.status, parsed.note, parsed.evidence_url)
    scope.reply(text)


@in_linked_group
async def update_button(update: Update, context: WGContext, scope: GroupScope) -> None:
    """A button of the guided flow: expired, someone else's, or the next step."""
    query = update.callback_query
    assert query is not None
    flows = context.deps.flows
    press = parse_press(query.data)
    flow = flows.get(press.token, scope.now) if press else None
    menu = query.message if isinstance(query.message, Message) else None
    if (
        press is None
        or flow is None
        or flow.chat_id != scope.chat_id
        or menu is None
        or flow.message_id != menu.message_id
    ):
        scope.answers.answer_query(scope.t("update.flow.expired"))
        return
    if flow.user_id != scope.user.id:
        scope.answers.answer_query(scope.t("update.flow.not_yours", name=flow.user_name))
        return
    shown = await on_press(scope, flows, flow, press)
    scope.answers.edit(menu, shown.text, reply_markup=shown.keyboard)
    scope.answers.answer_query()


@in_linked_group
async def update_note(update: Update, context: WGContext, scope: GroupScope) -> None:
    """The note of a guided update, typed as a reply to the flow's message."""
    message = update.effective_message
    assert message is not None
    flows = context.deps.flows
    flow = flows.awaiting_note(scope.chat_id, scope.user.id, scope.now)
    if flow is None:
        return
    flow.note = clean_note(message.text)
    flow.evidence_url = evidence_url(flow.note)
    shown = await finish(scope, flows, flow)
    if flow.message_id is not None:
        scope.answers.clear_buttons(scope.chat_id, flow.message_id)
    scope.reply(shown.text)


@in_linked_group
async def history_command(update: Update, context: WGContext, scope: GroupScope) -> None:
    """The updates of one milestone, newest first."""
    args = context.args or []
    if len(args) != 1:
        scope.reply(scope.t("cmd.history.usage_help"))
        return
    number = args[0].strip().rstrip(".")
    view = await history(
        session=scope.session, group=scope.group, number=number, limit=HISTORY_LIMIT
    )
    if view is None and (action := parse_label(number)) is not None:
        await history_action(scope, action, HISTORY_LIMIT)
        return
    if view is None:
        scope.reply(scope.t("update.not_found", number=esc(number)))
        return
    scope.reply(render_history(scope.t, view, scope.tz))


class _AwaitingNote(filters.MessageFilter):
    """A text from someone whose guided update waits for its note (here, or as a reply)."""

    def __init__(self, flows: Flows, clock: Clock) -> None:
        super().__init__(name="awaiting_update_note")
        self.flows = flows
        self.clock = clock

    def filter(self, message: Message) -> bool:
        if message.from_user is None:
            return False
        flow = self.flows.awaiting_note(message.chat_id, message.from_user.id, self.clock.now())
        if flow is None:
            return False
        target = message.reply_to_message
        if target is None:
            # In a group, later chatter must never become a progress report: only a
            # reply to the flow's message is its note. A private chat has no chatter.
            return message.chat.type == ChatType.PRIVATE
        return target.message_id == flow.message_id


def register(app: WGApplication) -> None:
    deps = app.deps
    # New messages only: editing a sent /update must not record a second report.
    app.add_handler(command("update", update_command))
    app.add_handler(command("history", history_command))
    app.add_handler(CallbackQueryHandler(update_button, pattern=f"^{PREFIX}:"))
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.TEXT
            & ~filters.COMMAND
            & _AwaitingNote(deps.flows, deps.clock),
            update_note,
        )
    )
