"""/iam and /coordinator: who belongs to which agency, and who coordinates."""

from __future__ import annotations

import dataclasses

from telegram import (
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, Handler, command, in_linked_group
from bot.i18n import Translator
from bot.parsing import CoordinatorChange, Invalid, UserRef, is_row_id, parse_coordinator
from bot.render import esc, inline
from bot.roles import ADMIN_STATUSES
from domain.enums import Role
from storage.db import transaction
from storage.groups import get_or_create_member, group_for_chat
from storage.members import (
    agencies_of,
    agency_by_id,
    match_agencies,
    member_agency,
    member_by_user_id,
    member_by_username,
    set_agency,
    set_role,
)
from storage.models import Agency, Member

# More matches than this are listed as text instead of offered as buttons.
MAX_BUTTONS = 8
BUTTON_TEXT = 60
IAM_PREFIX = "iam:"
IAM_MAX = 200  # characters of /iam text worth matching
SHOWN_MAX = 80  # characters of it echoed back


def _agency_line(agency: Agency) -> str:
    return f"<b>{esc(agency.code)}</b> — {esc(agency.name)}"


def _button(agency: Agency, user_id: int) -> list[InlineKeyboardButton]:
    label = f"{agency.code} — {agency.name}"
    if len(label) > BUTTON_TEXT:
        label = label[: BUTTON_TEXT - 1] + "…"
    # Whose question it is travels in the data (never shown), so only they can answer.
    return [InlineKeyboardButton(label, callback_data=f"{IAM_PREFIX}{agency.id}:{user_id}")]


def _codes(agencies: list[Agency]) -> str:
    return ", ".join(f"<code>{esc(a.code)}</code>" for a in agencies)


@in_linked_group
async def iam(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Say which agency or organisation you belong to, by code or name."""
    text = " ".join(context.args or [])
    t = scope.t
    if not text.strip():
        current = await member_agency(session=scope.session, member=scope.member)
        usage = t("cmd.iam.usage_help")
        if current is not None:
            usage = t("people.iam_current", agency=_agency_line(current)) + "\n\n" + usage
        scope.reply(usage)
        return
    agencies = await agencies_of(session=scope.session, group_id=scope.group.id)
    # Fuzzy matching costs with the text's length: longer than any agency's name or code
    # could be, it matches nothing (and is not worth the event loop's time).
    found = match_agencies(text, agencies) if len(text) <= IAM_MAX else []
    shown = inline(text, SHOWN_MAX)  # escaped
    if len(found) == 1:
        set_agency(member=scope.member, agency=found[0])
        scope.reply(t("people.iam_set", agency=_agency_line(found[0])))
    elif not found:
        if not agencies:
            scope.reply(t("people.iam_no_agencies"))
        else:
            scope.reply(t("people.iam_unknown", text=shown, codes=_codes(agencies)))
    elif len(found) <= MAX_BUTTONS:
        keyboard = InlineKeyboardMarkup([_button(a, scope.user.id) for a in found])
        scope.reply(t("people.iam_which", text=shown), reply_markup=keyboard)
    else:
        lines = "\n".join(_agency_line(a) for a in found)
        scope.reply(t("people.iam_which_list", text=shown, agencies=lines))


@in_linked_group
async def iam_choice(update: Update, context: WGContext, scope: GroupScope) -> None:
    """A press on one of the agencies /iam offered."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    agency_id, _, asker = query.data.removeprefix(IAM_PREFIX).partition(":")
    if not (is_row_id(agency_id) and is_row_id(asker)):
        # Not a button this bot made (or a forged one): as for a choice no longer there.
        scope.answers.answer_query(scope.t("people.iam_gone"), show_alert=True)
        return
    if int(asker) != scope.user.id:
        scope.answers.answer_query(scope.t("people.iam_not_yours"), show_alert=True)
        return
    agency = await agency_by_id(
        session=scope.session, group_id=scope.group.id, agency_id=int(agency_id)
    )
    if agency is None:
        scope.answers.answer_query(scope.t("people.iam_gone"), show_alert=True)
        return
    set_agency(member=scope.member, agency=agency)
    scope.answers.answer_query()
    if isinstance(query.message, Message):
        scope.answers.edit(query.message, scope.t("people.iam_set", agency=_agency_line(agency)))


def _name(t: Translator, member: Member) -> str:
    """How a member is shown in the group: @username or name, never the Telegram id."""
    if member.username:
        return "@" + esc(member.username)
    return esc(member.full_name) if member.full_name else t("people.that_user")


def _replied_to(update: Update) -> Message | None:
    """The message a command answers; in a forum topic, not the topic's opening message."""
    message = update.effective_message
    replied = message.reply_to_message if message else None
    if message is None or replied is None:
        return None
    if message.is_topic_message and replied.message_id == message.message_thread_id:
        return None  # Telegram marks every message in a topic as a reply to its start
    return replied


@dataclasses.dataclass(frozen=True)
class _TargetFacts:
    """What Telegram says of the user a /coordinator command is about, asked before the
    transaction: their chat member record, or why there is none."""

    change: CoordinatorChange | Invalid
    user_id: int | None = None
    replied_to: User | None = None  # the author of the message the command answers
    chat_member: ChatMember | None = None
    failure: str | None = None  # a catalog key


async def _target_user_id(
    update: Update, context: WGContext, ref: UserRef | None
) -> int | Invalid | None:
    """The Telegram id a /coordinator command names; None for an unknown @username."""
    if ref is None:
        replied = _replied_to(update)
        who = replied.from_user if replied else None
        if who is None:
            return Invalid("cmd.coordinator.usage_help")
        return Invalid("people.coordinator_bot") if who.is_bot else who.id
    if ref.user_id is not None:
        return ref.user_id
    assert ref.username is not None
    chat, sender = update.effective_chat, update.effective_user
    if sender is not None and (sender.username or "").lower() == ref.username.lower():
        return sender.id  # oneself, perhaps before the bot has stored one's name
    if chat is None:
        return None
    # A short read of its own, closed before Telegram is asked anything.
    async with transaction(context.deps.sessionmaker) as session:
        group = await group_for_chat(session=session, chat_id=chat.id)
        found = (
            await member_by_username(session=session, group_id=group.id, username=ref.username)
            if group is not None
            else None
        )
        return found.telegram_user_id if found is not None else None


async def _look_up_target(update: Update, context: WGContext) -> _TargetFacts:
    """Before the transaction: who the target is, and Telegram's current word on them."""
    change = parse_coordinator(context.args or [], is_reply=_replied_to(update) is not None)
    chat = update.effective_chat
    if isinstance(change, Invalid) or chat is None:
        return _TargetFacts(change)
    user_id = await _target_user_id(update, context, change.target)
    if isinstance(user_id, Invalid):
        return _TargetFacts(user_id)
    if user_id is None:
        return _TargetFacts(change)
    replied = _replied_to(update) if change.target is None else None
    who = replied.from_user if replied is not None else None
    # Start from Telegram's current word on every administrator of this chat.
    context.deps.admin_cache.forget(chat.id)
    try:
        chat_member = await context.bot.get_chat_member(chat.id, user_id)
    except BadRequest:
        return _TargetFacts(change, user_id, who, failure="people.coordinator_unknown_id")
    except TelegramError:
        return _TargetFacts(change, user_id, who, failure="people.coordinator_lookup_failed")
    return _TargetFacts(change, user_id, who, chat_member)


async def _target(
    scope: GroupScope, facts: _TargetFacts, change: CoordinatorChange
) -> Member | Invalid:
    """The member a /coordinator command is about, or why not."""
    ref, chat_member = change.target, facts.chat_member
    if ref is not None and ref.username is not None and facts.user_id is None:
        return Invalid("people.coordinator_unknown_username", {"username": ref.username})
    assert facts.user_id is not None
    if chat_member is not None and chat_member.user.is_bot:
        return Invalid("people.coordinator_bot")
    if facts.replied_to is not None:
        who = facts.replied_to
        return await get_or_create_member(
            session=scope.session,
            group=scope.group,
            telegram_user_id=who.id,
            now=scope.now,
            full_name=who.full_name,
            username=who.username,
        )
    found = await member_by_user_id(
        session=scope.session, group_id=scope.group.id, telegram_user_id=facts.user_id
    )
    if found is not None:
        return found
    if ref is not None and not change.grant:
        return Invalid("people.coordinator_not_known")
    if facts.failure is not None:
        return Invalid(facts.failure)
    # Someone the bot has not seen yet: Telegram told us whether they are in this chat.
    if chat_member is None or chat_member.status not in (*ADMIN_STATUSES, "member", "restricted"):
        return Invalid("people.coordinator_unknown_id")
    return await get_or_create_member(
        session=scope.session,
        group=scope.group,
        telegram_user_id=facts.user_id,
        now=scope.now,
        full_name=chat_member.user.full_name,
        username=chat_member.user.username,
    )


async def _coordinator(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Grant or take the coordinator role: by reply, @username or numeric id."""
    facts = scope.looked_up
    assert isinstance(facts, _TargetFacts)
    change = facts.change
    if isinstance(change, Invalid):
        scope.reply(scope.t(change.key))
        return
    target = await _target(scope, facts, change)
    if isinstance(target, Invalid):
        scope.reply(scope.t(target.key, **{k: esc(v) for k, v in target.values.items()}))
        return
    name = _name(scope.t, target)
    context.deps.admin_cache.forget(scope.chat_id)
    if change.grant:
        key = "people.coordinator_granted"
        if not set_role(member=target, role=Role.COORDINATOR):
            key = "people.coordinator_already"
        scope.reply(scope.t(key, name=name))
        return
    if facts.chat_member is None:
        scope.reply(scope.t("people.coordinator_lookup_failed"))
        return
    admin = facts.chat_member.status in ADMIN_STATUSES
    removed = set_role(member=target, role=Role.MEMBER)
    yourself = target.id == scope.member.id
    if admin:
        key = "people.coordinator_admin_removed" if removed else "people.coordinator_admin"
    elif not removed:
        key = "people.coordinator_not_granted"
    else:
        key = "people.coordinator_removed_self" if yourself else "people.coordinator_removed"
    scope.reply(scope.t(key, name=name))


coordinator: Handler = in_linked_group(coordinator_only=True, lookup=_look_up_target)(_coordinator)


def register(app: WGApplication) -> None:
    app.add_handler(command("iam", iam))
    app.add_handler(CallbackQueryHandler(iam_choice, pattern=f"^{IAM_PREFIX}"))
    app.add_handler(command("coordinator", coordinator))
