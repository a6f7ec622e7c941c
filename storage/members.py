"""Members of a working group: their agency, their role, finding them by name or id."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import Role
from storage.models import Agency, Chat, Member, WorkingGroup

# How alike a typed text must be to an agency's code or name to count as a typo of it.
CODE_CUTOFF = 0.75
NAME_CUTOFF = 0.85
# Scores this close to the best are a tie: the user is asked which one.
TYPO_TIE = 0.02


async def agencies_of(*, session: AsyncSession, group_id: int) -> list[Agency]:
    found = await session.scalars(
        select(Agency).where(Agency.working_group_id == group_id).order_by(Agency.code)
    )
    return list(found)


async def agency_by_id(*, session: AsyncSession, group_id: int, agency_id: int) -> Agency | None:
    return await session.scalar(
        select(Agency).where(Agency.id == agency_id, Agency.working_group_id == group_id)
    )


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _likeness(query: str, key: str, cutoff: float) -> float:
    ratio = difflib.SequenceMatcher(None, query, _norm(key)).ratio()
    return ratio if ratio >= cutoff else 0.0


# How loosely match_agencies may read: as written, or also as part of a code or name,
# or also with a typo.
EXACT, PART, TYPO = 0, 1, 2


def match_agencies(text: str, agencies: Sequence[Agency], *, up_to: int = TYPO) -> list[Agency]:
    """The agencies `text` names: by exact code or name, then a part of one, then a typo
    (`up_to` stops earlier).

    Pure: the caller loads the group's agencies. An empty list means no match.
    """
    query = _norm(text)
    if not query:
        return []
    named = [a for a in agencies if query in (_norm(a.code), _norm(a.name))]
    if named or up_to == EXACT:
        return named
    if len(query) >= 3:
        partial = [a for a in agencies if query in _norm(a.code) or query in _norm(a.name)]
        if partial or up_to == PART:
            return partial
    elif up_to == PART:
        return []
    # A typo: the best-scoring agencies (ties ask back), if they are alike enough.
    # Names share long runs ("ministry of "), so a name must be more alike than a code.
    scores = [
        max(
            _likeness(query, a.code, CODE_CUTOFF),
            _likeness(query, a.name, NAME_CUTOFF),
        )
        for a in agencies
    ]
    best = max(scores, default=0.0)
    if best == 0.0:
        return []
    return [a for a, score in zip(agencies, scores, strict=True) if score >= best - TYPO_TIE]


def set_agency(*, member: Member, agency: Agency | None) -> bool:
    """Record which agency a member belongs to; False when it was already so."""
    new_id = agency.id if agency is not None else None
    if member.agency_id == new_id:
        return False
    member.agency_id = new_id
    member.agency = agency
    return True


async def member_agency(*, session: AsyncSession, member: Member) -> Agency | None:
    if member.agency_id is None:
        return None
    return await session.get(Agency, member.agency_id)


def set_role(*, member: Member, role: Role) -> bool:
    """Grant or take the coordinator role; False when nothing changed."""
    if member.role is role:
        return False
    member.role = role
    return True


async def member_by_user_id(
    *, session: AsyncSession, group_id: int, telegram_user_id: int
) -> Member | None:
    return await session.scalar(
        select(Member).where(
            Member.working_group_id == group_id, Member.telegram_user_id == telegram_user_id
        )
    )


async def member_by_username(
    *, session: AsyncSession, group_id: int, username: str
) -> Member | None:
    """A member the bot has seen with this @username (case-insensitive), newest first."""
    return await session.scalar(
        select(Member)
        .where(
            Member.working_group_id == group_id,
            func.lower(Member.username) == username.lower(),
        )
        .order_by(Member.id.desc())
        .limit(1)
    )


async def groups_of_user(
    *, session: AsyncSession, telegram_user_id: int
) -> list[tuple[WorkingGroup, Member]]:
    """Every working group (with an active chat) a Telegram user is a member of, and has
    not left."""
    rows = await session.execute(
        select(WorkingGroup, Member)
        .join(Member, Member.working_group_id == WorkingGroup.id)
        .where(
            Member.telegram_user_id == telegram_user_id,
            Member.left_at.is_(None),
            WorkingGroup.id.in_(select(Chat.working_group_id).where(Chat.active.is_(True))),
        )
        .order_by(WorkingGroup.id)
    )
    return [(group, member) for group, member in rows]


async def set_membership(
    *, session: AsyncSession, chat_id: int, telegram_user_id: int, present: bool, now: dt.datetime
) -> bool:
    """A user left the group's chat (or was removed), or is back: what they may see in
    private follows. True when a known member changed."""
    result = await session.execute(
        update(Member)
        .where(
            Member.telegram_user_id == telegram_user_id,
            Member.working_group_id.in_(select(Chat.working_group_id).where(Chat.id == chat_id)),
            Member.left_at.is_(None) if not present else Member.left_at.is_not(None),
        )
        .values(left_at=None if present else now)
        .returning(Member.id)
    )
    return bool(result.all())


async def member_chats(*, session: AsyncSession, telegram_user_id: int) -> list[int]:
    """The active group chats of every working group the user is a member of (not left)."""
    rows = await session.scalars(
        select(Chat.id)
        .join(Member, Member.working_group_id == Chat.working_group_id)
        .where(
            Member.telegram_user_id == telegram_user_id,
            Member.left_at.is_(None),
            Chat.active.is_(True),
        )
        .order_by(Chat.id)
    )
    return list(rows)


async def set_own_language(*, session: AsyncSession, telegram_user_id: int, language: str) -> int:
    """A member's own language, for private replies and private reminders, in every group
    they belong to. How many member rows it is set on."""
    result = await session.execute(
        update(Member)
        .where(Member.telegram_user_id == telegram_user_id)
        .values(language=language)
        .returning(Member.id)
    )
    return len(result.all())


async def language_of_user(*, session: AsyncSession, telegram_user_id: int) -> str | None:
    """The language a user chose for themselves (/settings language in private), if any."""
    chosen = await session.scalar(
        select(Member.language)
        .where(Member.telegram_user_id == telegram_user_id, Member.language.is_not(None))
        .limit(1)
    )
    return str(chosen) if chosen is not None else None
