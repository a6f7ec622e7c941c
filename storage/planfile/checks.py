"""Turning a reader's raw data into a PlanFile, collecting every problem on the way.

Each reader builds the plan's raw shape (dicts and lists, as YAML would give them) and a
locator that turns a path inside it, such as ``("commitments", 2, "milestones", 0, "due")``,
into the reader's own wording (a YAML path and line, a CSV row and column, a sheet row).
`validate` runs pydantic and the whole-file checks on that raw data, so that one pass
reports every problem, sorted by its place in the file.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from storage.planfile import schema
from storage.planfile.schema import PlanFile

__all__ = ["Collector", "Loc", "Locator", "PlanFileError", "Problem", "SortKey", "validate"]

Loc = tuple[str | int, ...]
SortKey = tuple[int, ...]
Locator = Callable[[Loc], tuple[SortKey, str]]
"""Maps a path in the raw plan to (a key ordering problems by their place, the location)."""


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan file, and where."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class PlanFileError(ValueError):
    """A plan file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the plan file:\n{lines}")


class Collector:
    """Problems found so far, kept with their sort keys."""

    def __init__(self, locate: Locator) -> None:
        self.locate = locate
        self._found: list[tuple[SortKey, int, Problem]] = []

    def at(self, loc: Loc, message: str) -> None:
        """A problem at a path of the raw plan."""
        key, location = self.locate(loc)
        self.add(key, location, message)

    def add(self, key: SortKey, location: str, message: str) -> None:
        """A problem the reader located itself (syntax, headers, sheets)."""
        self._found.append((key, len(self._found), Problem(location, message)))

    def where(self, loc: Loc) -> str:
        return self.locate(loc)[1]

    def __bool__(self) -> bool:
        return bool(self._found)

    def problems(self) -> list[Problem]:
        """In file order, each once: in a table one cell can fill two fields (a CSV's
        milestone_responsible is also the code of the agency it creates)."""
        ordered = (problem for *_, problem in sorted(self._found, key=lambda f: (f[0], f[1])))
        return list(dict.fromkeys(ordered))


def validate(raw: Any, found: Collector) -> PlanFile:
    """Validate raw data, or raise PlanFileError with every problem (also those already found)."""
    plan: PlanFile | None = None
    try:
        plan = PlanFile.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            found.at(tuple(error["loc"]), _message(error))
    _cross_check(raw, found)
    if found or plan is None:
        raise PlanFileError(found.problems())
    return plan


_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): PlanFile,
    ("working_group",): schema.WorkingGroupSpec,
    ("agencies",): schema.AgencySpec,
    ("commitments",): schema.CommitmentSpec,
    ("commitments", "milestones"): schema.MilestoneSpec,
    ("meetings",): schema.MeetingSpec,
}


def _message(error: Any) -> str:
    loc, kind = tuple(error["loc"]), error["type"]
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        model = _MODELS.get(tuple(part for part in loc[:-1] if isinstance(part, str)))
        allowed = f" (allowed: {', '.join(model.model_fields)})" if model else ""
        return f"unknown key '{loc[-1]}'{allowed}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "expected a mapping of keys to values"
    if kind == "list_type":
        return "expected a list"
    return str(error["msg"]).removeprefix("Value error, ")


# Whole-file checks. They read the raw data leniently, one field at a time, so that a bad
# value in one place does not hide a problem elsewhere: a field that does not validate is
# skipped here (pydantic has reported it already).

_CODE: TypeAdapter[str] = TypeAdapter(schema.Code)
_NUMBER: TypeAdapter[str] = TypeAdapter(schema.Number)
_OPT_DATE: TypeAdapter[Any] = TypeAdapter(schema.OptDate)


def _value(adapter: TypeAdapter[Any], value: Any) -> Any:
    if value is None:
        return None
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _field(adapter: TypeAdapter[Any], obj: Any, key: str) -> Any:
    return _value(adapter, obj.get(key)) if isinstance(obj, dict) else None


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _cross_check(raw: Any, found: Collector) -> None:
    if not isinstance(raw, dict):
        return
    codes: dict[str, Loc] = {}
    for i, agency in _items(raw.get("agencies")):
        code = _field(_CODE, agency, "code")
        loc: Loc = ("agencies", i, "code")
        if code is None:
            continue
        if code in codes:
            found.at(loc, f"duplicate agency code '{code}' (first at {found.where(codes[code])})")
        else:
            codes[code] = loc

    hints: dict[str, str] = {}

    def known(code: Any, where: Loc) -> None:
        if code is not None and code not in codes:
            if code not in hints:
                hints[code] = _hint(code, codes) if len(hints) < HINTS else _ADD_IT
            found.at(where, f"unknown agency code '{code}'{hints[code]}")

    commitments: dict[str, Loc] = {}
    milestones: dict[str, Loc] = {}
    for i, commitment in _items(raw.get("commitments")):
        number = _field(_NUMBER, commitment, "number")
        if number is not None:
            if number in commitments:
                where = found.where(commitments[number])
                found.at(
                    ("commitments", i, "number"),
                    f"duplicate commitment number {number} (first at {where})",
                )
            else:
                commitments[number] = ("commitments", i, "number")
        known(_field(_CODE, commitment, "lead_agency"), ("commitments", i, "lead_agency"))
        if not isinstance(commitment, dict):
            continue
        for k, code in _items(schema.split_codes(commitment.get("supporting_agencies"))):
            known(_value(_CODE, code), ("commitments", i, "supporting_agencies", k))
        _order(found, commitment, ("commitments", i), "start", "end", "ends before it starts")
        for j, milestone in _items(commitment.get("milestones")):
            here: Loc = ("commitments", i, "milestones", j)
            known(_field(_CODE, milestone, "responsible"), (*here, "responsible"))
            _order(found, milestone, here, "start", "due", "is due before it starts")
            mnumber = _field(_NUMBER, milestone, "number")
            if mnumber is None:
                continue
            if mnumber in milestones:
                where = found.where(milestones[mnumber])
                found.at(
                    (*here, "number"), f"duplicate milestone number {mnumber} (first at {where})"
                )
            else:
                milestones[mnumber] = (*here, "number")
            if number is not None and not re.fullmatch(rf"{re.escape(number)}\.[0-9]+", mnumber):
                found.at(
                    (*here, "number"),
                    f"milestone {mnumber} is not numbered under its commitment {number}: "
                    f"use {number}.1, {number}.2, …",
                )


HINTS = 100
"""Unknown codes that get a "did you mean": each search compares with every known code,
and a file of thousands of unknown codes must not take minutes to report."""
_ADD_IT = " (add it under agencies)"


def _hint(code: str, codes: dict[str, Loc]) -> str:
    close = difflib.get_close_matches(code, list(codes), n=1)
    return f" (did you mean '{close[0]}'?)" if close else _ADD_IT


def _order(found: Collector, obj: Any, here: Loc, first: str, then: str, what: str) -> None:
    start, end = _field(_OPT_DATE, obj, first), _field(_OPT_DATE, obj, then)
    if start is not None and end is not None and end < start:
        found.at((*here, then), f"{what}: {then} {end.isoformat()}, {first} {start.isoformat()}")
