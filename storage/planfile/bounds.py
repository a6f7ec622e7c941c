"""How big a plan file may be, so that no file, however odd, makes the reader hang or swell.

A real action plan has tens of commitments and a few hundred milestones; the caps below are
far above that and far below what would take minutes or gigabytes to read. A file over a
cap is refused with one located problem that names the cap.

Spreadsheets need more care than their size suggests: one styled cell at XFD1048576 makes
a 5 KB workbook claim a million rows by 16,384 columns. So tables are read row by row,
trailing empty cells are dropped, and a run of EMPTY_RUN empty rows ends the table (the
one cap applied without a word: a stray cell far below a plan is not part of it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl.utils import get_column_letter

from storage.planfile.checks import PlanFileError, Problem
from storage.planfile.tables import Where, is_empty

__all__ = [
    "EMPTY_RUN",
    "MAX_COLUMNS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "MAX_YAML_VALUES",
    "bounded_rows",
    "check_size",
    "check_unpacked",
    "header_and_rows",
]

MAX_FILE_BYTES = {"yaml": 2 * 2**20, "csv": 2 * 2**20, "xlsx": 10 * 2**20}
"""Per format: parsing YAML takes ~100 bytes of memory per byte of text, so text stays small."""
MAX_UNPACKED_BYTES = 64 * 2**20
"""An .xlsx is a zip archive, so what it unpacks to is capped too (a zip bomb is a small file)."""
MAX_ROWS = 10_000
"""Data rows of one table (CSV file or sheet)."""
MAX_COLUMNS = 200
"""Columns of a table holding a value; the plan has about twenty."""
EMPTY_RUN = 1_000
"""This many empty rows in a row end a table: what follows is not read."""
MAX_DEPTH = 20
"""Levels of YAML nesting; a plan needs six (commitments, milestones and their fields)."""
MAX_YAML_VALUES = 250_000
"""YAML values (mappings, lists and scalars); ten thousand milestones need about 150,000."""


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 // 10 else f"{size:,} bytes"


def check_size(size: int, kind: str, location: str = "file") -> None:
    """Refuse a file larger than its format's cap before reading or parsing it."""
    limit = MAX_FILE_BYTES[kind]
    if size > limit:
        raise PlanFileError(
            [
                Problem(
                    location,
                    f"the file is {_size(size)}: a .{kind} plan file may be at most "
                    f"{_size(limit)} (is this the right file?)",
                )
            ]
        )


def check_unpacked(size: int) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNPACKED_BYTES."""
    if size > MAX_UNPACKED_BYTES:
        raise PlanFileError(
            [
                Problem(
                    "file",
                    f"the workbook unpacks to {_size(size)}: a plan workbook may unpack "
                    f"to at most {_size(MAX_UNPACKED_BYTES)} (is this the right file?)",
                )
            ]
        )


def _width(cells: Sequence[Any]) -> int:
    """The number of cells up to the last one holding a value."""
    width = len(cells)
    while width and is_empty(cells[width - 1]):
        width -= 1
    return width


def bounded_rows(records: Iterable[Sequence[Any]], where: Where) -> Iterator[tuple[int, list[Any]]]:
    """The non-empty rows of a table, numbered from 1 and without trailing empty cells.

    Reading is lazy, so that stopping here (a run of EMPTY_RUN empty rows) or refusing a
    row (past MAX_ROWS data rows, a value past MAX_COLUMNS) also stops the reader below.
    """
    empty = data_rows = 0
    for number, cells in enumerate(records, start=1):
        width = _width(cells)
        if not width:
            empty += 1
            if empty >= EMPTY_RUN:
                return
            continue
        empty = 0
        if width > MAX_COLUMNS:
            raise PlanFileError(
                [
                    Problem(
                        where(number, f"column {width}")[1],
                        f"a value in column {width} ({get_column_letter(width)}): a plan "
                        f"table has at most {MAX_COLUMNS} columns",
                    )
                ]
            )
        if number > 1:
            data_rows += 1
        if data_rows > MAX_ROWS:
            raise PlanFileError(
                [
                    Problem(
                        where(number)[1],
                        f"more than {MAX_ROWS:,} rows: a plan table has at most {MAX_ROWS:,} "
                        "(split the plan, or delete what is below it)",
                    )
                ]
            )
        yield number, list(cells[:width])


def header_and_rows(
    rows: list[tuple[int, list[Any]]],
) -> tuple[list[Any] | None, list[tuple[int, list[Any]]]]:
    """Row 1 as the header (None when row 1 is empty) and the rows below it."""
    if rows and rows[0][0] == 1:
        return rows[0][1], rows[1:]
    return None, rows
