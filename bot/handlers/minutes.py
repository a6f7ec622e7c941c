"""Minutes MeetBot style: /meeting start|end, /topic, /info, /agreed, /link, /action,
/minutes and /actions; with privacy mode off (or the bot an administrator) lines that
begin #topic, #info, #agreed, #action or #link are recorded the same way.

A recorded line is acknowledged quietly with a reaction (setMessageReaction), never with
a message per line; a reaction Telegram refuses is let go.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Message, ReactionTypeEmoji, Update
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, Handler, command, in_linked_group
from bot.minutes_render import MARK, minutes_parts, render_actions
from bot.render import esc
from domain.minutes import (
    HASH_LINE,
    LINE_MAX,
    ActionWords,
    LineKind,
    hash_line,
    parse_action,
    parse_link,
)
from domain.when import WhenError, parse_date
from storage.actions import add_action, label, open_actions
from storage.meetings import example_day
from storage.members import EXACT, PART, TYPO, agencies_of, match_agencies
from storage.minutes import (
    Started,
    close_minutes,
    find_minutes,
    minutes_view,
    open_minutes,
    record_line,
    start_minutes,
)
from storage.models import Agency, Minutes

log = logging.getLogger(__name__)

ACK = "✍"  # one of Telegram's reaction emoji: "noted"


def _arguments(message: Message) -> str:
    """The text after `/cmd` or `/cmd@bot`, line breaks kept."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


def _acknowledge(scope: GroupScope, context: WGContext, message: Message) -> None:
    """React to the line once committed; a refused or failed reaction says nothing."""
    chat_id, message_id = message.chat_id, message.message_id

    async def react() -> None:
        try:
            await context.bot.set_message_reaction(
                chat_id, message_id, reaction=ReactionTypeEmoji(ACK)
            )
        except TelegramError as exc:
            log.info("could not react to message %s in %s: %s", message_id, chat_id, exc)

    scope.answers.then(react)


async def meeting_minutes(
    update: Update, context: WGContext, scope: GroupScope, sub: str, args: Sequence[str]
) -> None:
    """/meeting start [title] and /meeting end (the caller checked the coordinator)."""
    t = scope.t
    if sub == "start":
        result = await start_minutes(
            session=scope.session,
            group=scope.group,
            member=scope.member,
            chat_id=scope.chat_id,
            title=" ".join(args) or None,
            now=scope.now,
        )
        minutes = result.minutes
        title = esc(minutes.title or t("minutes.untitled"))
        opened = minutes.opened_at.astimezone(scope.tz).strftime("%Y-%m-%d %H:%M")
        if result.outcome is Started.ALREADY_OPEN:
            scope.reply(t("minutes.already_open", number=minutes.number, title=title, when=opened))
            return
        text = t(
            "minutes.started", number=minutes.number, title=title, chair=esc(minutes.chair_name)
        )
        if result.meeting_title is not None and minutes.occurrence_start is not None:
            start = minutes.occurrence_start.astimezone(scope.tz).strftime("%Y-%m-%d %H:%M")
            text += "\n" + t("minutes.attached", meeting=esc(result.meeting_title), when=start)
        scope.reply(text + "\n" + t("minutes.how"))
        return
    still_open = await open_minutes(session=scope.session, group_id=scope.group.id)
    if still_open is None:
        scope.reply(t("minutes.nothing_to_end"))
        return
    view = await close_minutes(
        session=scope.session, group=scope.group, minutes=still_open, now=scope.now
    )
    scope.schedule_changed()  # the forum met: the OGP warnings move
    parts = minutes_parts(t, view, before=t("minutes.closed"))
    for part in parts:
        if part.document is not None:
            scope.answers.document(part.document, filename=part.filename, caption=part.text)
        else:
            scope.reply(part.text)


async def _record(
    update: Update, context: WGContext, scope: GroupScope, kind: LineKind, text: str, *, quiet: bool
) -> None:
    """One line into the open minutes; `quiet` (a #-line) says nothing without minutes."""
    t = scope.t
    message = update.effective_message
    assert message is not None
    minutes = await open_minutes(session=scope.session, group_id=scope.group.id)
    if minutes is None:
        if not quiet:
            scope.reply(t("minutes.none_open"))
        return
    if len(text) > LINE_MAX:
        if not quiet:
            scope.reply(t("minutes.too_long", limit=LINE_MAX))
        return
    if not text:
        if not quiet:
            scope.reply(t(f"cmd.{kind.value}.usage_help", day=example_day(scope.today).isoformat()))
        return
    if kind is LineKind.ACTION:
        await _action(update, context, scope, minutes, text)
        return
    url = None
    if kind is LineKind.LINK:
        link = parse_link(text)
        if link is None:
            if not quiet:
                scope.reply(t("cmd.link.usage_help"))
            return
        url, text = link
    await record_line(
        session=scope.session,
        minutes=minutes,
        member=scope.member,
        kind=kind,
        text=text,
        url=url,
        now=scope.now,
    )
    _acknowledge(scope, context, message)


def _agency_and_text(words: ActionWords, agencies: list[Agency]) -> tuple[list[Agency], str, str]:
    """The agency the first words name and the text after it: the longest run that is a
    code or a whole name as written ("Ministry of Finance …"); else the longest that is
    part of one ("Procurement Agency …", "MRPA …"); else the first word with a typo, then
    a longer run with one. Typos come last, so "/action MOF a report" keeps its "a".
    No match: no agency, the first word."""
    splits = words.splits()
    tries = [(split, EXACT) for split in splits] + [(split, PART) for split in splits]
    tries += [(splits[-1], TYPO)] + [(split, TYPO) for split in splits[:-1]]
    for (named, rest), up_to in tries:
        found = match_agencies(named, agencies, up_to=up_to)
        if found:
            return found, named, rest
    return [], words.words[0], ""


async def _action(
    update: Update,
    context: WGContext,
    scope: GroupScope,
    minutes: Minutes,
    text: str,
) -> None:
    t = scope.t
    words = parse_action(text)
    if words is None:
        scope.reply(t("cmd.action.usage_help", day=example_day(scope.today).isoformat()))
        return
    due = None
    if words.due_word is not None:
        try:
            due = parse_date(words.due_word)
        except WhenError:
            scope.reply(
                t(
                    "action.bad_due",
                    word=esc(words.due_word),
                    day=example_day(scope.today).isoformat(),
                )
            )
            return
    agencies = await agencies_of(session=scope.session, group_id=scope.group.id)
    found, named, what = _agency_and_text(words, agencies)
    if len(found) != 1:
        codes = ", ".join(esc(a.code) for a in (found or agencies)) or "—"
        key = "action.ambiguous_agency" if found else "action.unknown_agency"
        scope.reply(t(key, word=esc(named), codes=codes))
        return
    item = await add_action(
        session=scope.session,
        group=scope.group,
        member=scope.member,
        agency=found[0],
        text=what,
        due=due,
        minutes_id=minutes.id,
        now=scope.now,
    )
    await record_line(
        session=scope.session,
        minutes=minutes,
        member=scope.member,
        kind=LineKind.ACTION,
        text=what,
        action=item,
        now=scope.now,
    )
    scope.schedule_changed()  # its deadline reminders
    due_text = t("action.due", due=due.isoformat()) if due else t("action.no_due")
    scope.reply(
        t(
            "action.recorded",
            mark=MARK[LineKind.ACTION],
            number=label(item.number),
            agency=esc(found[0].code),
            text=esc(item.text),
            due=due_text,
        )
    )


def _line_command(kind: LineKind) -> Handler:
    @in_linked_group
    async def handler(update: Update, context: WGContext, scope: GroupScope) -> None:
        message = update.effective_message
        assert message is not None
        await _record(update, context, scope, kind, _arguments(message), quiet=False)

    handler.__doc__ = f"Record a {kind.value} line in the open minutes."
    return handler


@in_linked_group
async def hash_line_message(update: Update, context: WGContext, scope: GroupScope) -> None:
    """A #topic/#info/#agreed/#link/#action line, when the bot reads the group's messages."""
    message = update.effective_message
    assert message is not None
    found = hash_line(message.text or "")
    if found is None:
        return
    kind, text = found
    await _record(update, context, scope, kind, text, quiet=True)


@in_linked_group
async def minutes_command(update: Update, context: WGContext, scope: GroupScope) -> None:
    """/minutes [n]: the latest minutes, or number n."""
    t = scope.t
    args = context.args or []
    number = None
    if args:
        word = args[0].lstrip("#")
        if len(args) != 1 or not word.isascii() or not word.isdigit() or len(word) > 9:
            scope.reply(t("cmd.minutes.usage_help"))
            return
        number = int(word)
    minutes = await find_minutes(session=scope.session, group_id=scope.group.id, number=number)
    if minutes is None:
        key = "minutes.none_yet" if number is None else "minutes.not_found"
        scope.reply(t(key, number=number or 0))
        return
    view = await minutes_view(session=scope.session, group=scope.group, minutes=minutes)
    for part in minutes_parts(t, view):
        if part.document is not None:
            scope.answers.document(part.document, filename=part.filename, caption=part.text)
        else:
            scope.reply(part.text)


@in_linked_group
async def actions_command(update: Update, context: WGContext, scope: GroupScope) -> None:
    """/actions: open action items with number, agency, text, due date and status."""
    found = await open_actions(session=scope.session, group_id=scope.group.id)
    scope.reply(render_actions(scope.t, found, scope.today))


LINE_COMMANDS = {
    "topic": LineKind.TOPIC,
    "info": LineKind.INFO,
    "agreed": LineKind.AGREED,
    "link": LineKind.LINK,
    "action": LineKind.ACTION,
}


def register(app: WGApplication) -> None:
    for name, kind in LINE_COMMANDS.items():
        app.add_handler(command(name, _line_command(kind)))
    app.add_handler(command("minutes", minutes_command))
    app.add_handler(command("actions", actions_command))
    # Only reached when the bot sees every message (privacy mode off, or an administrator).
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.TEXT
            & ~filters.COMMAND
            & filters.ChatType.GROUPS
            & filters.Regex(HASH_LINE),
            hash_line_message,
        )
    )
