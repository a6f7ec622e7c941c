"""/meetings and /meeting add|cancel|skip: the working group's meeting schedule."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from babel.dates import format_datetime
from telegram import Update

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, Handler, command, in_linked_group
from bot.handlers.minutes import meeting_minutes
from bot.handlers.quiet import calendar_near, quiet_mark, quiet_note
from bot.render import esc
from bot.schedule_words import describe
from domain.quiet import QuietCalendar
from domain.when import WhenError, parse_date, parse_when
from storage.meetings import (
    TITLE_MAX,
    MeetingView,
    Outcome,
    add_meeting,
    cancel_meeting,
    example_day,
    skip_occurrence,
    upcoming_meetings,
)

# The `<when>` ends at its HH:MM (a loose match, so that 25:00 gets "bad time").
_TIME_WORD = re.compile(r"[0-9]+:[0-9]+")
_MEETING_ID = re.compile(r"#?([0-9]{1,12})")


@in_linked_group
async def meetings(update: Update, context: WGContext, scope: GroupScope) -> None:
    """The next occurrences of every meeting, with ids."""
    upcoming = await upcoming_meetings(session=scope.session, group=scope.group, now=scope.now)
    if not upcoming:
        scope.reply(scope.t("meetings.empty"))
        return
    header = scope.t("meetings.header", tz=esc(scope.group.timezone))
    quiet = await calendar_near(scope)
    blocks = [_block(scope, u.meeting, u.starts, quiet) for u in upcoming]
    scope.reply("\n\n".join([header, *blocks]))


async def _meeting(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Add, cancel or skip a meeting (coordinators)."""
    args = context.args or []
    sub = args[0].casefold() if args else ""
    if sub == "add":
        await _add(update, scope, args[1:])
    elif sub == "cancel":
        await _cancel(update, scope, args[1:])
    elif sub == "skip":
        await _skip(update, scope, args[1:])
    elif sub in ("start", "end"):
        await meeting_minutes(update, context, scope, sub, args[1:])
    else:
        scope.reply(_usage(scope))


async def _add(update: Update, scope: GroupScope, args: Sequence[str]) -> None:
    t = scope.t
    cut = next((i for i, word in enumerate(args) if _TIME_WORD.fullmatch(word)), None)
    if cut is None or cut + 1 >= len(args):
        text = t("meeting.add.usage_help")
        if cut is None and args:
            # No HH:MM at all: let the grammar say what it makes of the words.
            text = _when_problem(scope, " ".join(args), _grammar_error(" ".join(args)))
        scope.reply(text)
        return
    when_text, title = " ".join(args[: cut + 1]), " ".join(args[cut + 1 :])
    if len(title) > TITLE_MAX:
        scope.reply(t.plural("meeting.title_too_long", TITLE_MAX, max=TITLE_MAX))
        return
    try:
        when = parse_when(when_text)
        result = await add_meeting(
            session=scope.session,
            group=scope.group,
            when=when,
            title=title,
            created_by_member_id=scope.member.id,
            now=scope.now,
        )
    except WhenError as exc:
        scope.reply(_when_problem(scope, when_text, exc))
        return
    if result.meeting is None:
        if when.date is not None:
            scope.reply(t("meeting.past", when=esc(when_text), tz=esc(scope.group.timezone)))
        else:
            scope.reply(t("meeting.no_future"))
        return
    scope.schedule_changed()
    quiet = await calendar_near(scope)
    block = _block(scope, result.meeting, result.starts, quiet)
    note = quiet_note(t, quiet, (s.astimezone(scope.tz).date() for s in result.starts))
    text = t("meeting.added", tz=esc(scope.group.timezone)) + "\n\n" + block
    scope.reply(text + ("\n\n" + note if note else ""))


async def _cancel(update: Update, scope: GroupScope, args: Sequence[str]) -> None:
    match = _MEETING_ID.fullmatch(args[0]) if len(args) == 1 else None
    if match is None:
        scope.reply(scope.t("meeting.cancel.usage_help"))
        return
    meeting_id = int(match[1])
    result = await cancel_meeting(
        session=scope.session, group=scope.group, meeting_id=meeting_id, now=scope.now
    )
    if result.meeting is None:
        scope.reply(scope.t("meeting.not_found", id=meeting_id))
        return
    scope.schedule_changed()
    scope.reply(scope.t("meeting.cancelled", id=meeting_id, title=esc(result.meeting.title)))


async def _skip(update: Update, scope: GroupScope, args: Sequence[str]) -> None:
    t = scope.t
    match = _MEETING_ID.fullmatch(args[0]) if len(args) == 2 else None
    day = _skip_date(args[1]) if match is not None else None
    if match is None or day is None:
        scope.reply(t("meeting.skip.usage_help"))
        return
    meeting_id = int(match[1])
    result = await skip_occurrence(
        session=scope.session, group=scope.group, meeting_id=meeting_id, day=day, now=scope.now
    )
    if result.outcome is Outcome.NOT_FOUND or result.meeting is None:
        scope.reply(t("meeting.not_found", id=meeting_id))
        return
    title, date = esc(result.meeting.title), day.isoformat()
    if result.outcome is Outcome.ALREADY:
        scope.reply(t("meeting.skip.already", id=meeting_id, title=title, date=date))
        return
    dates = _dates(scope, result.starts)
    if result.outcome is Outcome.NOT_AN_OCCURRENCE:
        text = t("meeting.skip.not_a_date", id=meeting_id, title=title, date=date)
        scope.reply(text + "\n" + dates)
        return
    scope.schedule_changed()
    scope.reply(t("meeting.skipped", id=meeting_id, title=title, date=date) + "\n" + dates)


def _grammar_error(text: str) -> WhenError | None:
    try:
        parse_when(text)
    except WhenError as exc:
        return exc
    return None


def _skip_date(word: str) -> dt.date | None:
    """2022-10-11, 2022.10.11 or 2022/10/11 within the grammar's years (far-off years are
    typos, and the calendar arithmetic near year 1 or 9999 overflows)."""
    try:
        return parse_date(word)
    except WhenError:
        return None


# Rendering: catalog text in, Telegram HTML out; user text escaped.


def _usage(scope: GroupScope) -> str:
    day = example_day(scope.today).isoformat()
    return scope.t("cmd.meeting.usage_help", day=day) + "\n" + scope.t("minutes.meeting_usage")


# WhenError codes with a message of their own (domain.when, storage.meetings).
WHEN_PROBLEMS = frozenset(
    {"bad_weekday", "bad_ordinal", "bad_time", "bad_date", "bad_rrule", "out_of_range", "too_far"}
)


def _when_problem(scope: GroupScope, text: str, error: WhenError | None = None) -> str:
    """A translated WhenError (its English message is for logs and plan files)."""
    t, shown = scope.t, esc(text)
    code = error.code if error is not None else "unknown_form"
    key = f"meeting.when.{code}" if code in WHEN_PROBLEMS else "meeting.when.unknown_form"
    problem = t(key, text=shown)
    day = example_day(scope.today).isoformat()
    return problem + "\n\n" + t("meeting.when.forms", day=day, tz=esc(scope.group.timezone))


def _dates(
    scope: GroupScope, starts: Sequence[dt.datetime], quiet: QuietCalendar | None = None
) -> str:
    if not starts:
        return scope.t("meetings.no_more")
    # In the group's zone, as the header says (a meeting keeps the zone it was set in,
    # so after /settings timezone its wall time here may differ); CLDR weekday names.
    shown = [
        format_datetime(
            s.astimezone(scope.tz).replace(tzinfo=None),
            "EEE y-MM-dd HH:mm",
            locale=scope.t.language,
        )
        + quiet_mark(scope.t, quiet, s.astimezone(scope.tz).date())
        for s in starts
    ]
    return scope.t("meetings.next", dates=" · ".join(shown))


def _block(
    scope: GroupScope,
    m: MeetingView,
    starts: Sequence[dt.datetime],
    quiet: QuietCalendar | None = None,
) -> str:
    """One meeting: id and title, its rule, place, next dates and upcoming skipped dates."""
    t = scope.t
    rule = describe(t, m.rrule, m.first_start_local, m.timezone)
    if m.duration_minutes:
        rule += " · " + t("meetings.duration", minutes=m.duration_minutes)
    lines = [t("meetings.item", id=m.id, title=esc(m.title)), "    " + rule]
    if m.place:
        lines.append("    " + t("meetings.place", place=esc(m.place)))
    lines.append("    " + _dates(scope, starts, quiet))
    skipped = sorted(d for d in m.skipped_dates if d >= scope.today)
    if skipped:
        dates = ", ".join(d.isoformat() for d in skipped)
        lines.append("    " + t("meetings.skipped_dates", dates=dates))
    return "\n".join(lines)


meeting: Handler = in_linked_group(coordinator_only=True)(_meeting)


def register(app: WGApplication) -> None:
    app.add_handler(command("meetings", meetings))
    app.add_handler(command("meeting", meeting))
