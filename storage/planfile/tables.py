"""The one-table form shared by CSV files and single-sheet workbooks: one row per milestone.

A row's commitment columns are repeated on every row of that commitment (a later row may
leave them empty; a different value is a problem). A row whose milestone cells are all
empty carries a commitment without milestones. Agencies are made from every code the
rows use, in order of first use (lead agency, supporting agencies, then the row's
responsible agency); `agency_name`/`agency_sector` name the row's responsible agency
(`milestone_responsible`, else `commitment_lead_agency`). So an agency's name and sector
travel only if it is the responsible agency of some row; otherwise its name is its code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from storage.planfile.checks import Collector, Loc, SortKey, number_subject
from storage.planfile.schema import MilestoneSpec, PlanFile, normalize_newlines, split_codes

__all__ = [
    "COLUMNS",
    "INFO_COLUMNS",
    "REQUIRED_COLUMNS",
    "TableLocator",
    "is_empty",
    "key_text",
    "read_header",
    "read_milestone_table",
    "table_rows",
]

COMMITMENT_FIELDS = (
    "number",
    "title",
    "ogp_id",
    "description",
    "policy_area",
    "lead_agency",
    "supporting_agencies",
    "start",
    "end",
)
MILESTONE_FIELDS = ("number", "title", "responsible", "start", "due", "status")
INFO_COLUMNS = ("milestone_last_update", "milestone_last_update_by", "milestone_last_note")
COLUMNS = (
    *(f"commitment_{f}" for f in COMMITMENT_FIELDS),
    *(f"milestone_{f}" for f in MILESTONE_FIELDS),
    "agency_name",
    "agency_sector",
    *INFO_COLUMNS,
)
REQUIRED_COLUMNS = (
    "commitment_number",
    "commitment_title",
    "milestone_number",
    "milestone_title",
    "milestone_due",
)

Cell = Any
"""A cell as the reader gives it: text from CSV; text, number, datetime or None from XLSX."""


def is_empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def key_text(cell: Cell) -> str:
    """A cell as comparable text: to group rows by commitment and compare repeated cells."""
    if isinstance(cell, dt.datetime) and cell.time() == dt.time(0):
        cell = cell.date()
    if isinstance(cell, dt.date | int) and not isinstance(cell, bool):
        return str(cell) if not isinstance(cell, dt.date) else cell.isoformat()
    if isinstance(cell, str):
        return normalize_newlines(cell).strip()
    return repr(cell)


class TableLocator:
    """Where each object and field of the raw plan came from in a table."""

    def __init__(self) -> None:
        self._known: dict[Loc, tuple[SortKey, str]] = {}

    def add(self, loc: Loc, key: SortKey, location: str) -> None:
        self._known.setdefault(loc, (key, location))

    def __call__(self, loc: Loc) -> tuple[SortKey, str]:
        for end in range(len(loc), -1, -1):
            if loc[:end] in self._known:
                return self._known[loc[:end]]
        return (0,), "file"


class Where:
    """Formats "row 7, milestone_due", with a sheet in front for workbooks."""

    def __init__(self, sheet: str | None = None, order: int = 0) -> None:
        self.sheet, self.order = sheet, order

    def __call__(self, row: int, column: str | None = None) -> tuple[SortKey, str]:
        text = f"row {row}" + (f", {column}" if column else "")
        return (self.order, row), (f"sheet {self.sheet}, {text}" if self.sheet else text)


def read_header(
    header: Sequence[Cell],
    allowed: Sequence[str],
    required: Sequence[str],
    where: Where,
    found: Collector,
) -> list[str | None] | None:
    """Column names by position, or None when a required column is missing.

    An unknown or repeated column is reported once and its cells are ignored (""); a column
    without a name (None) is fine while it stays empty.
    """
    names: list[str | None] = []
    for cell in header:
        name = None if is_empty(cell) else key_text(cell).lower()
        if name is not None and name not in allowed:
            if len(header) == 1 and ";" in name:
                hint = "this file seems to use ';' between columns: save it with commas"
                found.add(*where(1, name), f"unknown column '{name}' ({hint})")
                return None
            found.add(*where(1, name), f"unknown column '{name}'")
            name = ""
        elif name is not None and name in names:
            found.add(*where(1, name), f"column '{name}' appears twice")
            name = ""
        names.append(name)
    missing = [column for column in required if column not in names]
    for column in missing:
        found.add(*where(1, None), f"required column '{column}' is missing")
    return None if missing else names


def table_rows(
    names: Sequence[str | None],
    rows: Iterable[tuple[int, Sequence[Cell]]],
    where: Where,
    found: Collector,
) -> list[tuple[int, dict[str, Cell]]]:
    """Non-empty rows as {column: cell} without empty cells; values in nameless columns are
    problems."""
    result = []
    for number, cells in rows:
        if all(is_empty(cell) for cell in cells):
            continue
        row: dict[str, Cell] = {}
        for index, cell in enumerate(cells):
            if is_empty(cell):
                continue
            name = names[index] if index < len(names) else None
            if name is None:
                found.add(*where(number, f"column {index + 1}"), "a value under an empty header")
            elif name:
                row[name] = cell
        result.append((number, row))
    return result


def read_milestone_table(
    rows: list[tuple[int, dict[str, Cell]]],
    where: Where,
    locator: TableLocator,
    found: Collector,
) -> dict[str, Any]:
    """The raw plan of a one-table file (no working group, no meetings)."""
    commitments: dict[str, dict[str, Any]] = {}
    first_row: dict[str, dict[str, int]] = {}  # commitment key -> field -> row that set it
    position: dict[str, int] = {}  # commitment key -> its index (a lookup, not a search)
    agencies: dict[str, dict[str, Any]] = {}
    named: dict[str, dict[str, int]] = {}  # agency code -> field -> row that set it

    def use(code: Cell, row: int, column: str) -> None:
        text = key_text(code)
        if text and text not in agencies:
            loc: Loc = ("agencies", len(agencies))
            agencies[text] = {"code": text, "name": text}
            named[text] = {}
            locator.add(loc, *where(row, column))

    for row, cells in rows:
        milestone_named = number_subject("milestone", cells.get("milestone_number"))
        if "commitment_number" not in cells:
            found.add(
                *where(row, "commitment_number"), "required, but missing", subject=milestone_named
            )
            continue
        key = key_text(cells["commitment_number"])
        if key not in commitments:
            position[key] = len(commitments)
            commitments[key] = {"milestones": []}
            first_row[key] = {}
        commitment = commitments[key]
        here: Loc = ("commitments", position[key])
        locator.add(here, *where(row))
        for field in COMMITMENT_FIELDS:
            column = f"commitment_{field}"
            if column not in cells:
                continue
            value = cells[column]
            if field == "supporting_agencies":
                value = split_codes(key_text(value))
            if field not in commitment:
                commitment[field] = value
                first_row[key][field] = row
                locator.add((*here, field), *where(row, column))
            elif _text(commitment[field]) != _text(value):
                shown = _text(commitment[field])
                found.add(
                    *where(row, column),
                    f"differs from row {first_row[key][field]} ('{shown}'): "
                    "repeated commitment cells must agree",
                    subject=f"commitment {key}",
                )
        lead = cells.get("commitment_lead_agency", commitment.get("lead_agency"))
        if lead is not None:
            use(lead, row, "commitment_lead_agency")
        for code in split_codes(key_text(cells.get("commitment_supporting_agencies", ""))):
            use(code, row, "commitment_supporting_agencies")
        milestone = {
            f: cells[f"milestone_{f}"] for f in MILESTONE_FIELDS if f"milestone_{f}" in cells
        }
        if milestone:
            there: Loc = (*here, "milestones", len(commitment["milestones"]))
            commitment["milestones"].append(milestone)
            locator.add(there, *where(row))
            for field in MILESTONE_FIELDS:
                locator.add((*there, field), *where(row, f"milestone_{field}"))
        responsible = cells.get("milestone_responsible", lead)
        if responsible is not None:
            use(
                responsible,
                row,
                "milestone_responsible"
                if "milestone_responsible" in cells
                else "commitment_lead_agency",
            )
        row_subject = milestone_named or f"commitment {key}"
        _name_agency(cells, row, responsible, agencies, named, where, locator, found, row_subject)
    return {"agencies": list(agencies.values()), "commitments": list(commitments.values())}


def _text(value: Any) -> str:
    return ";".join(value) if isinstance(value, list) else key_text(value)


def _name_agency(
    cells: Mapping[str, Cell],
    row: int,
    code: Cell,
    agencies: dict[str, dict[str, Any]],
    named: dict[str, dict[str, int]],
    where: Where,
    locator: TableLocator,
    found: Collector,
    row_subject: str,
) -> None:
    for field in ("name", "sector"):
        column = f"agency_{field}"
        if column not in cells:
            continue
        if code is None:
            found.add(
                *where(row, column),
                "names an agency, but the row has no milestone_responsible or "
                "commitment_lead_agency",
                subject=row_subject,
            )
            continue
        text = key_text(code)
        agency, index = agencies[text], list(agencies).index(text)
        value = cells[column]
        compare = (
            key_text(value).lower().replace(" ", "_") if field == "sector" else key_text(value)
        )
        if field not in named[text]:
            named[text][field] = row
            agency[field] = value
            locator.add(("agencies", index, field), *where(row, column))
        else:
            previous = agency[field]
            before = (
                key_text(previous).lower().replace(" ", "_")
                if field == "sector"
                else key_text(previous)
            )
            if before != compare:
                found.add(
                    *where(row, column),
                    f"given {field} '{key_text(previous)}' on row {named[text][field]}: "
                    f"one agency, one {field}",
                    subject=f"agency {text}",
                )


def plan_rows(
    plan: PlanFile, extra: Mapping[str, Mapping[str, str]] | None = None
) -> list[dict[str, Any]]:
    """The plan as table rows (dates as date objects, everything else text)."""
    agencies = {agency.code: agency for agency in plan.agencies}
    rows = []
    for c in plan.commitments:
        common: dict[str, Any] = {
            "commitment_number": c.number,
            "commitment_title": c.title,
            "commitment_ogp_id": c.ogp_id,
            "commitment_description": c.description,
            "commitment_policy_area": c.policy_area,
            "commitment_lead_agency": c.lead_agency,
            "commitment_supporting_agencies": ";".join(c.supporting_agencies) or None,
            "commitment_start": c.start,
            "commitment_end": c.end,
        }
        milestones: list[MilestoneSpec | None] = [*c.milestones] or [None]
        for m in milestones:
            row = dict(common)
            if m is not None:
                row |= {
                    "milestone_number": m.number,
                    "milestone_title": m.title,
                    "milestone_responsible": m.responsible,
                    "milestone_start": m.start,
                    "milestone_due": m.due,
                    "milestone_status": m.status.value,
                }
                row |= {
                    k: v for k, v in (extra or {}).get(m.number, {}).items() if k in INFO_COLUMNS
                }
            agency = agencies.get((m.responsible if m else None) or c.lead_agency or "")
            if agency is not None:
                row |= {"agency_name": agency.name, "agency_sector": agency.sector.value}
            rows.append(row)
    return rows
