"""OGP's minimum requirements and the action-item rules: pure functions of explicit dates."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.enums import Status
from domain.minutes import hash_line, nearest_occurrence, parse_action, parse_link, should_close
from domain.ogp import Requirement, lapse_date, standing, warning_days
from domain.rules import ACTION_DEADLINE, ACTION_OVERDUE, OGP, GroupFacts, Move, Window
from domain.tracked import ActionFacts, OgpFacts, action_notices, ogp_warnings

CREATED = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("last", "lapses"),
    [
        (dt.date(2023, 8, 31), dt.date(2024, 2, 29)),  # leap year: the last day of February
        (dt.date(2022, 8, 31), dt.date(2023, 2, 28)),
        (dt.date(2022, 8, 30), dt.date(2023, 2, 28)),
        (dt.date(2022, 3, 1), dt.date(2022, 9, 1)),
        (dt.date(2022, 12, 31), dt.date(2023, 6, 30)),
        (dt.date(2022, 7, 15), dt.date(2023, 1, 15)),  # across the year's end
    ],
)
def test_a_requirement_lapses_six_calendar_months_after_its_last_date(
    last: dt.date, lapses: dt.date
) -> None:
    assert lapse_date(last) == lapses


def test_standing_counts_days_left_from_the_last_date_or_the_groups_creation() -> None:
    s = standing(
        Requirement.FORUM, last=None, created=dt.date(2022, 9, 1), today=dt.date(2022, 9, 13)
    )
    assert (s.since, s.lapses, s.days_left, s.lapsed) == (
        dt.date(2022, 9, 1),
        dt.date(2023, 3, 1),
        169,
        False,
    )
    late = standing(
        Requirement.REPOSITORY,
        last=dt.date(2022, 1, 10),
        created=dt.date(2021, 1, 1),
        today=dt.date(2022, 7, 12),
    )
    assert late.days_left == -2 and late.lapsed


def test_warnings_are_30_and_7_days_before_and_on_the_day() -> None:
    assert warning_days(dt.date(2024, 2, 29)) == [
        (30, dt.date(2024, 1, 30)),
        (7, dt.date(2024, 2, 22)),
        (0, dt.date(2024, 2, 29)),
    ]


def group(tz: str) -> GroupFacts:
    return GroupFacts(id=7, timezone=tz, chat_id=-100, created_at=CREATED)


@pytest.mark.parametrize(
    ("tz", "utc"),
    [
        ("Asia/Ulaanbaatar", dt.datetime(2024, 2, 29, 1, 0, tzinfo=dt.UTC)),
        ("UTC", dt.datetime(2024, 2, 29, 9, 0, tzinfo=dt.UTC)),
        # 09:00 in Los Angeles on 29 February is 17:00 UTC the same day (PST, UTC-8).
        ("America/Los_Angeles", dt.datetime(2024, 2, 29, 17, 0, tzinfo=dt.UTC)),
        ("Pacific/Kiritimati", dt.datetime(2024, 2, 28, 19, 0, tzinfo=dt.UTC)),  # UTC+14
    ],
)
def test_the_warning_on_the_day_is_at_nine_local_in_every_zone(tz: str, utc: dt.datetime) -> None:
    facts = OgpFacts(created=dt.date(2023, 1, 1), forum=dt.date(2023, 8, 31))
    window = Window(utc - dt.timedelta(hours=1), utc + dt.timedelta(hours=1))
    [forum] = [p for p in ogp_warnings(group(tz), facts, window) if "forum" in p.key]
    assert forum.key == "ogp:7:forum:2024-02-29:0"
    assert forum.due_at == utc and forum.kind == OGP and forum.moves is Move.EARLIER
    assert forum.payload == {"requirement": "forum", "lapses": "2024-02-29", "days": 0}


def test_a_newer_date_is_a_new_lapse_date_and_so_new_keys() -> None:
    window = Window(dt.datetime(2022, 1, 1, tzinfo=dt.UTC), dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    old = ogp_warnings(group("UTC"), OgpFacts(created=dt.date(2022, 1, 1)), window)
    new = ogp_warnings(
        group("UTC"), OgpFacts(created=dt.date(2022, 1, 1), forum=dt.date(2022, 6, 1)), window
    )
    old_forum = {p.key for p in old if ":forum:" in p.key}
    new_forum = {p.key for p in new if ":forum:" in p.key}
    assert old_forum == {f"ogp:7:forum:2022-07-01:{d}" for d in (30, 7, 0)}
    assert new_forum == {f"ogp:7:forum:2022-12-01:{d}" for d in (30, 7, 0)}
    # The repository's warnings are the same: only the forum's date changed.
    assert {p.key for p in old if "repository" in p.key} == {
        p.key for p in new if "repository" in p.key
    }


def test_no_chat_no_warnings() -> None:
    facts = GroupFacts(id=7, timezone="UTC", chat_id=None, created_at=CREATED)
    window = Window(CREATED, CREATED + dt.timedelta(days=400))
    assert ogp_warnings(facts, OgpFacts(created=dt.date(2022, 1, 1)), window) == []


def test_action_items_are_reminded_like_milestones_under_their_own_keys() -> None:
    g = GroupFacts(id=7, timezone="Asia/Ulaanbaatar", chat_id=-100, created_at=CREATED)
    action = ActionFacts(
        id=3, due=dt.date(2022, 10, 31), status=Status.LIMITED, private_chats=(55,)
    )
    window = Window(
        dt.datetime(2022, 10, 1, tzinfo=dt.UTC), dt.datetime(2022, 11, 5, tzinfo=dt.UTC)
    )
    planned = action_notices(g, action, window)
    keys = sorted(p.key for p in planned)
    assert keys == sorted(
        [
            *(f"action_deadline:3:2022-10-31:{d}:group" for d in (14, 7, 1)),
            *(f"action_deadline:3:2022-10-31:{d}:user:55" for d in (14, 7, 1)),
            "action_overdue:3:2022-10-31",
        ]
    )
    overdue = next(p for p in planned if p.kind == ACTION_OVERDUE)
    assert overdue.due_at == dt.datetime(2022, 11, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in UB
    assert overdue.moves is Move.LATER and overdue.payload["action_id"] == 3
    assert all(p.moves is Move.EARLIER for p in planned if p.kind == ACTION_DEADLINE)
    assert action_notices(g, ActionFacts(id=3, due=None, status=Status.LIMITED), window) == []
    done = ActionFacts(id=3, due=dt.date(2022, 10, 31), status=Status.COMPLETE)
    assert action_notices(g, done, window) == []


def test_minutes_close_themselves_after_four_hours() -> None:
    opened = dt.datetime(2022, 9, 13, 1, 45, tzinfo=dt.UTC)
    assert not should_close(opened, opened + dt.timedelta(hours=3, minutes=59))
    assert should_close(opened, opened + dt.timedelta(hours=4))


def test_minutes_belong_to_the_nearest_occurrence_within_two_hours() -> None:
    now = dt.datetime(2022, 9, 13, 1, 45, tzinfo=dt.UTC)
    starts = [
        (1, now + dt.timedelta(minutes=15)),
        (2, now - dt.timedelta(minutes=90)),
        (3, now + dt.timedelta(hours=3)),
    ]
    assert nearest_occurrence(starts, now) == (1, now + dt.timedelta(minutes=15))
    assert nearest_occurrence([(3, now + dt.timedelta(hours=3))], now) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("#agreed We meet monthly", ("agreed", "We meet monthly")),
        ("#INFO: the law passed", ("info", "the law passed")),
        ("#action PPA Draft the rules", ("action", "PPA Draft the rules")),
        ("#information is not a line", None),
        ("talk about #info later", None),
    ],
)
def test_hash_lines(text: str, found: tuple[str, str] | None) -> None:
    got = hash_line(text)
    assert (None if got is None else (got[0].value, got[1])) == found


def test_the_words_of_action_and_link() -> None:
    words = parse_action("MRPAM Publish the licence register by 2022-10-31")
    assert words is not None
    assert words.due_word == "2022-10-31"
    assert words.splits()[-1] == ("MRPAM", "Publish the licence register")
    assert words.splits()[0] == ("MRPAM Publish the licence", "register")
    assert parse_action("MRPAM") is None
    assert parse_link("https://example.org/a Report") == ("https://example.org/a", "Report")
    assert parse_link("not a link") is None
