"""The plan file's objects as pydantic models: one field at a time, strict and kind.

Value rules shared by YAML, CSV and XLSX:

- Text is stripped; line breaks become ``\\n``; control characters are refused (a
  spreadsheet cannot hold them); an empty required text is an error, an empty optional one
  means "not given".
- Numbers (commitment and milestone numbers) are text. A whole number that YAML or Excel
  read as an integer is accepted (``1`` -> ``"1"``), but a decimal is refused with a hint to
  quote it, because ``1.10`` would silently turn into ``1.1``.
- Dates are ``YYYY-MM-DD`` text, a YAML date, or an Excel date (a midnight datetime).
- Enumerations (status, sector, language) are case-insensitive and accept spaces or
  hyphens for underscores (``Not started``, ``civil society``).

Cross-object rules (duplicates, unknown agency codes, date order) live in checks.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from domain.enums import Language, Sector, Status
from domain.when import WhenError, format_when, parse_when

__all__ = [
    "AgencySpec",
    "CommitmentSpec",
    "MeetingSpec",
    "MilestoneSpec",
    "PlanFile",
    "WorkingGroupSpec",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OGP_ID = re.compile(r"[A-Z]{2}[0-9]{4}")
_QUOTE_HINT = "put it in quotes (or format the cell as text)"


def _invalid(message: str) -> PydanticCustomError:
    """A validation error whose message is shown to the user as it is."""
    return PydanticCustomError("plan_value", message)


def normalize_newlines(text: str) -> str:
    """CR LF, CR and NEL become LF: spreadsheets and YAML do not keep them apart."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x85", "\n")


def _text(value: Any) -> Any:
    """Normalise a text cell; returns None for an empty value (callers decide if that is ok)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _invalid(f"read as {str(value).lower()}, not text: {_QUOTE_HINT}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise _invalid(f"read as the decimal number {value!r}, not text: {_QUOTE_HINT}")
    if isinstance(value, dt.datetime):
        raise _invalid(f"read as a date and time, not text: {_QUOTE_HINT}")
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise _invalid("expected text")
    value = normalize_newlines(value).strip()
    if _CONTROL.search(value):
        raise _invalid("contains a control character")
    return value or None


def _required(value: Any) -> Any:
    if value is None:
        raise _invalid("must not be empty")
    return value


def _one_line(value: str) -> str:
    if "\n" in value:
        raise _invalid("must be on one line")
    return value


def _code(value: str) -> str:
    if ";" in value or "\n" in value:
        raise _invalid("an agency code cannot contain ';' or a line break")
    return value


def _opt_code(value: str | None) -> str | None:
    return None if value is None else _code(value)


def _number(value: str) -> str:
    if any(ch.isspace() for ch in value):
        raise _invalid("a number cannot contain spaces")
    return value


def at_most(limit: int) -> AfterValidator:
    """A text fits its database column (String(limit) in storage/models/).

    SQLite stores a longer value anyway and PostgreSQL refuses it, so the file is checked
    here, where every over-long field is reported with its place like any other problem.
    """

    def check(value: str | None) -> str | None:
        if value is not None and len(value) > limit:
            raise _invalid(f"too long: {len(value)} characters (at most {limit})")
        return value

    return AfterValidator(check)


# The String(n) lengths of the columns these fields are stored in (storage/models/).
CODE_LENGTH = 64  # Agency.code, so also every reference to an agency
NUMBER_LENGTH = 20  # Commitment.number and Milestone.number
GROUP_NAME_LENGTH = 300
COUNTRY_LENGTH = 100
PERIOD_LENGTH = 50
AGENCY_NAME_LENGTH = 500
POLICY_AREA_LENGTH = 300
MEETING_TITLE_LENGTH = 500

# Before-validators run last-listed first: _text normalises, then _required refuses None.
Text = Annotated[str, BeforeValidator(_required), BeforeValidator(_text)]
"""Required text."""
OptText = Annotated[str | None, BeforeValidator(_text)]
"""Optional text: empty means not given."""
Code = Annotated[
    str,
    BeforeValidator(_required),
    BeforeValidator(_text),
    AfterValidator(_code),
    at_most(CODE_LENGTH),
]
OptCode = Annotated[
    str | None, BeforeValidator(_text), AfterValidator(_opt_code), at_most(CODE_LENGTH)
]
Number = Annotated[
    str,
    BeforeValidator(_required),
    BeforeValidator(_text),
    AfterValidator(_number),
    at_most(NUMBER_LENGTH),
]


def _date(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if _ISO_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise _invalid(f"bad date '{value}': use YYYY-MM-DD")
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0) or value.tzinfo is not None:
            raise _invalid("expected a date without a time of day")
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise _invalid("bad date: use YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_required), BeforeValidator(_date)]
OptDate = Annotated[dt.date | None, BeforeValidator(_date)]


def _enum_word(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"[\s-]+", "_", value.strip()).lower() or None
    return value


def _choice(kind: str, enum: type[Status] | type[Sector] | type[Language]) -> Any:
    allowed = ", ".join(member.value for member in enum)

    def check(value: Any) -> Any:
        if isinstance(value, enum) or value is None:
            return value
        word = _enum_word(value)
        if isinstance(word, str) and word in {member.value for member in enum}:
            return word
        raise _invalid(f"unknown {kind} '{value}': use one of {allowed}")

    return BeforeValidator(check)


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(value: str | None) -> str | None:
    if value is not None and value not in _zones():
        raise _invalid(f"unknown time zone '{value}': use an IANA name such as Asia/Ulaanbaatar")
    return value


def _ogp_id(value: str | None) -> str | None:
    if value is None:
        return None
    if not _OGP_ID.fullmatch(value.upper()):
        raise _invalid(
            f"bad OGP id '{value}': two letters for the country and four digits, e.g. MN0048"
        )
    return value.upper()


def _when(value: str) -> str:
    try:
        return format_when(parse_when(value))
    except WhenError as exc:
        raise _invalid(str(exc)) from None


def _minutes(value: Any) -> Any:
    if isinstance(value, bool):
        raise _invalid("expected a whole number of minutes")
    if isinstance(value, str):
        return value.strip() or None
    return value


Minutes = Annotated[int, Field(gt=0, le=24 * 60)]


def split_codes(value: Any) -> Any:
    """Agency code lists; a single 'A; B' string (the CSV form) is split on ';'."""
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(";")) if part]
    return [] if value is None else value


def _items(value: Any) -> Any:
    """An empty YAML key (``milestones:``) means an empty list."""
    return [] if value is None else value


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkingGroupSpec(_Spec):
    """The group's own settings; missing ones keep their current or default values."""

    name: Annotated[Text, at_most(GROUP_NAME_LENGTH)]
    country: Annotated[OptText, at_most(COUNTRY_LENGTH)] = None
    period: Annotated[OptText, at_most(PERIOD_LENGTH)] = None
    timezone: Annotated[OptText, AfterValidator(_timezone)] = None
    language: Annotated[Language | None, _choice("language", Language)] = None


class AgencySpec(_Spec):
    """An implementing agency or organisation, known by its short code."""

    code: Code
    name: Annotated[Text, at_most(AGENCY_NAME_LENGTH)]
    sector: Annotated[Sector, _choice("sector", Sector)] = Sector.GOVERNMENT


class MilestoneSpec(_Spec):
    """One milestone, numbered ``<commitment>.<n>``."""

    number: Number
    title: Text
    responsible: OptCode = None
    start: OptDate = None
    due: Date
    status: Annotated[Status, _choice("status", Status)] = Status.NOT_STARTED


class CommitmentSpec(_Spec):
    """One commitment of the plan, with its milestones."""

    number: Number
    title: Text
    ogp_id: Annotated[OptText, AfterValidator(_ogp_id)] = None
    description: OptText = None
    policy_area: Annotated[OptText, at_most(POLICY_AREA_LENGTH)] = None
    lead_agency: OptCode = None
    supporting_agencies: Annotated[list[Code], BeforeValidator(split_codes)] = Field(
        default_factory=list
    )
    start: OptDate = None
    end: OptDate = None
    milestones: Annotated[list[MilestoneSpec], BeforeValidator(_items)] = Field(
        default_factory=list
    )


class MeetingSpec(_Spec):
    """A working-group meeting; `when` is kept in the canonical `<when>` wording."""

    title: Annotated[Text, at_most(MEETING_TITLE_LENGTH)]
    when: Annotated[Text, AfterValidator(_one_line), AfterValidator(_when)]
    place: OptText = None
    duration_minutes: Annotated[Minutes | None, BeforeValidator(_minutes)] = None


class PlanFile(_Spec):
    """A whole plan file; every reader returns one and every writer takes one."""

    working_group: WorkingGroupSpec | None = None
    agencies: Annotated[list[AgencySpec], BeforeValidator(_items)] = Field(default_factory=list)
    commitments: Annotated[list[CommitmentSpec], BeforeValidator(_items)] = Field(
        default_factory=list
    )
    meetings: Annotated[list[MeetingSpec], BeforeValidator(_items)] = Field(default_factory=list)
