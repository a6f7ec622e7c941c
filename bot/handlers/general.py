"""/start, /help and commands the bot does not know."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.commands import commands_for
from bot.context import WGApplication, WGContext
from bot.edge import admin_of, command, is_private, own_language, reply
from bot.i18n import Translator, translator
from bot.render import esc
from domain.enums import Role
from storage.db import transaction
from storage.groups import group_for_chat, mark_private_chat
from storage.members import language_of_user, member_by_user_id


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
    private = is_private(update)
    member = None
    async with transaction(context.deps.sessionmaker) as session:
        if private:
            chosen = None
            if user is not None:
                await mark_private_chat(session=session, telegram_user_id=user.id)
                chosen = await language_of_user(session=session, telegram_user_id=user.id)
            t = translator(chosen or (user.language_code if user else None))
            text = t("start.private")
            group = None
        else:
            group = await group_for_chat(session=session, chat_id=chat.id)
            t = translator(group.language if group else context.deps.default_language)
            text = t("start.group", name=esc(group.name)) if group else ""
            if group is not None and user is not None:
                member = await member_by_user_id(
                    session=session, group_id=group.id, telegram_user_id=user.id
                )
    if not private and group is None:
        await reply(update, t("start.unlinked", chat_id=chat.id))
        return
    if with_commands:
        coordinator = False
        if user is not None and not private:
            # After the read, outside it: a failed look-up just shows the member's list.
            granted = member is not None and member.role is Role.COORDINATOR
            coordinator = granted or await admin_of(update, context, chat.id, user.id) is True
        listing = _command_list(t, coordinator=coordinator, private=private)
        text = "\n\n".join([text, t("help.header"), listing])
    else:
        text = "\n\n".join([text, t("start.more")])
    await reply(update, text)


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
    user = update.effective_user
    language = None
    if not is_private(update) and update.effective_chat is not None:
        async with transaction(context.deps.sessionmaker) as session:
            group = await group_for_chat(session=session, chat_id=update.effective_chat.id)
            if group is None:
                return
            language = group.language
    elif user is not None:
        language = await own_language(context, user.id, user.language_code)
    t = translator(language)
    await reply(update, t("unknown_command", command=esc(command.split("@")[0])))


def register(app: WGApplication) -> None:
    app.add_handler(command("start", start))
    app.add_handler(command("help", help_command))


def register_fallback(app: WGApplication) -> None:
    """Registered after every command: in one handler group only the first match runs."""
    app.add_handler(MessageHandler(filters.COMMAND & filters.UpdateType.MESSAGE, unknown_command))
