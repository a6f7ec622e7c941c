"""XLSX plan files: one sheet per object, or a single sheet read like the CSV.

Sheets (each with a header row):

- ``working_group``: two columns ``field`` | ``value``, one row per setting
  (name, country, period, timezone, language) — a record reads better downwards;
- ``agencies``: ``agency_code``, ``agency_name``, ``agency_sector``;
- ``commitments``: the ``commitment_*`` columns of the CSV;
- ``milestones``: ``commitment_number`` and the ``milestone_*`` columns (plus the CSV's
  informational ``milestone_last_*`` columns, ignored on import);
- ``meetings``: ``meeting_title``, ``meeting_when``, ``meeting_place``,
  ``meeting_duration_minutes``.

A workbook with several sheets must use only these names (a misspelt sheet must not be
skipped silently); a workbook with one sheet, whatever its name, is read like the CSV.
Dates may be real Excel dates or ``YYYY-MM-DD`` text.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from storage.planfile.bounds import bounded_rows, check_unpacked, header_and_rows
from storage.planfile.checks import Collector, PlanFileError, Problem, number_subject, validate
from storage.planfile.schema import PlanFile, split_codes
from storage.planfile.tables import (
    COLUMNS,
    INFO_COLUMNS,
    REQUIRED_COLUMNS,
    TableLocator,
    Where,
    key_text,
    plan_rows,
    read_header,
    read_milestone_table,
    table_rows,
)

__all__ = ["dump_xlsx", "parse_xlsx"]

_COMMITMENT = tuple(c for c in COLUMNS if c.startswith("commitment_"))
_MILESTONE = ("commitment_number", *(c for c in COLUMNS if c.startswith("milestone_")))
_SHEETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # name: (columns, required)
    "working_group": (("field", "value"), ("field", "value")),
    "agencies": (("agency_code", "agency_name", "agency_sector"), ("agency_code", "agency_name")),
    "commitments": (_COMMITMENT, ("commitment_number", "commitment_title")),
    "milestones": (_MILESTONE, ("commitment_number", *REQUIRED_COLUMNS[2:])),
    "meetings": (
        ("meeting_title", "meeting_when", "meeting_place", "meeting_duration_minutes"),
        ("meeting_title", "meeting_when"),
    ),
}
# Informational sheets an export adds (the action items of the minutes): import skips
# them, as it skips the informational columns.
ACTION_ITEMS_SHEET = "action_items"
ACTION_ITEM_COLUMNS = (
    "action_number",
    "action_text",
    "action_agency",
    "action_due",
    "action_status",
)
_INFO_SHEETS = frozenset({ACTION_ITEMS_SHEET})
_DATE_FORMAT = "yyyy-mm-dd"

Rows = list[tuple[int, dict[str, Any]]]


def parse_xlsx(data: bytes) -> PlanFile:
    """Read an XLSX plan, or raise PlanFileError."""
    sheets = _read_sheets(data)
    locator = TableLocator()
    found = Collector(locator)
    if len(sheets) == 1:
        title, rows = next(iter(sheets.items()))
        where = Where(title)
        if not rows:
            raise PlanFileError([Problem(f"sheet {title}", "the sheet is empty")])
        header, body = header_and_rows(rows)
        names = read_header(header or [], COLUMNS, REQUIRED_COLUMNS, where, found)
        if names is None:
            raise PlanFileError(found.problems())
        table = table_rows(names, body, where, found)
        return validate(read_milestone_table(table, where, locator, found), found)
    tables: dict[str, tuple[Where, Rows]] = {}
    for title, rows in sheets.items():
        name = title.strip().lower()
        if name in _INFO_SHEETS:
            continue
        if name not in _SHEETS:
            found.add(
                (len(_SHEETS),), f"sheet {title}", f"unknown sheet (use {', '.join(_SHEETS)})"
            )
            continue
        where = Where(title, list(_SHEETS).index(name))
        columns, required = _SHEETS[name]
        header, body = header_and_rows(rows)
        names = read_header(header or [], columns, required, where, found) if rows else []
        if names is not None:
            tables[name] = (where, table_rows(names, body, where, found))
    return validate(_raw(tables, locator, found), found)


def _read_sheets(data: bytes) -> dict[str, list[tuple[int, list[Any]]]]:
    """Every sheet's non-empty rows, with bounded work whatever the workbook claims.

    The sheet's recorded size is dropped (reset_dimensions): openpyxl would otherwise pad
    every row to the widest column and yield every row up to the last styled cell.
    """
    _check_unpacked(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails on a bad file in many ways (zip, XML, keys)
        raise PlanFileError([Problem("file", f"not a readable .xlsx workbook ({exc})")]) from None
    try:
        sheets: dict[str, list[tuple[int, list[Any]]]] = {}
        for ws in book.worksheets:
            ws.reset_dimensions()
            rows = ws.iter_rows(values_only=True)
            sheets[ws.title] = list(bounded_rows(rows, Where(ws.title)))
    except PlanFileError:
        raise
    except Exception as exc:  # a damaged sheet shows only when it is read
        raise PlanFileError([Problem("file", f"not a readable .xlsx workbook ({exc})")]) from None
    finally:
        book.close()
    return sheets


def _check_unpacked(data: bytes) -> None:
    """A zip archive says what its parts unpack to; zipfile never unpacks more than that."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # load_workbook reports it
    check_unpacked(size)


def _raw(tables: dict[str, tuple[Where, Rows]], locator: TableLocator, found: Collector) -> Any:
    raw: dict[str, Any] = {}
    if "working_group" in tables:
        where, rows = tables["working_group"]
        group: dict[str, Any] = {}
        for row, cells in rows:
            if "field" not in cells:
                found.add(*where(row, "field"), "a value without a field name")
                continue
            field = key_text(cells["field"]).lower()
            if field in group:
                found.add(*where(row, "field"), f"field '{field}' is given twice")
                continue
            group[field] = cells.get("value")
            locator.add(("working_group",), *where(row))
            locator.add(("working_group", field), *where(row, "value"))
        raw["working_group"] = group or None
    for sheet, prefix in (("agencies", "agency_"), ("meetings", "meeting_")):
        where, rows = tables.get(sheet, (Where(), []))
        raw[sheet] = [
            _record(cells, prefix, (sheet, i), row, where, locator)
            for i, (row, cells) in enumerate(rows)
        ]
    where, rows = tables.get("commitments", (Where(), []))
    commitments = raw["commitments"] = []
    by_number: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, (row, cells) in enumerate(rows):
        commitment = _record(cells, "commitment_", ("commitments", i), row, where, locator)
        if "supporting_agencies" in commitment:
            commitment["supporting_agencies"] = split_codes(
                key_text(commitment["supporting_agencies"])
            )
        commitment["milestones"] = []
        commitments.append(commitment)
        if "number" in commitment:
            by_number.setdefault(key_text(commitment["number"]), (i, commitment))
    where, rows = tables.get("milestones", (Where(), []))
    for row, cells in rows:
        named = number_subject("milestone", cells.get("milestone_number"))
        if "commitment_number" not in cells:
            found.add(*where(row, "commitment_number"), "required, but missing", subject=named)
            continue
        number = key_text(cells.pop("commitment_number"))
        if number not in by_number:
            found.add(
                *where(row, "commitment_number"),
                f"no commitment {number} in the commitments sheet",
                subject=named,
            )
            continue
        index, commitment = by_number[number]
        loc = ("commitments", index, "milestones", len(commitment["milestones"]))
        for column in INFO_COLUMNS:
            cells.pop(column, None)
        commitment["milestones"].append(_record(cells, "milestone_", loc, row, where, locator))
    return raw


def _record(
    cells: dict[str, Any],
    prefix: str,
    loc: tuple[str | int, ...],
    row: int,
    where: Where,
    locator: TableLocator,
) -> dict[str, Any]:
    locator.add(loc, *where(row))
    record = {}
    for column, value in cells.items():
        field = column.removeprefix(prefix)
        locator.add((*loc, field), *where(row, column))
        record[field] = value
    return record


def dump_xlsx(
    plan: PlanFile,
    extra: Mapping[str, Mapping[str, str]] | None = None,
    *,
    action_items: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """The plan as a workbook with one sheet per object; parse_xlsx(dump_xlsx(p)) == p.
    `action_items` (ACTION_ITEM_COLUMNS each) go on a sheet of their own, for reading."""
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    group = plan.working_group
    wg = (
        []
        if group is None
        else [
            {"field": k, "value": v}
            for k, v in group.model_dump(mode="json").items()
            if v is not None
        ]
    )
    agencies = [
        {"agency_code": a.code, "agency_name": a.name, "agency_sector": a.sector.value}
        for a in plan.agencies
    ]
    rows = plan_rows(plan, extra)
    seen: set[str] = set()
    commitments = []
    for r in rows:
        if r["commitment_number"] not in seen:
            seen.add(r["commitment_number"])
            commitments.append(r)
    milestones = [r for r in rows if r.get("milestone_number") is not None]
    meetings = [
        {
            "meeting_title": m.title,
            "meeting_when": m.when,
            "meeting_place": m.place,
            "meeting_duration_minutes": m.duration_minutes,
        }
        for m in plan.meetings
    ]
    for name, records in (
        ("working_group", wg),
        ("agencies", agencies),
        ("commitments", commitments),
        ("milestones", milestones),
        ("meetings", meetings),
    ):
        _write_sheet(book.create_sheet(name), _SHEETS[name][0], records)
    if action_items:
        _write_sheet(
            book.create_sheet(ACTION_ITEMS_SHEET),
            ACTION_ITEM_COLUMNS,
            list(map(dict, action_items)),
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _write_sheet(ws: Any, columns: tuple[str, ...], records: list[dict[str, Any]]) -> None:
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for record in records:
        # Text stored before control characters were cleaned at the edge (a VT in an old
        # note) must not make the whole sheet fail: openpyxl refuses such cells.
        ws.append([_cell(record.get(column)) for column in columns])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = _DATE_FORMAT
            elif isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    for column_cells in ws.columns:
        width = max(len(str(c.value or "")) for c in column_cells)
        ws.column_dimensions[column_cells[0].column_letter].width = min(max(width, 10), 60) + 2
