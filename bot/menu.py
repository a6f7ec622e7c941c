"""The command menu Telegram clients show, in every shipped language."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.commands import commands_for
from bot.i18n import translator
from storage.enums import Language


async def announce_commands(bot: Bot) -> None:
    """setMyCommands once per language, plus the English default for everyone else."""
    for language in (None, *Language):
        t = translator(language)
        commands = [
            BotCommand(spec.name, t(spec.description_key))
            for spec in commands_for(coordinator=False)
        ]
        await bot.set_my_commands(commands, language_code=language)
