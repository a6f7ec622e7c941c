"""/iam and /coordinator: who belongs to which agency, and who coordinates."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.context import WGContext
from bot.edge import GroupScope, Handler, command, in_linked_group, reply
from bot.i18n import Translator
from bot.parsing import Invalid, UserRef, parse_coordinator
from bot.render import esc
from bot.roles import ADMIN_STATUSES, RoleLookupFailed, is_chat_admin
from domain.enums import Role
from storage.groups import get_or_create_member
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
        await reply(update, usage)
        return
    agencies = await agencies_of(session=scope.session, group_id=scope.group.id)
    found = match_agencies(text, agencies)
    if len(found) == 1:
        set_agency(member=scope.member, agency=found[0])
        await reply(update, t("people.iam_set", agency=_agency_line(found[0])))
    elif not found:
        if not agencies:
            await reply(update, t("people.iam_no_agencies"))
        else:
            await reply(update, t("people.iam_unknown", text=esc(text), codes=_codes(agencies)))
    elif len(found) <= MAX_BUTTONS:
        keyboard = InlineKeyboardMarkup([_button(a, scope.user.id) for a in found])
        await reply(update, t("people.iam_which", text=esc(text)), reply_markup=keyboard)
    else:
        lines = "\n".join(_agency_line(a) for a in found)
        await reply(update, t("people.iam_which_list", text=esc(text), agencies=lines))


@in_linked_group
async def iam_choice(update: Update, context: WGContext, scope: GroupScope) -> None:
    """A press on one of the agencies /iam offered."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    agency_id, _, asker = query.data.removeprefix(IAM_PREFIX).partition(":")
    if not (agency_id.isdigit() and asker.isdigit()):
        await query.answer()
        return
    if int(asker) != scope.user.id:
        await query.answer(scope.t("people.iam_not_yours"), show_alert=True)
        return
    agency = await agency_by_id(
        session=scope.session, group_id=scope.group.id, agency_id=int(agency_id)
    )
    if agency is None:
        await query.answer(scope.t("people.iam_gone"), show_alert=True)
        return
    set_agency(member=scope.member, agency=agency)
    await query.answer()
    await query.edit_message_text(scope.t("people.iam_set", agency=_agency_line(agency)))


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


async def _target(
    update: Update, context: WGContext, scope: GroupScope, ref: UserRef | None, grant: bool
) -> Member | Invalid:
    """The member a /coordinator command is about, or why not."""
    if ref is None:
        replied = _replied_to(update)
        who = replied.from_user if replied else None
        if who is None:
            return Invalid("cmd.coordinator.usage_help")
        if who.is_bot:
            return Invalid("people.coordinator_bot")
        return await get_or_create_member(
            session=scope.session,
            group=scope.group,
            telegram_user_id=who.id,
            now=scope.now,
            full_name=who.full_name,
            username=who.username,
        )
    if ref.username is not None:
        found = await member_by_username(
            session=scope.session, group_id=scope.group.id, username=ref.username
        )
        if found is None:
            return Invalid("people.coordinator_unknown_username", {"username": ref.username})
        return found
    assert ref.user_id is not None
    found = await member_by_user_id(
        session=scope.session, group_id=scope.group.id, telegram_user_id=ref.user_id
    )
    if found is not None:
        return found
    if not grant:
        return Invalid("people.coordinator_not_known")
    # Someone the bot has not seen yet: Telegram tells us whether they are in this chat.
    try:
        member = await context.bot.get_chat_member(scope.chat_id, ref.user_id)
    except BadRequest:
        return Invalid("people.coordinator_unknown_id")
    except TelegramError:
        return Invalid("people.coordinator_lookup_failed")
    if member.user.is_bot:
        return Invalid("people.coordinator_bot")
    if member.status not in (*ADMIN_STATUSES, "member", "restricted"):
        return Invalid("people.coordinator_unknown_id")
    return await get_or_create_member(
        session=scope.session,
        group=scope.group,
        telegram_user_id=ref.user_id,
        now=scope.now,
        full_name=member.user.full_name,
        username=member.user.username,
    )


async def _coordinator(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Grant or take the coordinator role: by reply, @username or numeric id."""
    change = parse_coordinator(context.args or [], is_reply=_replied_to(update) is not None)
    if isinstance(change, Invalid):
        await reply(update, scope.t(change.key))
        return
    # Start from Telegram's current word on every administrator of this chat.
    context.deps.admin_cache.forget(scope.chat_id)
    target = await _target(update, context, scope, change.target, change.grant)
    if isinstance(target, Invalid):
        await reply(update, scope.t(target.key, **{k: esc(v) for k, v in target.values.items()}))
        return
    name = _name(scope.t, target)
    if change.grant:
        key = "people.coordinator_granted"
        if not set_role(member=target, role=Role.COORDINATOR):
            key = "people.coordinator_already"
        context.deps.admin_cache.forget(scope.chat_id)
        await reply(update, scope.t(key, name=name))
        return
    try:
        admin = await is_chat_admin(
            bot=context.bot,
            cache=context.deps.admin_cache,
            chat_id=scope.chat_id,
            user_id=target.telegram_user_id,
            now=scope.now,
        )
    except RoleLookupFailed:
        await reply(update, scope.t("people.coordinator_lookup_failed"))
        return
    removed = set_role(member=target, role=Role.MEMBER)
    context.deps.admin_cache.forget(scope.chat_id)
    yourself = target.id == scope.member.id
    if admin:
        key = "people.coordinator_admin_removed" if removed else "people.coordinator_admin"
    elif not removed:
        key = "people.coordinator_not_granted"
    else:
        key = "people.coordinator_removed_self" if yourself else "people.coordinator_removed"
    await reply(update, scope.t(key, name=name))


coordinator: Handler = in_linked_group(coordinator_only=True)(_coordinator)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(command("iam", iam))
    app.add_handler(CallbackQueryHandler(iam_choice, pattern=f"^{IAM_PREFIX}"))
    app.add_handler(command("coordinator", coordinator))
