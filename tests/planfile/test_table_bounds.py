"""Spreadsheets that claim to be huge are read with bounded work, and every cap is named.

A styled cell at XFD1048576 makes a 5 KB workbook claim a million rows by 16,384 columns;
walking them all took about half an hour. These tests count the rows and cells openpyxl
hands the reader (and stop a walk that goes too far), instead of timing anything.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Font
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from storage.planfile import PlanFileError, Problem, bounds, load_plan, parse_plan_bytes

HEADER = ["commitment_number", "commitment_title", "milestone_number", "milestone_title"]
HEADER += ["milestone_due"]
ROW = ["1", "Extractives", "1.1", "Draft law", dt.date(2022, 6, 30)]
TOO_FAR = 100_000
"""More cells than any of these sheets holds: a reader that walks this far is walking the
claimed size of the sheet, not its content."""


class WalkedTooFar(BaseException):
    """Stops a runaway walk; a BaseException, so that no `except Exception` can hide it."""


Walk = dict[str, int]


@pytest.fixture
def walk(monkeypatch: pytest.MonkeyPatch) -> Walk:
    """Counts the rows and cells the reader takes from openpyxl's read-only sheets."""
    seen = {"rows": 0, "cells": 0}
    iter_rows = ReadOnlyWorksheet.iter_rows

    def counting(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for row in iter_rows(self, *args, **kwargs):
            seen["rows"] += 1
            seen["cells"] += len(row)
            if seen["cells"] > TOO_FAR:
                raise WalkedTooFar(f"the reader walked {seen['rows']:,} rows so far")
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting)
    return seen


def _save(path: Path, fill: Callable[[Any], None], title: str = "Plan") -> Path:
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.title = title
    sheet.append(HEADER)
    sheet.append(ROW)
    fill(sheet)
    book.save(path)
    return path


def _style_far_corner(sheet: Any) -> None:
    sheet["XFD1048576"].font = Font(bold=True)


def _value_far_corner(sheet: Any) -> None:
    sheet["XFD1048576"] = "stray"


@pytest.mark.parametrize("fill", [_style_far_corner, _value_far_corner], ids=["styled", "value"])
def test_a_far_corner_cell_does_not_make_the_reader_walk_the_whole_sheet(
    tmp_path: Path, walk: Walk, fill: Callable[[Any], None]
) -> None:
    path = _save(tmp_path / "plan.xlsx", fill)
    assert path.stat().st_size < 10_000  # small file, claiming A1:XFD1048576
    plan = load_plan(path)
    assert [(c.number, [m.number for m in c.milestones]) for c in plan.commitments] == [
        ("1", ["1.1"])
    ]
    assert plan.commitments[0].milestones[0].due == dt.date(2022, 6, 30)
    # The two rows, then the run of empty rows that ends the sheet: nothing further.
    assert walk["rows"] <= 2 + bounds.EMPTY_RUN
    assert walk["cells"] <= 2 * len(HEADER)


def test_a_far_corner_cell_in_a_sheet_of_a_workbook_is_bounded_too(
    tmp_path: Path, walk: Walk
) -> None:
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for name, rows in {
        "agencies": [["agency_code", "agency_name"], ["MOF", "Ministry of Finance"]],
        "commitments": [["commitment_number", "commitment_title"], ["6", "Glass Account"]],
        "milestones": [
            ["commitment_number", "milestone_number", "milestone_title", "milestone_due"],
            ["6", "6.1", "Open data", "2022-12-31"],
        ],
    }.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        _style_far_corner(sheet)
    book.save(tmp_path / "plan.xlsx")
    plan = load_plan(tmp_path / "plan.xlsx")
    assert [a.code for a in plan.agencies] == ["MOF"]
    assert [m.number for m in plan.commitments[0].milestones] == ["6.1"]
    assert walk["rows"] <= 3 * (2 + bounds.EMPTY_RUN)


def test_a_value_past_the_last_allowed_column_is_named(tmp_path: Path, walk: Walk) -> None:
    path = _save(tmp_path / "plan.xlsx", lambda sheet: sheet.cell(row=2, column=16384, value="x"))
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    assert info.value.problems == [
        Problem(
            "sheet Plan, row 2, column 16384",
            "a value in column 16384 (XFD): a plan table has at most 200 columns",
        )
    ]
    assert walk["rows"] == 2


def test_trailing_empty_columns_are_ignored(tmp_path: Path, walk: Walk) -> None:
    def styled_row_ends(sheet: Any) -> None:
        for row in (1, 2):
            sheet.cell(row=row, column=16384).font = Font(bold=True)

    plan = load_plan(_save(tmp_path / "plan.xlsx", styled_row_ends))
    assert [m.title for m in plan.commitments[0].milestones] == ["Draft law"]


def test_rows_past_the_cap_are_refused_without_reading_on(
    tmp_path: Path, walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounds, "MAX_ROWS", 3)

    def more_rows(sheet: Any) -> None:
        for n in range(2, 40):
            sheet.append(["1", "Extractives", f"1.{n}", "Step", dt.date(2022, 6, 30)])

    with pytest.raises(PlanFileError) as info:
        load_plan(_save(tmp_path / "plan.xlsx", more_rows))
    assert info.value.problems == [
        Problem(
            "sheet Plan, row 5",
            "more than 3 rows: a plan table has at most 3 (split the plan, or delete what is "
            "below it)",
        )
    ]
    assert walk["rows"] == 5


def test_csv_rows_past_the_cap_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounds, "MAX_ROWS", 2)
    text = ",".join(HEADER) + "\n" + "".join(f"1,T,1.{n},M,2022-06-30\n" for n in range(1, 9))
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(text.encode(), "csv")
    assert info.value.problems == [
        Problem(
            "row 4",
            "more than 2 rows: a plan table has at most 2 (split the plan, or delete what is "
            "below it)",
        )
    ]


def test_csv_trailing_empty_columns_are_ignored() -> None:
    text = ",".join(HEADER) + ",,,\n1,T,1.1,M,2022-06-30,,, \n"
    plan = parse_plan_bytes(text.encode(), "csv")
    assert [m.number for m in plan.commitments[0].milestones] == ["1.1"]


def test_a_workbook_that_unpacks_to_too_much_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _save(tmp_path / "plan.xlsx", lambda sheet: None)
    monkeypatch.setattr(bounds, "MAX_UNPACKED_BYTES", 1_000)
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    [problem] = info.value.problems
    assert problem.location == "file"
    assert problem.message.startswith("the workbook unpacks to ")
    assert problem.message.endswith(
        "a plan workbook may unpack to at most 1,000 bytes (is this the right file?)"
    )


def test_a_damaged_sheet_is_one_clear_problem() -> None:
    out = io.BytesIO()
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.append(HEADER)
    book.save(out)
    data = out.getvalue()
    # Flip bytes inside the compressed sheet: the archive opens, the sheet does not read.
    start = data.index(b"xl/worksheets/sheet1.xml") + 40
    damaged = data[:start] + bytes(b ^ 0xFF for b in data[start : start + 30]) + data[start + 30 :]
    with pytest.raises(PlanFileError) as info:
        parse_plan_bytes(damaged, "xlsx")
    [problem] = info.value.problems
    assert (problem.location, problem.message[:29]) == ("file", "not a readable .xlsx workbook")


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(",".join(HEADER) + "\n" + "1,T,1.1,M,2022-06-30\n" * 20, encoding="utf-8")
    monkeypatch.setattr(bounds, "MAX_FILE_BYTES", {**bounds.MAX_FILE_BYTES, "csv": 100})

    def not_read(self: Path) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", not_read)
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    assert info.value.problems == [
        Problem(
            "plan.csv",
            f"the file is {path.stat().st_size} bytes: a .csv plan file may be at most "
            "100 bytes (is this the right file?)",
        )
    ]
