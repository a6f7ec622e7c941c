"""Plan files: the YAML, CSV and XLSX forms of a working group's action plan.

`load_plan` (or `parse_plan_bytes`) returns a validated `PlanFile` or raises `PlanFileError`
listing every `Problem` with its place in the file; the `dump_*` writers produce files that
read back to the same plan. Nothing here touches the database.
"""

from __future__ import annotations

from pathlib import Path

from storage.planfile.bounds import check_size
from storage.planfile.checks import PlanFileError, Problem
from storage.planfile.csv_io import dump_csv, parse_csv
from storage.planfile.schema import (
    AgencySpec,
    CommitmentSpec,
    MeetingSpec,
    MilestoneSpec,
    PlanFile,
    WorkingGroupSpec,
)
from storage.planfile.xlsx_io import dump_xlsx, parse_xlsx
from storage.planfile.yaml_io import dump_yaml, parse_yaml

__all__ = [
    "FORMATS",
    "AgencySpec",
    "CommitmentSpec",
    "MeetingSpec",
    "MilestoneSpec",
    "PlanFile",
    "PlanFileError",
    "Problem",
    "WorkingGroupSpec",
    "dump_csv",
    "dump_xlsx",
    "dump_yaml",
    "load_plan",
    "parse_plan_bytes",
]

FORMATS = ("yaml", "yml", "csv", "xlsx")
_KINDS = {"yaml": "yaml", "yml": "yaml", "csv": "csv", "xlsx": "xlsx"}


def parse_plan_bytes(data: bytes, fmt: str) -> PlanFile:
    """Read a plan file's content; `fmt` is its suffix (``yaml``, ``.yml``, ``CSV``, ``xlsx``)."""
    kind = fmt.strip().lower().removeprefix(".")
    if kind in FORMATS:
        check_size(len(data), _KINDS[kind])
    if kind in ("yaml", "yml"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PlanFileError(
                [Problem("file", f"not UTF-8 text (byte {exc.start}): save the file as UTF-8")]
            ) from None
        return parse_yaml(text)
    if kind == "csv":
        return parse_csv(data)
    if kind == "xlsx":
        return parse_xlsx(data)
    raise PlanFileError(
        [Problem("file", f"unknown file type '{fmt}': use .yaml, .yml, .csv or .xlsx")]
    )


def load_plan(path: Path) -> PlanFile:
    """Read and validate the plan file at `path` (by its suffix), or raise PlanFileError."""
    kind = path.suffix.lower().removeprefix(".")
    if kind not in FORMATS:
        raise PlanFileError(
            [
                Problem(
                    path.name,
                    f"unknown file type '{path.suffix or '(none)'}': "
                    "use .yaml, .yml, .csv or .xlsx",
                )
            ]
        )
    try:
        check_size(path.stat().st_size, _KINDS[kind], path.name)  # before reading it all
        data = path.read_bytes()
    except OSError as exc:
        raise PlanFileError([Problem(str(path), f"cannot read the file: {exc.strerror}")]) from None
    return parse_plan_bytes(data, path.suffix)
