"""Messages a member asks the bot to post (today: /digest), queued in the outbox.

They go through delivery like every message the bot sends on its own, so they count
against Telegram's windows; one per group per cool-down keeps a member's repeated
command from filling the group's 20 messages a minute.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.rules import DIGEST_NOW, Planned, digest_cooldown_left
from storage.models import Notification, WorkingGroup
from storage.outbox import store_planned


async def ask_for_digest(
    *,
    session: AsyncSession,
    group: WorkingGroup,
    chat_id: int,
    now: dt.datetime,
    thread_id: int | None = None,
) -> dt.timedelta | None:
    """Queue the group's digest now (into forum topic `thread_id`, if any); when the
    group asked less than the cool-down ago, queue nothing and say how long is left."""
    last = await session.scalar(
        select(func.max(Notification.created_at)).where(
            Notification.working_group_id == group.id, Notification.kind == DIGEST_NOW
        )
    )
    left = digest_cooldown_left(last, now)
    if left is not None:
        return left
    # Written like every planned notification (one row per key, ever); due now, so no
    # grace window applies to it.
    asked = Planned(
        key=f"{DIGEST_NOW}:{group.id}:{now.astimezone(dt.UTC).isoformat()}",
        kind=DIGEST_NOW,
        chat_id=chat_id,
        due_at=now,
        payload={"thread": thread_id} if thread_id is not None else {},
    )
    await store_planned(
        session=session, group_id=group.id, planned=[asked], now=now, grace=dt.timedelta(0)
    )
    return None
