"""The command menu Telegram clients show, in every shipped language and per scope."""

from __future__ import annotations

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
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


def _menu(language: str | None, *, coordinator: bool, private: bool) -> list[BotCommand]:
    t = translator(language)
    return [
        BotCommand(spec.name, t(spec.description_key))
        for spec in commands_for(coordinator=coordinator, private=private)
    ]


async def announce_commands(bot: Bot) -> None:
    """setMyCommands per scope and language, plus the English default for other languages."""
    for scope, coordinator, private in SCOPES:
        for language in (None, *Language):
            menu = _menu(language, coordinator=coordinator, private=private)
            await bot.set_my_commands(menu, scope=scope, language_code=language)


async def announce_group_menu(bot: Bot, chat_id: int, language: str) -> None:
    """A linked group's own menu, in the group's language whatever its members' Telegram
    apps speak (Telegram prefers a chat's own scope over the all-groups ones)."""
    scopes = (
        (BotCommandScopeChat(chat_id), False),
        (BotCommandScopeChatAdministrators(chat_id), True),
    )
    for scope, coordinator in scopes:
        menu = _menu(language, coordinator=coordinator, private=False)
        await bot.set_my_commands(menu, scope=scope)
