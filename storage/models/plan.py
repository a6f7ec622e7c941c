"""The plan and its people: working groups, chats, agencies, members, commitments,
milestones, progress updates, meetings, days off; the outbox and its send windows.

Progress updates are append-only (guarded below); milestones and commitments that
drop out of a re-imported plan are archived, never deleted, so no history is lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from domain.enums import Role, Sector, Status
from storage.models.base import Base, stored_enum


class WorkingGroup(Base):
    """One tenant: a plan, its members and its settings."""

    __tablename__ = "working_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str | None] = mapped_column(String(100))
    period: Mapped[str | None] = mapped_column(String(50))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    # 0 = Monday … 6 = Sunday; None switches the weekly digest off.
    digest_weekday: Mapped[int | None] = mapped_column(Integer, default=0)
    digest_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(9, 0))
    # Days before a milestone's due date on which to remind.
    deadline_offsets_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [14, 7, 1])
    # Minutes before a meeting's start; 0 is the "starting now" message.
    meeting_offsets_minutes: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1440, 60, 0])
    quiet_weeks: Mapped[int] = mapped_column(Integer, default=4)
    # The public progress page's address `/p/<slug>`; None while it is not published.
    public_slug: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Quiet days: the country whose public holidays count (ISO 3166, "MN"; None: off) and
    # the working week as weekday digits, 0 = Monday ("01234": Monday to Friday).
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    workdays: Mapped[str] = mapped_column(String(7), default="01234", server_default="01234")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    chats: Mapped[list[Chat]] = relationship(back_populates="working_group")
    agencies: Mapped[list[Agency]] = relationship(
        back_populates="working_group", order_by="Agency.code"
    )
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="working_group", order_by="Commitment.position"
    )


class Chat(Base):
    """A Telegram chat linked to a working group (its group chat, a channel, …)."""

    __tablename__ = "chat"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(300))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(300))
    linked_at: Mapped[dt.datetime]

    working_group: Mapped[WorkingGroup] = relationship(back_populates="chats")


class Agency(Base):
    """An implementing agency or organisation, known by a short code."""

    __tablename__ = "agency"
    __table_args__ = (UniqueConstraint("working_group_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500))
    sector: Mapped[Sector] = mapped_column(stored_enum(Sector, "sector"), default=Sector.GOVERNMENT)

    working_group: Mapped[WorkingGroup] = relationship(back_populates="agencies")


class Member(Base):
    """A Telegram user as a member of one working group."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("working_group_id", "telegram_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    username: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(300), default="")
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[Role] = mapped_column(stored_enum(Role, "role"), default=Role.MEMBER)
    language: Mapped[str | None] = mapped_column(String(8))
    # Set when the user has started a private chat with the bot (so it may write there).
    private_chat: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime]
    # Set when the user left the group's chat or was removed: no more of its data in
    # private, no private reminders. Cleared when they are back.
    left_at: Mapped[dt.datetime | None]

    agency: Mapped[Agency | None] = relationship()


commitment_supporting_agency = Table(
    "commitment_supporting_agency",
    Base.metadata,
    Column(
        "commitment_id",
        ForeignKey("commitment.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("agency_id", ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)


class Commitment(Base):
    """A commitment of the plan, numbered as in the plan."""

    __tablename__ = "commitment"
    __table_args__ = (UniqueConstraint("working_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    ogp_id: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    policy_area: Mapped[str | None] = mapped_column(String(300))
    lead_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="SET NULL"), index=True
    )
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)
    # Dropped from the latest imported plan; kept with its history, hidden from lists.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    working_group: Mapped[WorkingGroup] = relationship(back_populates="commitments")
    lead_agency: Mapped[Agency | None] = relationship(foreign_keys=[lead_agency_id])
    supporting_agencies: Mapped[list[Agency]] = relationship(
        secondary=commitment_supporting_agency,
        order_by=commitment_supporting_agency.c.position,
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="commitment", order_by="Milestone.position"
    )


class Milestone(Base):
    """A milestone `<commitment>.<n>` with its due date and current status."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("working_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text)
    responsible_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency.id", ondelete="SET NULL"), index=True
    )
    start: Mapped[dt.date | None] = mapped_column(Date)
    due: Mapped[dt.date] = mapped_column(Date, index=True)
    # The latest update's status, or the plan file's starting value while there is none.
    status: Mapped[Status] = mapped_column(
        stored_enum(Status, "status"), default=Status.NOT_STARTED
    )
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")
    responsible_agency: Mapped[Agency | None] = relationship()
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="milestone", order_by="ProgressUpdate.id.desc()", passive_deletes="all"
    )


class ProgressUpdate(Base):
    """One progress report on one milestone. Never edited, never deleted."""

    __tablename__ = "progress_update"
    __table_args__ = (Index("ix_progress_update_milestone_created", "milestone_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="RESTRICT"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="RESTRICT"), index=True
    )
    # Snapshots: who reported, and for which agency, as it was at the time.
    reporter_name: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]
    status: Mapped[Status] = mapped_column(stored_enum(Status, "status"))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)

    milestone: Mapped[Milestone] = relationship(back_populates="updates")
    member: Mapped[Member | None] = relationship()


class Meeting(Base):
    """A one-off or recurring meeting: an RFC 5545 rule in the group's time zone."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    # Local wall-clock start of the first occurrence, and the rule (None: one-off).
    first_start_local: Mapped[dt.datetime] = mapped_column(
        # Deliberately naive: a wall time in `timezone`, so DST moves the UTC instant.
        DateTime(timezone=False)
    )
    rrule: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(Text)
    skipped_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime]
    cancelled_at: Mapped[dt.datetime | None]


class Notification(Base):
    """The outbox: every message the bot sends on its own, stored before delivery."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "meeting:12:2026-12-01T10:00:-60" — one row per reminder occurrence, ever.
    key: Mapped[str] = mapped_column(String(300), unique=True)
    working_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[dt.datetime]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[dt.datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime]
    # A lease: the worker sending this row and since when (a stale lease is reclaimed).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None]
    # How many Telegram messages of this notification went out (a digest has several),
    # so a retry resumes after the last part that was sent.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DayOff(Base):
    """One of the group's own days off (/holiday add): a day or a span of days."""

    __tablename__ = "day_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(
        ForeignKey("working_group.id", ondelete="CASCADE"), index=True
    )
    first: Mapped[dt.date] = mapped_column(Date)
    last: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class ChatRate(Base):
    """Telegram's flood limits, shared by every process: one row per chat, 0 = the bot.

    `recent` holds the send instants (Unix seconds, wall clock) still inside the chat's
    window; `next_send_at` is set from a 429's retry_after and holds that chat only.
    """

    __tablename__ = "chat_rate"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    next_send_at: Mapped[dt.datetime | None]
    recent: Mapped[list[float]] = mapped_column(JSON, default=list)


class SchedulerBeat(Base):
    """When a job of the cluster last finished, by name ("planner": the leader's planning
    pass), so every process's /healthz can tell that somebody plans."""

    __tablename__ = "scheduler_beat"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[dt.datetime]
    worker: Mapped[str] = mapped_column(String(64))


@event.listens_for(ProgressUpdate, "before_update")
@event.listens_for(ProgressUpdate, "before_delete")
def _updates_are_append_only(mapper: Mapper[Any], connection: Any, target: ProgressUpdate) -> None:
    raise PermissionError("progress updates are append-only: record a new update instead")
