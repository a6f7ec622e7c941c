"""The moving rule (PRODUCT.md, "Quiet days"): pure, in the group's zone, DST-correct.

A reminder ahead of something moves to the previous working day at the same wall time
(at once when that has passed), a notice after the fact and the digest to the next
working day, the meeting's own reminders never; planning applies it in one place and
keeps every key that of the unmoved time.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from domain.enums import Status
from domain.quiet import Move, QuietCalendar, moved, spans
from domain.recurrence import Schedule
from domain.rules import (
    DEADLINE,
    DIGEST,
    MEETING,
    OVERDUE,
    GroupFacts,
    MeetingFacts,
    MilestoneFacts,
    Window,
    plan_notifications,
)
from storage.quiet import country_code, public_holidays

UB = zoneinfo.ZoneInfo("Asia/Ulaanbaatar")
NY = zoneinfo.ZoneInfo("America/New_York")
MON_FRI = QuietCalendar()
SUN_THU = QuietCalendar(workdays=frozenset({6, 0, 1, 2, 3}))
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def at(
    tz: zoneinfo.ZoneInfo, year: int, month: int, day: int, hour: int, minute: int
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


def local(when: dt.datetime, tz: zoneinfo.ZoneInfo) -> tuple[dt.date, dt.time]:
    shown = when.astimezone(tz)
    return shown.date(), shown.time()


@pytest.mark.parametrize("tz", [UB, NY, zoneinfo.ZoneInfo("UTC"), zoneinfo.ZoneInfo("Asia/Tehran")])
def test_a_weekend_reminder_moves_to_friday_or_monday_at_the_same_wall_time(
    tz: zoneinfo.ZoneInfo,
) -> None:
    saturday = at(tz, 2022, 10, 29, 9, 0)
    assert local(moved(saturday, Move.EARLIER, tz=tz, calendar=MON_FRI), tz) == (
        dt.date(2022, 10, 28),
        dt.time(9, 0),
    )
    assert local(moved(saturday, Move.LATER, tz=tz, calendar=MON_FRI), tz) == (
        dt.date(2022, 10, 31),
        dt.time(9, 0),
    )
    assert moved(saturday, Move.STAY, tz=tz, calendar=MON_FRI) == saturday
    tuesday = at(tz, 2022, 11, 1, 9, 0)
    assert moved(tuesday, Move.EARLIER, tz=tz, calendar=MON_FRI) == tuesday


def test_the_weekend_is_judged_in_the_groups_zone_not_in_utc() -> None:
    # Monday 07:00 in Ulaanbaatar is still Sunday 23:00 in UTC: a working day here.
    monday = at(UB, 2022, 10, 31, 7, 0)
    assert monday.astimezone(dt.UTC).weekday() == 6
    assert moved(monday, Move.LATER, tz=UB, calendar=MON_FRI) == monday
    # Sunday 20:00 in New York is Monday 01:00 in UTC: quiet here.
    sunday = at(NY, 2022, 10, 30, 20, 0)
    assert local(moved(sunday, Move.LATER, tz=NY, calendar=MON_FRI), NY)[0] == dt.date(2022, 10, 31)


def test_a_move_across_daylight_saving_keeps_the_wall_time() -> None:
    # New York springs forward on Sunday 2022-03-13: Monday 09:00 EDT is 13:00 UTC,
    # the Friday before at 09:00 EST is 14:00 UTC.
    off = QuietCalendar(days_off=frozenset({dt.date(2022, 3, 14)}))
    monday = at(NY, 2022, 3, 14, 9, 0)
    friday = moved(monday, Move.EARLIER, tz=NY, calendar=off)
    assert friday == dt.datetime(2022, 3, 11, 14, 0, tzinfo=dt.UTC)
    assert monday.astimezone(dt.UTC).hour == 13
    # And falls back on Sunday 2022-11-06: Saturday 09:00 EDT moves to Monday 09:00 EST.
    saturday = at(NY, 2022, 11, 5, 9, 0)
    assert moved(saturday, Move.LATER, tz=NY, calendar=MON_FRI) == dt.datetime(
        2022, 11, 7, 14, 0, tzinfo=dt.UTC
    )


def test_a_wall_time_in_the_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist in New York on 2022-03-13 (a Sunday made a working day here).
    calendar = QuietCalendar(
        workdays=frozenset(range(7)), days_off=frozenset({dt.date(2022, 3, 14)})
    )
    monday = at(NY, 2022, 3, 14, 2, 30)
    sunday = moved(monday, Move.EARLIER, tz=NY, calendar=calendar)
    assert local(sunday, NY) == (dt.date(2022, 3, 13), dt.time(3, 30))


def test_a_holiday_range_spanning_a_weekend_is_skipped_whole() -> None:
    # Own days off Thursday 2022-08-04 to Tuesday 2022-08-09, the weekend inside.
    days = frozenset(dt.date(2022, 8, 4) + dt.timedelta(days=i) for i in range(6))
    calendar = QuietCalendar(days_off=days)
    monday = at(UB, 2022, 8, 8, 9, 0)
    assert local(moved(monday, Move.EARLIER, tz=UB, calendar=calendar), UB)[0] == dt.date(
        2022, 8, 3
    )
    assert local(moved(monday, Move.LATER, tz=UB, calendar=calendar), UB)[0] == dt.date(2022, 8, 10)
    assert spans(days | {dt.date(2022, 8, 20)}) == [
        (dt.date(2022, 8, 4), dt.date(2022, 8, 9)),
        (dt.date(2022, 8, 20), dt.date(2022, 8, 20)),
    ]


def test_a_sunday_to_thursday_week() -> None:
    friday = at(UB, 2022, 10, 28, 9, 0)
    sunday = at(UB, 2022, 10, 30, 9, 0)
    assert moved(sunday, Move.EARLIER, tz=UB, calendar=SUN_THU) == sunday  # a working day
    assert local(moved(friday, Move.EARLIER, tz=UB, calendar=SUN_THU), UB)[0] == dt.date(
        2022, 10, 27
    )
    assert local(moved(friday, Move.LATER, tz=UB, calendar=SUN_THU), UB)[0] == dt.date(2022, 10, 30)


def test_an_earlier_move_already_past_goes_at_once_and_a_missed_one_stays_missed() -> None:
    saturday = at(UB, 2022, 10, 29, 9, 0)
    now = at(UB, 2022, 10, 28, 15, 0)  # Friday afternoon: Friday 09:00 has passed
    assert moved(saturday, Move.EARLIER, tz=UB, calendar=MON_FRI, now=now) == now
    later = at(UB, 2022, 10, 29, 11, 0)  # both the moved and the original time passed
    assert moved(saturday, Move.EARLIER, tz=UB, calendar=MON_FRI, now=later) == saturday
    early = at(UB, 2022, 10, 27, 8, 0)
    assert local(moved(saturday, Move.EARLIER, tz=UB, calendar=MON_FRI, now=early), UB) == (
        dt.date(2022, 10, 28),
        dt.time(9, 0),
    )


def test_a_calendar_without_working_days_moves_nothing() -> None:
    none = QuietCalendar(workdays=frozenset())
    saturday = at(UB, 2022, 10, 29, 9, 0)
    assert moved(saturday, Move.EARLIER, tz=UB, calendar=none) == saturday


def test_mongolias_holidays_come_from_the_library_with_names_in_each_language() -> None:
    assert country_code("mn") == "MN" and country_code("XX") is None and country_code("MNG") is None
    naadam = [dt.date(2022, 7, 11) + dt.timedelta(days=i) for i in range(5)]
    english = public_holidays("MN", 2022, "en")
    assert all(day in english for day in naadam)
    assert "National Festival" in english[dt.date(2022, 7, 11)]
    assert "наадам" in public_holidays("MN", 2022, "mn")[dt.date(2022, 7, 11)]
    # No Spanish names for Mongolia: the library's default, not an error.
    assert public_holidays("MN", 2022, "es")[dt.date(2022, 7, 11)]
    calendar = QuietCalendar(days_off=frozenset(english))
    # A deadline reminder on Wednesday of Naadam comes on Friday 8 July; an overdue
    # notice on Tuesday of Naadam on Monday 18 July.
    wednesday = at(UB, 2022, 7, 13, 9, 0)
    assert local(moved(wednesday, Move.EARLIER, tz=UB, calendar=calendar), UB)[0] == dt.date(
        2022, 7, 8
    )
    assert local(moved(wednesday, Move.LATER, tz=UB, calendar=calendar), UB)[0] == dt.date(
        2022, 7, 18
    )


# --- planning ------------------------------------------------------------------------------

NAADAM = frozenset(public_holidays("MN", 2022))


def group(**extra: object) -> GroupFacts:
    facts: dict[str, object] = {
        "id": 1,
        "timezone": "Asia/Ulaanbaatar",
        "chat_id": -100,
        "created_at": LONG_AGO,
        "digest_weekday": None,
        "quiet": QuietCalendar(days_off=NAADAM),
    }
    return GroupFacts(**(facts | extra))  # type: ignore[arg-type]


def window(start: dt.datetime, hours: int = 48) -> Window:
    return Window(start=start, end=start + dt.timedelta(hours=hours))


def test_planning_moves_a_deadline_reminder_into_the_window_from_beyond_it() -> None:
    # Due Monday 2022-07-18; the 7-day reminder would be Monday 11 July (Naadam): it
    # comes on Friday 8 July, planned by a window that ends long before 11 July.
    milestone = MilestoneFacts(id=7, due=dt.date(2022, 7, 18), status=Status.LIMITED)
    facts = group(deadline_offsets_days=(7,))
    start = at(UB, 2022, 7, 7, 10, 0)
    [planned] = plan_notifications(facts, [], [milestone], window(start), now=start)
    assert planned.kind == DEADLINE
    assert local(planned.due_at, UB) == (dt.date(2022, 7, 8), dt.time(9, 0))
    assert planned.key == "deadline:7:2022-07-18:7:group"  # the unmoved key
    assert planned.moves is Move.EARLIER
    # Without quiet days it would be 11 July, outside this window.
    assert (
        plan_notifications(
            group(quiet=None, deadline_offsets_days=(7,)), [], [milestone], window(start)
        )
        == []
    )


def test_a_digest_due_on_a_holiday_comes_on_the_next_working_day() -> None:
    # Tuesday digests; Tuesday 2022-06-14 is the Buddha's Birthday in Mongolia.
    facts = group(digest_weekday=1)
    start = at(UB, 2022, 6, 13, 12, 0)
    assert plan_notifications(facts, [], [], window(start, hours=30), now=start) == []
    [digest] = plan_notifications(facts, [], [], window(start, hours=48), now=start)
    assert digest.kind == DIGEST and digest.key == "digest:1:2022-W24"
    assert local(digest.due_at, UB) == (dt.date(2022, 6, 15), dt.time(9, 0))
    # Planned later, from a window that begins after the holiday, it is still there.
    after = at(UB, 2022, 6, 15, 8, 0)
    assert [p.key for p in plan_notifications(facts, [], [], window(after), now=after)] == [
        "digest:1:2022-W24"
    ]


def test_overdue_notices_move_later_and_meetings_keep_their_own_reminders() -> None:
    milestone = MilestoneFacts(id=3, due=dt.date(2022, 7, 10), status=Status.LIMITED)
    meeting = MeetingFacts(
        id=5,
        schedule=Schedule(
            first_start_local=dt.datetime.combine(dt.date(2022, 7, 12), dt.time(10)),
            rrule=None,
            timezone="Asia/Ulaanbaatar",
        ),
        created_at=LONG_AGO,
    )
    facts = group(deadline_offsets_days=())
    start = at(UB, 2022, 7, 7, 0, 0)
    planned = plan_notifications(
        facts, [meeting], [milestone], Window(start, start + dt.timedelta(days=14)), now=start
    )
    by_key = {p.key: p for p in planned}
    overdue = by_key["overdue:3:2022-07-10"]
    assert overdue.kind == OVERDUE and local(overdue.due_at, UB)[0] == dt.date(2022, 7, 18)
    meetings = sorted((p for p in planned if p.kind == MEETING), key=lambda p: p.due_at)
    days = [local(p.due_at, UB) for p in meetings]
    assert days == [
        (dt.date(2022, 7, 8), dt.time(10, 0)),  # the day before, moved off Naadam's Monday
        (dt.date(2022, 7, 12), dt.time(9, 0)),  # an hour before: the meeting is when it is
        (dt.date(2022, 7, 12), dt.time(10, 0)),
    ]


def test_planning_in_pieces_plans_what_planning_at_once_does() -> None:
    milestones = [
        MilestoneFacts(
            id=i, due=dt.date(2022, 7, 1) + dt.timedelta(days=3 * i), status=Status.LIMITED
        )
        for i in range(12)
    ]
    facts = group(digest_weekday=0)
    start = at(UB, 2022, 6, 20, 0, 0)
    whole = Window(start, start + dt.timedelta(days=40))
    once = {p.key: p.due_at for p in plan_notifications(facts, [], milestones, whole)}
    pieces: dict[str, dt.datetime] = {}
    step = start
    while step < whole.end:
        part = Window(step, min(step + dt.timedelta(hours=48), whole.end))
        pieces |= {p.key: p.due_at for p in plan_notifications(facts, [], milestones, part)}
        step = part.end
    assert pieces == once
    assert all(not facts.quiet.is_quiet(d.astimezone(UB).date()) for d in once.values())  # type: ignore[union-attr]


def test_a_digest_moved_onto_next_weeks_digest_day_gives_way_to_it() -> None:
    # Monday digests; Monday 2022-07-11 opens Naadam: it would move to Monday 18th,
    # the day of the next week's own digest. One digest that morning.
    facts = group(digest_weekday=0)
    start = at(UB, 2022, 7, 10, 0, 0)
    planned = plan_notifications(facts, [], [], Window(start, start + dt.timedelta(days=10)))
    assert [(p.key, local(p.due_at, UB)) for p in planned] == [
        ("digest:1:2022-W29", (dt.date(2022, 7, 18), dt.time(9, 0)))
    ]


def test_a_quiet_milestone_nudge_due_on_a_saturday_comes_on_monday() -> None:
    # Last update Saturday 2022-09-03 10:00: four weeks later is Saturday 1 October.
    milestone = MilestoneFacts(
        id=4,
        due=dt.date(2023, 6, 30),
        status=Status.SUBSTANTIAL,
        last_update_at=at(UB, 2022, 9, 3, 10, 0),
    )
    facts = group(deadline_offsets_days=(), quiet=MON_FRI)
    start = at(UB, 2022, 9, 30, 12, 0)
    [nudge] = plan_notifications(facts, [], [milestone], window(start, hours=72), now=start)
    assert nudge.key.startswith("quiet:4:") and nudge.moves is Move.LATER
    assert local(nudge.due_at, UB) == (dt.date(2022, 10, 3), dt.time(9, 0))
