"""Writers and readers agree: any valid plan survives YAML, XLSX and (what it can carry) CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.enums import Language, Sector, Status
from storage.planfile import (
    AgencySpec,
    CommitmentSpec,
    MeetingSpec,
    MilestoneSpec,
    PlanFile,
    PlanFileError,
    Problem,
    WorkingGroupSpec,
    dump_csv,
    dump_xlsx,
    dump_yaml,
    parse_plan_bytes,
)
from storage.planfile.schema import normalize_newlines
from storage.planfile.yaml_io import plan_data

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_CHARS = st.one_of(
    st.characters(
        blacklist_categories=("Cs", "Cn"),
        blacklist_characters="\x00\x01\x02\x03"
        "\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
        "\x1b\x1c\x1d\x1e\x1f",
    ),
    st.sampled_from(list("\n\t\"',;:#-=!&*|>{}[]%@`ӨөҮүЖж ")),
)


def _clean(text: str) -> str:
    return normalize_newlines(text).strip()


TEXT = st.text(_CHARS, min_size=1, max_size=30).map(_clean).filter(bool)
LINE = TEXT.filter(lambda t: "\n" not in t)
CODE = st.from_regex(r"[A-Z][A-Za-z0-9_.\-]{0,7}", fullmatch=True)
NUMBER = st.from_regex(r"[1-9][0-9]?[a-z]?", fullmatch=True)
DATES = st.dates(min_value=__import__("datetime").date(1990, 1, 1))


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def _span(draw: st.DrawFn, required_end: bool) -> tuple[Any, Any]:
    first, second = sorted([draw(DATES), draw(DATES)])
    start = draw(_optional(st.just(first)))
    end = second if required_end else draw(_optional(st.just(second)))
    return start, end


@st.composite
def plans(draw: st.DrawFn) -> PlanFile:
    codes = draw(st.lists(CODE, max_size=4, unique=True))
    agency = st.sampled_from(codes) if codes else st.none()
    agencies = [
        AgencySpec(code=code, name=draw(TEXT), sector=draw(st.sampled_from(Sector)))
        for code in codes
    ]
    commitments = []
    for number in draw(st.lists(NUMBER, max_size=3, unique=True)):
        milestones = []
        for n in range(1, draw(st.integers(0, 3)) + 1):
            start, due = draw(_span(required_end=True))
            milestones.append(
                MilestoneSpec(
                    number=f"{number}.{n}",
                    title=draw(TEXT),
                    responsible=draw(_optional(agency)),
                    start=start,
                    due=due,
                    status=draw(st.sampled_from(Status)),
                )
            )
        start, end = draw(_span(required_end=False))
        commitments.append(
            CommitmentSpec(
                number=number,
                title=draw(TEXT),
                ogp_id=draw(_optional(st.from_regex(r"[A-Z]{2}[0-9]{4}", fullmatch=True))),
                description=draw(_optional(TEXT)),
                policy_area=draw(_optional(TEXT)),
                lead_agency=draw(_optional(agency)),
                supporting_agencies=draw(st.lists(agency, max_size=2, unique=True))
                if codes
                else [],
                start=start,
                end=end,
                milestones=milestones,
            )
        )
    group = WorkingGroupSpec(
        name=draw(TEXT),
        country=draw(_optional(TEXT)),
        period=draw(_optional(LINE)),
        timezone=draw(_optional(st.sampled_from(["UTC", "Asia/Ulaanbaatar", "America/New_York"]))),
        language=draw(_optional(st.sampled_from(Language))),
    )
    meetings = [
        MeetingSpec(
            title=draw(TEXT),
            when=draw(
                st.sampled_from(
                    [
                        "every 2nd tue 10:00",
                        "2025-03-18 09:30",
                        "every day 08:00",
                        "RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=-1TH 15:00",
                    ]
                )
            ),
            place=draw(_optional(TEXT)),
            duration_minutes=draw(_optional(st.integers(1, 24 * 60))),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    return PlanFile(
        working_group=draw(_optional(st.just(group))),
        agencies=agencies,
        commitments=commitments,
        meetings=meetings,
    )


def csv_view(plan: PlanFile) -> PlanFile:
    """What a CSV can carry: no working group or meetings; agencies in order of first use,
    named only when some row names them (as a milestone's or a lead's responsible agency)."""
    by_code = {agency.code: agency for agency in plan.agencies}
    order: list[str] = []
    named: set[str] = set()
    for commitment in plan.commitments:
        milestones: list[MilestoneSpec | None] = [*commitment.milestones] or [None]
        for milestone in milestones:
            responsible = (milestone and milestone.responsible) or commitment.lead_agency
            for code in (commitment.lead_agency, *commitment.supporting_agencies, responsible):
                if code is not None and code not in order:
                    order.append(code)
            if responsible is not None:
                named.add(responsible)
    agencies = [by_code[c] if c in named else AgencySpec(code=c, name=c) for c in order]
    return PlanFile(agencies=agencies, commitments=plan.commitments)


@FAST
@given(plans())
def test_yaml_round_trip(plan: PlanFile) -> None:
    assert parse_plan_bytes(dump_yaml(plan).encode(), "yaml") == plan


@FAST
@given(plans())
def test_xlsx_round_trip(plan: PlanFile) -> None:
    assert parse_plan_bytes(dump_xlsx(plan), "xlsx") == plan


@FAST
@given(plans())
def test_csv_round_trip(plan: PlanFile) -> None:
    assert parse_plan_bytes(dump_csv(plan).encode(), "csv") == csv_view(plan)


def test_csv_round_trip_is_exact_when_every_agency_is_responsible_somewhere() -> None:
    plan = PlanFile(
        agencies=[
            AgencySpec(code="MRPAM", name='Minerals, "Petroleum" Authority'),
            AgencySpec(code="DEC", name="Ардчиллын боловсрол төв", sector=Sector.CIVIL_SOCIETY),
        ],
        commitments=[
            CommitmentSpec(
                number="1",
                title="Extractives; transparency",
                description='Line one,\nline "two"',
                lead_agency="MRPAM",
                supporting_agencies=["DEC"],
                milestones=[
                    MilestoneSpec(number="1.1", title="=Draft", due="2022-06-30"),
                    MilestoneSpec(
                        number="1.2",
                        title="Hearings",
                        due="2022-04-30",
                        responsible="DEC",
                        status=Status.COMPLETE,
                    ),
                ],
            ),
            CommitmentSpec(number="2", title="No milestones yet", lead_agency="DEC"),
        ],
    )
    assert parse_plan_bytes(dump_csv(plan).encode("utf-8-sig"), "csv") == plan


def test_extra_columns_are_written_and_ignored_on_import() -> None:
    plan = PlanFile(
        agencies=[AgencySpec(code="MOF", name="Ministry of Finance")],
        commitments=[
            CommitmentSpec(
                number="6",
                title="Glass Account",
                milestones=[
                    MilestoneSpec(
                        number="6.1", title="Open data", due="2022-12-31", responsible="MOF"
                    )
                ],
            )
        ],
    )
    extra = {"6.1": {"milestone_last_update": "2022-11-02", "milestone_last_note": "Draft, v2"}}
    text = dump_csv(plan, extra)
    rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["milestone_last_note"] == "Draft, v2"
    assert rows[0]["milestone_last_update_by"] == ""
    assert parse_plan_bytes(text.encode(), "csv") == plan
    assert parse_plan_bytes(dump_xlsx(plan, extra), "xlsx") == plan


_JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | st.dates()
    | st.datetimes(),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=4,
)


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _leaves(value, (*path, index))
    return found


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replace(data[path[0]], path[1:], value)
    return copy


@FAST
@given(plans(), st.data())
def test_any_damage_is_a_plan_file_error(plan: PlanFile, data: st.DataObject) -> None:
    raw = plan_data(plan)
    path = data.draw(st.sampled_from(_leaves(raw)))
    damaged = _replace(raw, path, data.draw(_JUNK))
    text = yaml.safe_dump(damaged, allow_unicode=True)
    for fmt in ("yaml", "csv"):
        try:
            parse_plan_bytes(text.encode(), fmt)
        except PlanFileError as exc:
            problems = exc.problems
        else:
            problems = [Problem("none", "valid")]
        assert problems  # a PlanFileError always says what is wrong
