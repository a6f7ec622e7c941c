"""CSV plan files: one row per milestone (see tables.py for what travels and what does not)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping

from storage.planfile.bounds import bounded_rows, header_and_rows
from storage.planfile.checks import Collector, PlanFileError, Problem, validate
from storage.planfile.schema import PlanFile
from storage.planfile.tables import (
    COLUMNS,
    REQUIRED_COLUMNS,
    TableLocator,
    Where,
    plan_rows,
    read_header,
    read_milestone_table,
    table_rows,
)

__all__ = ["dump_csv", "parse_csv"]


def parse_csv(data: bytes) -> PlanFile:
    """Read a UTF-8 CSV plan (with or without BOM; comma-separated; header row first).

    Rows and columns are capped as for a sheet (bounds.py), read while the file is parsed.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFileError(
            [Problem("file", f"not UTF-8 text (byte {exc.start}): save the CSV as UTF-8")]
        ) from None
    where = Where()
    try:
        records = list(bounded_rows(csv.reader(io.StringIO(text, newline=""), strict=True), where))
    except csv.Error as exc:
        raise PlanFileError([Problem("file", f"not a readable CSV file: {exc}")]) from None
    header, body = header_and_rows(records)
    if header is None:
        raise PlanFileError([Problem("row 1", "a header row with the column names is required")])
    locator = TableLocator()
    found = Collector(locator)
    names = read_header(header, COLUMNS, REQUIRED_COLUMNS, where, found)
    if names is None:
        raise PlanFileError(found.problems())
    rows = table_rows(names, body, where, found)
    return validate(read_milestone_table(rows, where, locator, found), found)


def dump_csv(plan: PlanFile, extra: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The plan as CSV text; `extra` maps a milestone number to its informational columns.

    The working group and meetings do not travel in CSV, nor agencies that no row uses.
    Encode as "utf-8-sig" for spreadsheet programs that need the BOM to detect UTF-8.
    """
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in plan_rows(plan, extra):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
