"""The command table /help and the menu show is exactly what the bot answers."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.commands import COMMANDS
from wgbot.harness import BotRun


async def test_every_listed_command_has_a_handler(run: BotRun) -> None:
    handled: set[str] = set()
    for handlers in run.app.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                handled |= set(handler.commands)
    assert {spec.name for spec in COMMANDS} <= handled
