"""Who is a coordinator: the chat's Telegram administrators plus those granted the role.

Administrator look-ups are cached for a few minutes per (chat, user). A failed look-up
never lets anyone through: the caller treats the user as a member and asks to retry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable

from telegram import Bot, ChatMember
from telegram.error import TelegramError

from domain.enums import Role
from storage.models import Member

log = logging.getLogger(__name__)

ADMIN_CACHE_TTL = dt.timedelta(minutes=5)
ADMIN_STATUSES = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}


@dataclasses.dataclass
class AdminCache:
    """(chat id, user id) -> (checked at, Telegram's yes or no); one per question."""

    ttl: dt.timedelta = ADMIN_CACHE_TTL
    entries: dict[tuple[int, int], tuple[dt.datetime, bool]] = dataclasses.field(
        default_factory=dict
    )

    def get(self, chat_id: int, user_id: int, now: dt.datetime) -> bool | None:
        hit = self.entries.get((chat_id, user_id))
        if hit is None or now - hit[0] > self.ttl:
            return None
        return hit[1]

    def put(self, chat_id: int, user_id: int, now: dt.datetime, is_admin: bool) -> None:
        self.entries[(chat_id, user_id)] = (now, is_admin)

    def forget(self, chat_id: int) -> None:
        for key in [k for k in self.entries if k[0] == chat_id]:
            del self.entries[key]


async def _asked(
    *,
    bot: Bot,
    cache: AdminCache,
    chat_id: int,
    user_id: int,
    now: dt.datetime,
    question: str,
    answer: Callable[[ChatMember], bool],
) -> bool | None:
    """Telegram's word on a user of a chat (getChatMember), cached per (chat, user); None
    when Telegram could not say. Asked before any transaction opens, so a slow answer
    holds no database lock."""
    cached = cache.get(chat_id, user_id, now)
    if cached is not None:
        return cached
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("%s look-up failed in chat %s: %s", question, chat_id, exc)
        return None
    verdict = answer(member)
    cache.put(chat_id, user_id, now, verdict)
    return verdict


async def admin_status(
    *, bot: Bot, cache: AdminCache, chat_id: int, user_id: int, now: dt.datetime
) -> bool | None:
    """Whether the user administers the chat; None when Telegram could not say."""
    return await _asked(
        bot=bot,
        cache=cache,
        chat_id=chat_id,
        user_id=user_id,
        now=now,
        question="administrator",
        answer=lambda member: member.status in ADMIN_STATUSES,
    )


def coordinates(member: Member, is_admin: bool | None) -> bool:
    """Granted coordinators and the chat's administrators; a failed look-up is not one."""
    return member.role is Role.COORDINATOR or is_admin is True


GONE_STATUSES = {ChatMember.LEFT, ChatMember.BANNED}


async def still_member(
    *, bot: Bot, cache: AdminCache, chat_id: int, user_id: int, now: dt.datetime
) -> bool | None:
    """Whether the user is still in the chat (in a cache of its own, beside the
    administrators'); None when Telegram could not say (then nothing is concluded)."""
    return await _asked(
        bot=bot,
        cache=cache,
        chat_id=chat_id,
        user_id=user_id,
        now=now,
        question="membership",
        answer=lambda member: member.status not in GONE_STATUSES,
    )
