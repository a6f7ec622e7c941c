"""When the bot speaks on its own: pure rules, across time zones and daylight-saving weeks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import pytest

from domain.enums import Status
from domain.recurrence import Schedule
from domain.rules import (
    GroupFacts,
    MeetingFacts,
    MilestoneFacts,
    Window,
    at_local,
    deadline_reminders,
    meeting_reminders,
    overdue_notice,
    plan_notifications,
    quiet_nudges,
    weekly_digest,
)

GROUP_CHAT = -100123
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)

# (zone, the Sunday of a daylight-saving change in 2026). Ulaanbaatar has none: its row
# checks that nothing moves where nothing should.
DST_SUNDAYS = [
    ("America/New_York", dt.date(2026, 3, 8)),
    ("America/New_York", dt.date(2026, 11, 1)),
    ("Europe/London", dt.date(2026, 3, 29)),
    ("Europe/London", dt.date(2026, 10, 25)),
    ("Asia/Ulaanbaatar", dt.date(2026, 10, 25)),
    ("Australia/Lord_Howe", dt.date(2026, 4, 5)),  # back half an hour
    ("Australia/Lord_Howe", dt.date(2026, 10, 4)),  # forward half an hour
]
ZONES = sorted({zone for zone, _ in DST_SUNDAYS})


def group(zone: str, **settings: object) -> GroupFacts:
    return GroupFacts(
        id=7,
        timezone=zone,
        chat_id=GROUP_CHAT,
        created_at=LONG_AGO,
        **settings,  # type: ignore[arg-type]
    )


def wall(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A naive local wall time, as meetings store them."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour, minute))


def local(when: dt.datetime, zone: str) -> dt.datetime:
    return when.astimezone(zoneinfo.ZoneInfo(zone))


def weeks_around(sunday: dt.date, zone: str) -> Window:
    """Two weeks before and after the change, in the zone."""
    tz = zoneinfo.ZoneInfo(zone)
    return Window(
        start=at_local(sunday - dt.timedelta(days=14), dt.time(0, 0), tz),
        end=at_local(sunday + dt.timedelta(days=14), dt.time(0, 0), tz),
    )


@pytest.mark.parametrize(("zone", "sunday"), DST_SUNDAYS)
def test_meeting_reminders_keep_the_meetings_local_time_across_dst(
    zone: str, sunday: dt.date
) -> None:
    # Weekly on Sundays at 10:00 local: the change's own day is one of them.
    meeting = MeetingFacts(
        id=3,
        schedule=Schedule(
            first_start_local=dt.datetime.combine(sunday - dt.timedelta(weeks=4), dt.time(10)),
            rrule="FREQ=WEEKLY",
            timezone=zone,
        ),
        created_at=LONG_AGO,
    )
    planned = meeting_reminders(group(zone), meeting, weeks_around(sunday, zone))
    starts = sorted({dt.datetime.fromisoformat(p.payload["start"]) for p in planned})
    assert [local(s, zone).time() for s in starts] == [dt.time(10)] * len(starts)
    assert local(starts[0], zone).date() <= sunday <= local(starts[-1], zone).date()
    for p in planned:
        start = dt.datetime.fromisoformat(p.payload["start"])
        # Offsets are durations: "one hour before" is 60 real minutes before, DST or not.
        assert p.due_at == start - dt.timedelta(minutes=p.payload["offset"])
        assert p.key == f"meeting:3:{start.isoformat()}:{p.payload['offset']}"
    # 1440, 60 and 0 minutes before each occurrence whose reminders all fall inside.
    assert {p.payload["offset"] for p in planned} == {1440, 60, 0}
    assert len({p.key for p in planned}) == len(planned)


@pytest.mark.parametrize(("zone", "sunday"), DST_SUNDAYS)
def test_deadline_reminders_arrive_at_nine_local_on_each_side_of_a_change(
    zone: str, sunday: dt.date
) -> None:
    due = sunday + dt.timedelta(days=1)  # due on the Monday after the change
    milestone = MilestoneFacts(id=11, due=due, status=Status.LIMITED, private_chats=(501, 502))
    window = Window(
        start=at_local(due - dt.timedelta(days=20), dt.time(0), zoneinfo.ZoneInfo(zone)),
        end=at_local(due, dt.time(0), zoneinfo.ZoneInfo(zone)),
    )
    planned = deadline_reminders(group(zone), milestone, window)
    assert sorted({(p.payload["offset"], local(p.due_at, zone).date()) for p in planned}) == [
        (1, due - dt.timedelta(days=1)),
        (7, due - dt.timedelta(days=7)),
        (14, due - dt.timedelta(days=14)),
    ]
    assert {local(p.due_at, zone).time() for p in planned} == {dt.time(9)}
    # The group and both members' private chats, each reminded once per offset.
    assert sorted((p.payload["offset"], p.chat_id, p.payload["private"]) for p in planned) == [
        (offset, chat, chat != GROUP_CHAT)
        for offset in (1, 7, 14)
        for chat in (GROUP_CHAT, 501, 502)
    ]
    keys = {p.key for p in planned}
    assert f"deadline:11:{due.isoformat()}:7:user:501" in keys
    assert f"deadline:11:{due.isoformat()}:7:group" in keys


def test_deadline_keys_do_not_change_when_the_group_chat_does() -> None:
    """A group upgraded to a supergroup (or re-linked) gets a new chat id; its queued
    reminders follow it (storage.groups.move_chat) and must not be planned again."""
    milestone = MilestoneFacts(
        id=11, due=dt.date(2026, 6, 30), status=Status.LIMITED, private_chats=(501,)
    )
    window = Window(
        start=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), end=dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    )
    before = deadline_reminders(group("UTC"), milestone, window)
    after = deadline_reminders(
        dataclasses.replace(group("UTC"), chat_id=-100_999), milestone, window
    )
    assert {p.key for p in before} == {p.key for p in after}
    assert {p.chat_id for p in after} == {-100_999, 501}


@pytest.mark.parametrize(("zone", "sunday"), DST_SUNDAYS)
def test_one_weekly_digest_per_iso_week_at_monday_nine_local(zone: str, sunday: dt.date) -> None:
    planned = weekly_digest(group(zone), weeks_around(sunday, zone))
    assert len(planned) == 4
    assert {local(p.due_at, zone).weekday() for p in planned} == {0}
    assert {local(p.due_at, zone).time() for p in planned} == {dt.time(9)}
    weeks = [p.payload["week"] for p in planned]
    assert len(set(weeks)) == 4
    assert [p.key for p in planned] == [f"digest:7:{week}" for week in weeks]


def test_a_digest_time_inside_the_lord_howe_gap_moves_forward_by_the_gap() -> None:
    zone = "Australia/Lord_Howe"  # 2026-10-04: 02:00 becomes 02:30
    facts = group(zone, digest_weekday=6, digest_time=dt.time(2, 15))
    planned = weekly_digest(facts, weeks_around(dt.date(2026, 10, 4), zone))
    by_day = {local(p.due_at, zone).date(): local(p.due_at, zone).time() for p in planned}
    assert by_day[dt.date(2026, 10, 4)] == dt.time(2, 45)
    assert by_day[dt.date(2026, 10, 11)] == dt.time(2, 15)


def test_no_digest_when_it_is_switched_off() -> None:
    zone = "Asia/Ulaanbaatar"
    window = weeks_around(dt.date(2026, 1, 4), zone)
    assert weekly_digest(group(zone, digest_weekday=None), window) == []


def test_a_meeting_created_thirty_minutes_ahead_gets_only_the_starting_now_message() -> None:
    start = dt.datetime(2026, 5, 4, 2, 0, tzinfo=dt.UTC)
    meeting = MeetingFacts(
        id=5,
        schedule=Schedule(wall(2026, 5, 4, 10), rrule=None, timezone="Asia/Ulaanbaatar"),
        created_at=start - dt.timedelta(minutes=30),
    )
    window = Window(start=start - dt.timedelta(days=2), end=start + dt.timedelta(days=2))
    planned = meeting_reminders(group("Asia/Ulaanbaatar"), meeting, window)
    assert [(p.payload["offset"], p.due_at) for p in planned] == [(0, start)]


def test_a_cancelled_meeting_reminds_nobody() -> None:
    meeting = MeetingFacts(
        id=5,
        schedule=Schedule(wall(2026, 5, 4, 10), "FREQ=DAILY", "UTC"),
        created_at=LONG_AGO,
        cancelled=True,
    )
    window = Window(LONG_AGO, LONG_AGO + dt.timedelta(days=3000))
    assert meeting_reminders(group("UTC"), meeting, window) == []


@pytest.mark.parametrize("zone", ZONES)
def test_the_overdue_notice_comes_once_the_morning_after_the_due_date(zone: str) -> None:
    due = dt.date(2026, 3, 31)
    window = Window(LONG_AGO, dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    open_ = MilestoneFacts(id=4, due=due, status=Status.NOT_STARTED)
    [notice] = overdue_notice(group(zone), open_, window)
    assert local(notice.due_at, zone) == dt.datetime(2026, 4, 1, 9, tzinfo=zoneinfo.ZoneInfo(zone))
    assert notice.key == "overdue:4:2026-03-31"
    for done in (Status.COMPLETE, Status.WITHDRAWN):
        assert overdue_notice(group(zone), MilestoneFacts(4, due, done), window) == []


def test_quiet_nudges_come_once_per_quiet_period_and_restart_after_an_update() -> None:
    zone = "Europe/London"
    last = dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC)  # Monday afternoon
    quiet = MilestoneFacts(9, dt.date(2027, 1, 1), Status.LIMITED, last_update_at=last)
    window = Window(last, last + dt.timedelta(weeks=13))
    planned = quiet_nudges(group(zone), quiet, window)
    # After 4, 8 and 12 quiet weeks, the next 09:00 local (Tuesday, since the update was
    # made in the afternoon).
    assert [local(p.due_at, zone) for p in planned] == [
        dt.datetime(2026, 2, 3, 9, tzinfo=zoneinfo.ZoneInfo(zone)),
        dt.datetime(2026, 3, 3, 9, tzinfo=zoneinfo.ZoneInfo(zone)),
        dt.datetime(2026, 3, 31, 9, tzinfo=zoneinfo.ZoneInfo(zone)),
    ]
    assert len({p.key for p in planned}) == 3
    assert planned[0].key == f"quiet:9:{last.isoformat()}"
    # A new update starts a new quiet period: new keys, later times.
    updated = MilestoneFacts(
        id=9, due=quiet.due, status=Status.SUBSTANTIAL, last_update_at=last + dt.timedelta(weeks=3)
    )
    assert quiet_nudges(group(zone), updated, window)[0].due_at > planned[0].due_at
    # Not started, complete: nothing to nudge. No update and no start known: nothing.
    for status in (Status.NOT_STARTED, Status.COMPLETE):
        facts = MilestoneFacts(id=9, due=quiet.due, status=status, last_update_at=last)
        assert quiet_nudges(group(zone), facts, window) == []
    assert quiet_nudges(group(zone), MilestoneFacts(9, quiet.due, Status.LIMITED), window) == []


def test_quiet_counts_from_the_start_when_there_is_no_update() -> None:
    started = dt.datetime(2026, 1, 1, 1, 0, tzinfo=dt.UTC)
    facts = MilestoneFacts(id=9, due=dt.date(2027, 1, 1), status=Status.LIMITED, started_at=started)
    window = Window(started, started + dt.timedelta(weeks=5))
    [nudge] = quiet_nudges(group("Asia/Ulaanbaatar"), facts, window)
    assert local(nudge.due_at, "Asia/Ulaanbaatar").date() == dt.date(2026, 1, 29)


@pytest.mark.parametrize(("zone", "sunday"), DST_SUNDAYS)
def test_planning_adjacent_windows_gives_the_same_as_one_window(zone: str, sunday: dt.date) -> None:
    """What the planner relies on: every notification belongs to exactly one window."""
    facts = group(zone, quiet_weeks=1)
    meeting = MeetingFacts(
        1, Schedule(dt.datetime.combine(sunday, dt.time(1, 30)), "FREQ=DAILY", zone), LONG_AGO
    )
    milestones = [
        MilestoneFacts(2, sunday + dt.timedelta(days=3), Status.LIMITED, (42,), LONG_AGO),
        MilestoneFacts(3, sunday - dt.timedelta(days=2), Status.NOT_STARTED),
    ]
    whole = weeks_around(sunday, zone)
    middle = whole.start + (whole.end - whole.start) / 3
    parts = plan_notifications(facts, [meeting], milestones, Window(whole.start, middle))
    parts += plan_notifications(facts, [meeting], milestones, Window(middle, whole.end))
    once = plan_notifications(facts, [meeting], milestones, whole)
    assert sorted(p.key for p in parts) == [p.key for p in sorted(once, key=lambda p: p.key)]
    assert len({p.key for p in once}) == len(once)
    assert {p.kind for p in once} == {"meeting", "deadline", "overdue", "quiet", "digest"}


def test_nothing_is_planned_from_before_the_group_existed() -> None:
    created = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    facts = GroupFacts(id=1, timezone="UTC", chat_id=GROUP_CHAT, created_at=created)
    # Its 1-day reminder was at 09:00 on the day the group was created, at 12:00.
    milestone = MilestoneFacts(2, dt.date(2026, 6, 2), Status.LIMITED)
    window = Window(created - dt.timedelta(days=1), created + dt.timedelta(days=1))
    assert [p.kind for p in plan_notifications(facts, [], [milestone], window)] == []
