"""The command menu Telegram clients show, in every shipped language and per scope."""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)

from bot.commands import commands_for
from bot.i18n import translator
from domain.enums import Language

# Group members see what members may do; chat administrators (coordinators) everything;
# a private chat only what answers there.
SCOPES: tuple[tuple[BotCommandScope, bool, bool], ...] = (
    (BotCommandScopeAllGroupChats(), False, False),
    (BotCommandScopeAllChatAdministrators(), True, False),
    (BotCommandScopeAllPrivateChats(), False, True),
)


async def announce_commands(bot: Bot) -> None:
    """setMyCommands per scope and language, plus the English default for other languages."""
    for scope, coordinator, private in SCOPES:
        for language in (None, *Language):
            t = translator(language)
            commands = [
                BotCommand(spec.name, t(spec.description_key))
                for spec in commands_for(coordinator=coordinator, private=private)
            ]
            await bot.set_my_commands(commands, scope=scope, language_code=language)
