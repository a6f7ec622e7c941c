"""Meeting minutes and their lines, action items and their (append-only) updates, and
the OGP forum and repository dates."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from domain.enums import Status
from storage.models.base import Base, stored_enum

if TYPE_CHECKING:
    from storage.models.plan import Agency


class Minutes(Base):
    """The minutes of one meeting, MeetBot style: opened, lines recorded, closed.

    One open minutes per group (`closed_at` None); every line is its own row, committed
    as it is recorded, so a crash mid-meeting loses nothing.
    """

    __tablename__ = "minutes"
    __table_args__ = (UniqueConstraint("working_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per group (/minutes <n>)
    title: Mapped[str] = mapped_column(String(500))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The scheduled occurrence these minutes belong to, when one was within 2 hours.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    occurrence_start: Mapped[dt.datetime | None]
    chair_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )
    chair_name: Mapped[str] = mapped_column(String(300))
    opened_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    closed_automatically: Mapped[bool] = mapped_column(Boolean, default=False)


class MinutesLine(Base):
    """One recorded line: #topic, #info, #agreed, #link or #action."""

    __tablename__ = "minutes_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    action_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_item.id", ondelete="SET NULL")
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime]


class ActionItem(Base):
    """An action item `A<n>`, tracked like a milestone: agency, due date, status."""

    __tablename__ = "action_item"
    __table_args__ = (UniqueConstraint("working_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # shown as A<number>
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[Status] = mapped_column(
        stored_enum(Status, "status"), default=Status.NOT_STARTED
    )
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id", ondelete="SET NULL"))
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime]

    agency: Mapped[Agency | None] = relationship()


class ActionUpdate(Base):
    """One progress report on one action item, as a milestone's. Never edited or deleted."""

    __tablename__ = "action_update"
    __table_args__ = (Index("ix_action_update_action_created", "action_item_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="RESTRICT"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="RESTRICT"), index=True
    )
    reporter_name: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]
    status: Mapped[Status] = mapped_column(stored_enum(Status, "status"))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)


class OgpEvent(Base):
    """A date that counts for OGP's minimum requirements: the forum met (closed minutes,
    or `/ogp met`), or the national repository was updated (`/ogp repository`)."""

    __tablename__ = "ogp_event"
    __table_args__ = (Index("ix_ogp_event_group_kind_day", "working_group_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))  # "forum" or "repository"
    day: Mapped[dt.date] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(Text)
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]


@event.listens_for(ActionUpdate, "before_update")
@event.listens_for(ActionUpdate, "before_delete")
def _action_updates_are_append_only(
    mapper: Mapper[Any], connection: Any, target: ActionUpdate
) -> None:
    raise PermissionError("action updates are append-only: record a new update instead")
