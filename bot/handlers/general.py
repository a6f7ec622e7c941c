"""/start, /help and commands the bot does not know."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update, User
from telegram.ext import Application, MessageHandler, filters

from bot.commands import commands_for
from bot.context import WGContext
from bot.edge import command, is_private, reply
from bot.i18n import Translator, translator
from bot.render import esc
from bot.roles import RoleLookupFailed, is_coordinator
from storage.db import transaction
from storage.groups import get_or_create_member, group_for_chat, mark_private_chat
from storage.models import WorkingGroup


def _command_list(t: Translator, *, coordinator: bool, private: bool) -> str:
    lines = [
        f"{t(spec.usage_key)} — {t(spec.description_key)}"
        for spec in commands_for(coordinator=coordinator, private=private)
    ]
    return "\n".join(lines)


async def start(update: Update, context: WGContext) -> None:
    """What the bot does here, or how to link this chat to a working group."""
    await _introduce(update, context, with_commands=False)


async def help_command(update: Update, context: WGContext) -> None:
    """The commands this user may use here."""
    await _introduce(update, context, with_commands=True)


async def _introduce(update: Update, context: WGContext, *, with_commands: bool) -> None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None:
        return
    coordinator = False
    async with transaction(context.deps.sessionmaker) as session:
        if is_private(update):
            if user is not None:
                await mark_private_chat(session=session, telegram_user_id=user.id)
            t = translator(user.language_code if user else None)
            text = t("start.private")
        else:
            group = await group_for_chat(session=session, chat_id=chat.id)
            if group is None:
                t = translator(context.deps.settings.language)
                await reply(update, t("start.unlinked", chat_id=chat.id))
                return
            t = translator(group.language)
            text = t("start.group", name=esc(group.name))
            if with_commands and user is not None:
                coordinator = await _is_coordinator(context, session, group, chat.id, user)
    if with_commands:
        listing = _command_list(t, coordinator=coordinator, private=is_private(update))
        text = "\n\n".join([text, t("help.header"), listing])
    else:
        text = "\n\n".join([text, t("start.more")])
    await reply(update, text)


async def _is_coordinator(
    context: WGContext, session: AsyncSession, group: WorkingGroup, chat_id: int, user: User
) -> bool:
    """For /help only: a failed look-up just shows the member's list."""
    member = await get_or_create_member(
        session=session,
        group=group,
        telegram_user_id=user.id,
        now=context.deps.clock.now(),
        full_name=user.full_name,
        username=user.username,
    )
    try:
        return await is_coordinator(
            bot=context.bot,
            cache=context.deps.admin_cache,
            chat_id=chat_id,
            member=member,
            now=context.deps.clock.now(),
        )
    except RoleLookupFailed:
        return False


async def unknown_command(update: Update, context: WGContext) -> None:
    """A command the bot does not know: answered in private chats and when addressed by name."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    command = message.text.split()[0]
    addressed = (
        "@" in command and command.split("@", 1)[1].lower() == (context.bot.username or "").lower()
    )
    if not (is_private(update) or addressed):
        # In a shared group, other bots' commands are none of our business.
        return
    language = update.effective_user.language_code if update.effective_user else None
    if not is_private(update) and update.effective_chat is not None:
        async with transaction(context.deps.sessionmaker) as session:
            group = await group_for_chat(session=session, chat_id=update.effective_chat.id)
            if group is None:
                return
            language = group.language
    t = translator(language)
    await reply(update, t("unknown_command", command=esc(command.split("@")[0])))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(command("start", start))
    app.add_handler(command("help", help_command))


def register_fallback(app: Application) -> None:  # type: ignore[type-arg]
    """Registered after every command: in one handler group only the first match runs."""
    app.add_handler(MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, unknown_command))
