"""/deadlines, /overdue and /mine: milestones by due date.

In a group chat they answer for its working group; in a private chat, for the one
working group the user is a member of, in the user's own language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update, User
from telegram.ext import filters

from bot.context import WGApplication, WGContext
from bot.edge import GroupScope, command, in_linked_group, reply
from bot.i18n import Translator, translator
from bot.parsing import Invalid, parse_days
from bot.render import STATUS_MARK, agency_short, esc, status_label
from bot.roles import still_member
from storage.db import transaction
from storage.deadlines import (
    DeadlineRow,
    DueList,
    days_overdue,
    days_until,
    deadline_window,
    local_today,
)
from storage.members import groups_of_user, member_agency, member_chats, set_membership
from storage.models import Agency, Member, WorkingGroup
from storage.tracked_lists import tracked_due_between, tracked_of_agency, tracked_overdue_at


def _head(t: Translator, row: DeadlineRow) -> str:
    return t(
        "lists.milestone",
        mark=STATUS_MARK[row.status],
        number=esc(row.number),
        title=esc(row.title),
    )


def _until(t: Translator, row: DeadlineRow, today: dt.date) -> str:
    days = days_until(row.due, today)
    if days == 0:
        return t("lists.due_today")
    if days == 1:
        return t("lists.due_tomorrow")
    return t.plural("lists.due_in_days", days, days=days)


def _late(t: Translator, row: DeadlineRow, today: dt.date) -> str:
    days = days_overdue(row.due, today)
    return t.plural("lists.overdue_days", days, days=days)


def render_deadlines(
    t: Translator, found: DueList, *, days: int, until: dt.date, today: dt.date
) -> str:
    """/deadlines: one block per open milestone, soonest first."""
    if not found.rows:
        blocks = [t.plural("lists.deadlines_empty", days, days=days, until=until.isoformat())]
    else:
        blocks = [t.plural("lists.deadlines_header", days, days=days, until=until.isoformat())]
        blocks += [
            _head(t, row)
            + "\n"
            + t(
                "lists.due_facts",
                agency=agency_short(row.responsible, t),
                due=row.due.isoformat(),
                status=status_label(t, row.status),
                when=_until(t, row, today),
            )
            for row in found.rows
        ]
    if found.done:
        blocks.append(t.plural("lists.deadlines_done", found.done))
    return "\n\n".join(blocks)


def render_overdue(t: Translator, rows: list[DeadlineRow], today: dt.date) -> str:
    """/overdue: open milestones past their due date, most overdue first."""
    if not rows:
        return t("lists.overdue_empty")
    blocks = [t("lists.overdue_header", count=len(rows), today=today.isoformat())]
    blocks += [
        _head(t, row)
        + "\n"
        + t(
            "lists.overdue_facts",
            agency=agency_short(row.responsible, t),
            due=row.due.isoformat(),
            status=status_label(t, row.status),
            late=_late(t, row, today),
        )
        for row in rows
    ]
    return "\n\n".join(blocks)


def render_mine(t: Translator, agency: Agency, rows: list[DeadlineRow], today: dt.date) -> str:
    """/mine: every milestone of the member's agency, by due date."""
    head = t("lists.mine_header", code=esc(agency.code), name=esc(agency.name))
    if not rows:
        return head + "\n\n" + t("lists.mine_empty", code=esc(agency.code))
    blocks = [head]
    for row in rows:
        facts = t("lists.mine_facts", due=row.due.isoformat(), status=status_label(t, row.status))
        if row.status.is_open and row.due < today:
            facts += " · ⚠️ " + _late(t, row, today)
        blocks.append(_head(t, row) + "\n" + facts)
    return "\n\n".join(blocks)


@dataclasses.dataclass(frozen=True)
class ListRequest:
    """What a list needs, from a group chat or from a member's private chat."""

    session: AsyncSession
    group: WorkingGroup
    member: Member
    t: Translator
    today: dt.date
    args: list[str]


async def deadlines_text(r: ListRequest) -> str:
    days = parse_days(r.args)
    if isinstance(days, Invalid):
        return r.t(days.key)
    start, end = deadline_window(r.today, days)
    found = await tracked_due_between(session=r.session, group_id=r.group.id, start=start, end=end)
    return render_deadlines(r.t, found, days=days, until=end, today=r.today)


async def overdue_text(r: ListRequest) -> str:
    if r.args:
        return r.t("cmd.overdue.usage_help")
    rows = await tracked_overdue_at(session=r.session, group_id=r.group.id, today=r.today)
    return render_overdue(r.t, rows, r.today)


async def mine_text(r: ListRequest) -> str:
    if r.args:
        return r.t("cmd.mine.usage_help")
    agency = await member_agency(session=r.session, member=r.member)
    if agency is None:
        return r.t("lists.mine_no_agency")
    rows = await tracked_of_agency(session=r.session, group_id=r.group.id, agency_id=agency.id)
    return render_mine(r.t, agency, rows, r.today)


def _in_group(scope: GroupScope, context: WGContext) -> ListRequest:
    return ListRequest(
        session=scope.session,
        group=scope.group,
        member=scope.member,
        t=scope.t,
        today=scope.today,
        args=list(context.args or []),
    )


@in_linked_group
async def deadlines(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Open milestones due in the next `days` (default 30), soonest first."""
    scope.reply(await deadlines_text(_in_group(scope, context)))


@in_linked_group
async def overdue(update: Update, context: WGContext, scope: GroupScope) -> None:
    """Open milestones past their due date, most overdue first."""
    scope.reply(await overdue_text(_in_group(scope, context)))


@in_linked_group
async def mine(update: Update, context: WGContext, scope: GroupScope) -> None:
    """The milestones of the agency this member belongs to."""
    scope.reply(await mine_text(_in_group(scope, context)))


def _user_language(member: Member | None, user: User) -> str | None:
    if member is not None and member.language:
        return member.language
    return user.language_code


async def _forget_groups_left(context: WGContext, user_id: int, now: dt.datetime) -> None:
    """Before the lists: Telegram's word on whether the user is still in each group's chat
    (the bot hears of departures itself only where it is an administrator)."""
    async with transaction(context.deps.sessionmaker) as session:
        chats = await member_chats(session=session, telegram_user_id=user_id)
    for chat_id in chats:
        present = await still_member(
            bot=context.bot,
            cache=context.deps.member_cache,
            chat_id=chat_id,
            user_id=user_id,
            now=now,
        )
        if present is False:
            async with transaction(context.deps.sessionmaker) as session:
                await set_membership(
                    session=session,
                    chat_id=chat_id,
                    telegram_user_id=user_id,
                    present=False,
                    now=now,
                )


async def _in_private(
    update: Update, context: WGContext, build: Callable[[ListRequest], Awaitable[str]]
) -> None:
    """A list asked for in a private chat: from the one working group the user is in."""
    user = update.effective_user
    if user is None:
        return
    now = context.deps.clock.now()
    await _forget_groups_left(context, user.id, now)
    async with transaction(context.deps.sessionmaker) as session:
        memberships = await groups_of_user(session=session, telegram_user_id=user.id)
        member = memberships[0][1] if len(memberships) == 1 else None
        t = translator(_user_language(member, user))
        if not memberships:
            text = t("lists.private_no_group")
        elif member is None:
            names = "\n".join(f"• {esc(group.name)}" for group, _ in memberships)
            text = t("lists.private_several", groups=names)
        else:
            group = memberships[0][0]
            request = ListRequest(
                session=session,
                group=group,
                member=member,
                t=t,
                today=local_today(now, group.timezone),
                args=list(context.args or []),
            )
            text = t("lists.private_group", name=esc(group.name)) + "\n\n" + await build(request)
    await reply(update, text)


async def deadlines_private(update: Update, context: WGContext) -> None:
    """/deadlines in a private chat, for the user's working group."""
    await _in_private(update, context, deadlines_text)


async def overdue_private(update: Update, context: WGContext) -> None:
    """/overdue in a private chat, for the user's working group."""
    await _in_private(update, context, overdue_text)


async def mine_private(update: Update, context: WGContext) -> None:
    """/mine in a private chat, for the user's working group."""
    await _in_private(update, context, mine_text)


def register(app: WGApplication) -> None:
    # Private chats first: in one handler group the first matching handler wins.
    private = filters.ChatType.PRIVATE
    app.add_handler(command("deadlines", deadlines_private, private))
    app.add_handler(command("overdue", overdue_private, private))
    app.add_handler(command("mine", mine_private, private))
    app.add_handler(command("deadlines", deadlines))
    app.add_handler(command("overdue", overdue))
    app.add_handler(command("mine", mine))
