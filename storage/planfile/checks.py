"""Turning a reader's raw data into a PlanFile, collecting every problem on the way.

Each reader builds the plan's raw shape (dicts and lists, as YAML would give them) and a
locator that turns a path inside it, such as ``("commitments", 2, "milestones", 0, "due")``,
into the reader's own wording (a YAML path and line, a CSV row and column, a sheet row).
`validate` runs pydantic and the whole-file checks on that raw data, so that one pass
reports every problem, sorted by its place in the file.

A problem about a commitment, a milestone, an agency or a meeting also names it as the
coordinator knows it (its `subject`): by its number, code or title, looked up in the raw
data from the start of the path; or by its position (``2nd milestone of commitment 1``)
when that field is missing or is itself what is wrong.
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

__all__ = [
    "Collector",
    "Loc",
    "Locator",
    "PlanFileError",
    "Problem",
    "SortKey",
    "number_subject",
    "validate",
]

Loc = tuple[str | int, ...]
SortKey = tuple[int, ...]
Locator = Callable[[Loc], tuple[SortKey, str]]
"""Maps a path in the raw plan to (a key ordering problems by their place, the location)."""


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan file, where, and what it is about.

    `subject` names the commitment, milestone, agency or meeting (``milestone 1.3``); it is
    None for a problem about the file, a sheet, a header row or the working group.
    """

    location: str
    message: str
    subject: str | None = None

    def __str__(self) -> str:
        if self.subject is None:
            return f"{self.location}: {self.message}"
        return f"{self.subject}: {self.message} — {self.location}"


class PlanFileError(ValueError):
    """A plan file that cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the plan file:\n{lines}")


class Collector:
    """Problems found so far, kept with their sort keys.

    Subjects are looked up in `raw` (set by `validate`) when the problems are listed, so a
    reader may report a problem at a path before its raw data is complete.
    """

    def __init__(self, locate: Locator) -> None:
        self.locate = locate
        self.raw: Any = None
        self._found: list[tuple[SortKey, int, str, str, Loc | None, str | None]] = []

    def at(self, loc: Loc, message: str) -> None:
        """A problem at a path of the raw plan."""
        key, location = self.locate(loc)
        self.add(key, location, message, loc=loc)

    def add(
        self,
        key: SortKey,
        location: str,
        message: str,
        *,
        loc: Loc | None = None,
        subject: str | None = None,
    ) -> None:
        """A problem the reader located itself (syntax, headers, sheets, rows); its subject
        is `subject`, else the one of `loc` (a path of the raw plan), else none."""
        self._found.append((key, len(self._found), location, message, loc, subject))

    def where(self, loc: Loc) -> str:
        return self.locate(loc)[1]

    def __bool__(self) -> bool:
        return bool(self._found)

    def problems(self) -> list[Problem]:
        """In file order, each once: in a table one cell can fill two fields (a CSV's
        milestone_responsible is also the code of the agency it creates). Of two such, the
        place of the first is kept with the better subject (a name over a position)."""
        kept: dict[tuple[str, str], tuple[SortKey, int, int, Problem]] = {}
        for key, order, location, message, loc, given in self._found:
            named = (given, 2) if given else _subject(self.raw, loc) if loc else (None, 0)
            problem = Problem(location, message, named[0])
            first = kept.get((location, message))
            if first is None:
                kept[(location, message)] = (key, order, named[1], problem)
            elif named[1] > first[2]:
                kept[(location, message)] = (first[0], first[1], named[1], problem)
        return [problem for *_, problem in sorted(kept.values(), key=lambda f: (f[0], f[1]))]


def validate(raw: Any, found: Collector) -> PlanFile:
    """Validate raw data, or raise PlanFileError with every problem (also those already found)."""
    found.raw = raw
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
_TITLE: TypeAdapter[str] = TypeAdapter(schema.Text)


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
        _order(found, commitment, ("commitments", i), "start", "end")
        for j, milestone in _items(commitment.get("milestones")):
            here: Loc = ("commitments", i, "milestones", j)
            known(_field(_CODE, milestone, "responsible"), (*here, "responsible"))
            _order(found, milestone, here, "start", "due")
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
                    f"{mnumber} is not a number under commitment {number}: "
                    f"use {number}.1, {number}.2, …",
                )


HINTS = 100
"""Unknown codes that get a "did you mean": each search compares with every known code,
and a file of thousands of unknown codes must not take minutes to report."""
_ADD_IT = " (add it under agencies)"


def _hint(code: str, codes: dict[str, Loc]) -> str:
    close = difflib.get_close_matches(code, list(codes), n=1)
    return f" (did you mean '{close[0]}'?)" if close else _ADD_IT


def _order(found: Collector, obj: Any, here: Loc, first: str, then: str) -> None:
    start, end = _field(_OPT_DATE, obj, first), _field(_OPT_DATE, obj, then)
    if start is not None and end is not None and end < start:
        found.at(
            (*here, then), f"{then} {end.isoformat()} is before its {first} {start.isoformat()}"
        )


# Subjects: what a problem is about, as the coordinator knows it.

TITLE_SHOWN = 40
"""Characters of a meeting's title shown in a subject; a longer one ends in "…"."""


def number_subject(kind: str, value: Any) -> str | None:
    """``milestone 1.3`` when `value` is a usable number (a reader's cell), else None."""
    number = _value(_NUMBER, value)
    return None if number is None else f"{kind} {number}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _item(obj: Any, key: str, index: int) -> Any:
    items = obj.get(key) if isinstance(obj, dict) else None
    return items[index] if isinstance(items, list) and 0 <= index < len(items) else None


def _own(adapter: TypeAdapter[Any], obj: Any, key: str, rest: Loc) -> Any:
    """The object's identifying field, unless it is missing, invalid, or the problem."""
    return None if rest[:1] == (key,) else _field(adapter, obj, key)


def _title(title: str) -> str:
    shown = " ".join(title.split())
    return shown if len(shown) <= TITLE_SHOWN else shown[: TITLE_SHOWN - 1] + "…"


def _subject(raw: Any, loc: Loc) -> tuple[str | None, int]:
    """The subject of a problem at `loc`, and 2 if it is named, 1 if only placed, 0 if none."""
    match loc:
        case ("commitments", int(i), "milestones", int(j), *rest):
            commitment = _item(raw, "commitments", i)
            number = _own(_NUMBER, _item(commitment, "milestones", j), "number", tuple(rest))
            if number is not None:
                return f"milestone {number}", 2
            parent = _field(_NUMBER, commitment, "number")
            of = f"commitment {parent}" if parent else f"the {_ordinal(i + 1)} commitment"
            return f"{_ordinal(j + 1)} milestone of {of}", 1
        case ("commitments", int(i), *rest):
            number = _own(_NUMBER, _item(raw, "commitments", i), "number", tuple(rest))
            if number is not None:
                return f"commitment {number}", 2
            return f"{_ordinal(i + 1)} commitment", 1
        case ("agencies", int(i), *rest):
            code = _own(_CODE, _item(raw, "agencies", i), "code", tuple(rest))
            if code is not None:
                return f"agency {code}", 2
            return f"{_ordinal(i + 1)} agency", 1
        case ("meetings", int(i), *rest):
            title = _own(_TITLE, _item(raw, "meetings", i), "title", tuple(rest))
            if title is not None:
                return f"meeting '{_title(title)}'", 2
            return f"{_ordinal(i + 1)} meeting", 1
    return None, 0
