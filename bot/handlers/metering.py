"""Before everything else: count the update, and the command it carries, for /metrics."""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from bot.commands import COMMANDS
from bot.context import WGApplication, WGContext

# Handler groups run in order of their number: this one before the guard (-1).
METERING_GROUP = -2
KNOWN = frozenset(c.name for c in COMMANDS)


def command_name(text: str, bot_username: str | None) -> str | None:
    """The command of a message's text as a label: a name of the command table, "other"
    for anything else (so what users type cannot add labels), None when not a command."""
    if not text.startswith("/"):
        return None
    name, _, addressee = text.split(maxsplit=1)[0][1:].partition("@")
    if addressee and addressee.lower() != (bot_username or "").lower():
        return "other"  # another bot's command in a shared group
    name = name.lower()
    return name if name in KNOWN else "other"


async def count(update: Update, context: WGContext) -> None:
    """Count; never answers and never stops the other handlers."""
    metrics = context.deps.metrics
    metrics.update_handled()
    message = update.message
    if message is not None and message.text:
        name = command_name(message.text, context.bot.username)
        if name is not None:
            metrics.command(name)


def register(app: WGApplication) -> None:
    app.add_handler(TypeHandler(Update, count), group=METERING_GROUP)
