"""Working groups, their linked chats and their members."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import Role
from domain.text import clean_optional
from storage.models import Chat, Member, Notification, WorkingGroup


async def group_for_chat(
    *, session: AsyncSession, chat_id: int, include_inactive: bool = False
) -> WorkingGroup | None:
    """The working group a chat is linked to, if any.

    The bot answers only in active chats; the operator's commands (`wgbot import`,
    `grant`, `export`) also find a chat the bot was removed from, so that a re-import
    never starts a second, empty working group beside the first.
    """
    query = (
        select(WorkingGroup)
        .join(Chat, Chat.working_group_id == WorkingGroup.id)
        .where(Chat.id == chat_id)
    )
    if not include_inactive:
        query = query.where(Chat.active.is_(True))
    return await session.scalar(query)


async def create_group(
    *,
    session: AsyncSession,
    chat_id: int,
    name: str,
    timezone: str,
    language: str,
    now: dt.datetime,
) -> WorkingGroup:
    """A new working group linked to `chat_id` as its primary chat."""
    group = WorkingGroup(
        name=name,
        timezone=timezone,
        language=language,
        digest_weekday=0,
        digest_time=dt.time(9, 0),
        deadline_offsets_days=[14, 7, 1],
        meeting_offsets_minutes=[1440, 60, 0],
        quiet_weeks=4,
        created_at=now,
        updated_at=now,
    )
    session.add(group)
    await session.flush()
    existing = await session.get(Chat, chat_id)
    if existing is None:
        session.add(Chat(id=chat_id, working_group_id=group.id, is_primary=True, linked_at=now))
    else:
        # A chat that was linked to another (older) group moves to the new one.
        existing.working_group_id = group.id
        existing.active = True
        existing.inactive_reason = None
        existing.linked_at = now
    await session.flush()
    return group


async def get_or_create_member(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    telegram_user_id: int,
    now: dt.datetime,
    full_name: str | None = None,
    username: str | None = None,
) -> Member:
    """The member row for a Telegram user, created on first sight; names kept fresh.

    Given a Telegram user's `full_name`, its `username` is taken as the current one,
    None included, and no other member of the group keeps that handle: `/coordinator
    add @name` must find who has the name now, not who had it once. Writes only when
    something changed, so an ordinary command takes no write lock.
    """
    member = await session.scalar(
        select(Member).where(
            Member.working_group_id == group.id, Member.telegram_user_id == telegram_user_id
        )
    )
    return await _kept(session, group, member, telegram_user_id, now, full_name, username)


_GROUP_AND_SPEAKER = (
    select(WorkingGroup, Member)
    .join(Chat, Chat.working_group_id == WorkingGroup.id)
    .outerjoin(
        Member,
        and_(
            Member.working_group_id == WorkingGroup.id,
            Member.telegram_user_id == bindparam("user_id"),
        ),
    )
    .where(Chat.id == bindparam("chat_id"), Chat.active.is_(True))
)


async def group_and_speaker(
    *,
    session: AsyncSession,
    chat_id: int,
    telegram_user_id: int,
    now: dt.datetime,
    full_name: str | None = None,
    username: str | None = None,
) -> tuple[WorkingGroup, Member] | None:
    """`group_for_chat` and `get_or_create_member` of the one speaking there, read in
    one query: what every command in a linked group starts with."""
    params = {"chat_id": chat_id, "user_id": telegram_user_id}
    row = (await session.execute(_GROUP_AND_SPEAKER, params)).first()
    if row is None:
        return None
    group, member = row
    return group, await _kept(session, group, member, telegram_user_id, now, full_name, username)


async def _kept(
    session: AsyncSession,
    group: WorkingGroup,
    member: Member | None,
    telegram_user_id: int,
    now: dt.datetime,
    full_name: str | None,
    username: str | None,
) -> Member:
    full_name, username = clean_optional(full_name), clean_optional(username)
    if member is None:
        member = Member(
            working_group_id=group.id,
            telegram_user_id=telegram_user_id,
            full_name=full_name or "",
            username=username,
            role=Role.MEMBER,
            private_chat=False,
            created_at=now,
        )
        session.add(member)
        await session.flush()
        changed = True
    else:
        # Most commands come from someone the bot knows, unchanged: nothing to write.
        changed = bool(full_name) and (member.full_name, member.username) != (full_name, username)
        if changed:
            member.full_name = full_name or ""
            member.username = username
        if member.left_at is not None:
            member.left_at = None  # speaking in the group again: back
    if changed and username:
        await session.execute(
            update(Member)
            .where(
                Member.working_group_id == group.id,
                func.lower(Member.username) == username.lower(),
                Member.id != member.id,
            )
            .values(username=None)
        )
    return member


async def grant_coordinator(
    *, session: AsyncSession, group: WorkingGroup, telegram_user_id: int, now: dt.datetime
) -> bool:
    """Make a user coordinator of `group`; False when they already were."""
    member = await get_or_create_member(
        session=session, group=group, telegram_user_id=telegram_user_id, now=now
    )
    if member.role is Role.COORDINATOR:
        return False
    member.role = Role.COORDINATOR
    return True


async def mark_private_chat(*, session: AsyncSession, telegram_user_id: int) -> int:
    """Remember that a user has opened a private chat with the bot (for personal reminders)."""
    members = await session.scalars(
        select(Member).where(Member.telegram_user_id == telegram_user_id)
    )
    count = 0
    for member in members:
        member.private_chat = True
        count += 1
    return count


async def set_chat_active(
    *, session: AsyncSession, chat_id: int, active: bool, reason: str | None = None
) -> WorkingGroup | None:
    """The bot was added back to (or removed from) a linked chat; its group, if linked."""
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return None
    chat.active = active
    chat.inactive_reason = None if active else (reason or "the bot was removed")
    return await session.get(WorkingGroup, chat.working_group_id)


async def move_chat(*, session: AsyncSession, old_id: int, new_id: int, now: dt.datetime) -> bool:
    """A group upgraded to a supergroup gets a new id: the link and the queue follow it."""
    old = await session.get(Chat, old_id)
    if old is None or await session.get(Chat, new_id) is not None:
        return False
    session.add(
        Chat(
            id=new_id,
            working_group_id=old.working_group_id,
            title=old.title,
            is_primary=old.is_primary,
            active=True,
            linked_at=now,
        )
    )
    old.active = False
    old.inactive_reason = f"migrated to supergroup {new_id}"
    await session.flush()
    await session.execute(
        update(Notification)
        .where(Notification.chat_id == old_id, Notification.state == "pending")
        .values(chat_id=new_id)
    )
    return True
