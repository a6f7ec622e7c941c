"""Every value fits the database column it goes to, or `check` says so where it is.

SQLite stores an over-long value anyway; PostgreSQL refuses it mid-import with a traceback
(StringDataRightTruncation). The limits come from storage/models/ itself, so a column
that is made shorter or longer there is checked at its new length.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from sqlalchemy import String

from storage import models
from storage.planfile import PlanFile, PlanFileError, parse_plan_bytes

PLAN = """\
working_group: {{name: '{group_name}', country: '{country}', period: '{period}'}}
agencies:
  - {{code: MRPAM, name: '{agency_name}'}}
  - {{code: '{code}', name: Other}}
commitments:
  - number: '1'
    title: Extractives
    policy_area: '{policy_area}'
    lead_agency: '{code}'
    supporting_agencies: ['{code}']
    milestones:
      - {{number: '{milestone_number}', title: Draft law, due: 2022-06-30, responsible: '{code}'}}
  - {{number: '{commitment_number}', title: Second}}
meetings:
  - {{title: '{meeting_title}', when: every 2nd tuesday 10:00}}
"""
FIELDS = {
    "group_name": "WG",
    "country": "Mongolia",
    "period": "2021-2023",
    "agency_name": "Minerals Authority",
    "code": "DEC",
    "policy_area": "Extractives",
    "milestone_number": "1.1",
    "commitment_number": "2",
    "meeting_title": "Working group meeting",
}


def _length(model: type[models.Base], name: str) -> int:
    kind = model.__table__.c[name].type
    assert isinstance(kind, String) and kind.length is not None
    return kind.length


def _text(n: int) -> str:
    return "Ө" * n  # one character, two bytes: the limit counts characters, as PostgreSQL does


def _group(plan: PlanFile) -> Any:
    assert plan.working_group is not None
    return plan.working_group


Column = tuple[type[models.Base], str]
Case = tuple[str, Column, Callable[[int], str], list[str], Callable[[PlanFile], str]]
CASES: list[Case] = [  # field, its column, a value of n characters, where, the value read
    (
        "group_name",
        (models.WorkingGroup, "name"),
        _text,
        ["working_group.name (line 1)"],
        lambda p: _group(p).name,
    ),
    (
        "country",
        (models.WorkingGroup, "country"),
        _text,
        ["working_group.country (line 1)"],
        lambda p: _group(p).country,
    ),
    (
        "period",
        (models.WorkingGroup, "period"),
        _text,
        ["working_group.period (line 1)"],
        lambda p: _group(p).period,
    ),
    (
        "agency_name",
        (models.Agency, "name"),
        _text,
        ["agencies[0].name (line 3)"],
        lambda p: p.agencies[0].name,
    ),
    (
        "code",
        (models.Agency, "code"),
        lambda n: "C" * n,
        [
            "agencies[1].code (line 4)",
            "commitments[0].lead_agency (line 9)",
            "commitments[0].supporting_agencies[0] (line 10)",
            "commitments[0].milestones[0].responsible (line 12)",
        ],
        lambda p: p.agencies[1].code,
    ),
    (
        "policy_area",
        (models.Commitment, "policy_area"),
        _text,
        ["commitments[0].policy_area (line 8)"],
        lambda p: p.commitments[0].policy_area or "",
    ),
    (
        "milestone_number",
        (models.Milestone, "number"),
        lambda n: "1." + "1" * (n - 2),
        ["commitments[0].milestones[0].number (line 12)"],
        lambda p: p.commitments[0].milestones[0].number,
    ),
    (
        "commitment_number",
        (models.Commitment, "number"),
        lambda n: "2" * n,
        ["commitments[1].number (line 13)"],
        lambda p: p.commitments[1].number,
    ),
    (
        "meeting_title",
        (models.Meeting, "title"),
        _text,
        ["meetings[0].title (line 15)"],
        lambda p: p.meetings[0].title,
    ),
]
CHECKED_OTHERWISE = {
    "WorkingGroup.timezone",  # an IANA name from the zone list
    "WorkingGroup.language",  # en or mn
    "Commitment.ogp_id",  # two letters and four digits
    "Meeting.timezone",  # the group's, not the file's
    "WorkingGroup.public_slug",  # not from a file: 32 characters of storage.public.new_slug
    "WorkingGroup.holiday_country",  # not from a file: a code storage.quiet.country_code knows
    "WorkingGroup.workdays",  # not from a file: weekday digits of storage.quiet.set_workdays
}


def _plan(field: str, value: str) -> bytes:
    return PLAN.format(**{**FIELDS, field: value}).encode()


def test_the_plan_template_is_valid() -> None:
    plan = parse_plan_bytes(_plan("group_name", "WG"), "yaml")
    assert [c.number for c in plan.commitments] == ["1", "2"]


@pytest.mark.parametrize(
    ("field", "column", "value", "where", "read"), CASES, ids=[case[0] for case in CASES]
)
def test_a_value_longer_than_its_column_is_reported_where_it_is(
    field: str,
    column: Column,
    value: Callable[[int], str],
    where: list[str],
    read: Callable[[PlanFile], str],
) -> None:
    limit = _length(*column)
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(_plan(field, value(limit + 1)), "yaml")
    message = f"too long: {limit + 1} characters (at most {limit})"
    assert [(p.location, p.message) for p in info.value.problems] == [
        (location, message) for location in where
    ]


@pytest.mark.parametrize(
    ("field", "column", "value", "where", "read"), CASES, ids=[case[0] for case in CASES]
)
def test_a_value_as_long_as_its_column_is_accepted(
    field: str,
    column: Column,
    value: Callable[[int], str],
    where: list[str],
    read: Callable[[PlanFile], str],
) -> None:
    limit = _length(*column)
    plan = parse_plan_bytes(_plan(field, value(limit)), "yaml")
    assert read(plan) == value(limit)


def test_every_limited_column_a_plan_fills_is_checked() -> None:
    filled = (models.WorkingGroup, models.Agency, models.Commitment, models.Milestone)
    limited = {
        f"{model.__name__}.{column.name}"
        for model in (*filled, models.Meeting)
        for column in model.__table__.columns
        if type(column.type) is String  # not Text, nor an Enum (a String underneath)
    }
    cases = {f"{model.__name__}.{name}" for _, (model, name), *_ in CASES}
    assert limited == cases | CHECKED_OTHERWISE


def test_the_over_long_period_of_the_report_is_found_in_a_workbook() -> None:
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    sheets: dict[str, list[list[object]]] = {
        "working_group": [["field", "value"], ["name", "WG"], ["period", "x" * 71]],
        "commitments": [["commitment_number", "commitment_title"], ["1", "Extractives"]],
        "milestones": [
            ["commitment_number", "milestone_number", "milestone_title", "milestone_due"],
            ["1", "1.1", "Draft law", dt.date(2022, 6, 30)],
        ],
    }
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(out.getvalue(), "xlsx")
    assert [(p.location, p.message) for p in info.value.problems] == [
        ("sheet working_group, row 3, value", "too long: 71 characters (at most 50)")
    ]


def test_over_long_cells_of_a_csv_are_reported_by_row_and_column() -> None:
    header = "commitment_number,commitment_title,commitment_policy_area,milestone_number,"
    header += "milestone_title,milestone_due,milestone_responsible,agency_name"
    row = f"1,T,{'p' * 301},1.1,M,2022-06-30,{'C' * 65},{'n' * 501}"
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(f"{header}\n{row}\n".encode(), "csv")
    # The responsible code is also the code of the agency the row creates: said once.
    assert [(p.location, p.message) for p in info.value.problems] == [
        ("row 2, milestone_responsible", "too long: 65 characters (at most 64)"),
        ("row 2, agency_name", "too long: 501 characters (at most 500)"),
        ("row 2, commitment_policy_area", "too long: 301 characters (at most 300)"),
    ]
