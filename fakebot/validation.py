"""Check a call's parameters against the Bot API spec and convert them to Python values.

PTB sends every non-string value JSON-encoded inside form or multipart fields, other
clients send a JSON body; both end up here as the same typed values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fakebot.errors import bad_request
from fakebot.spec import FieldSpec, MethodSpec

_INT_RE = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    data: bytes
    content_type: str


class Params:
    """Validated parameters of one call, with typed accessors for the method handlers."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self._values = dict(values)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def raw(self) -> dict[str, object]:
        return dict(self._values)

    def get(self, name: str) -> object:
        return self._values.get(name)

    def get_int(self, name: str) -> int | None:
        value = self._values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def get_str(self, name: str) -> str | None:
        value = self._values.get(name)
        return value if isinstance(value, str) else None

    def get_bool(self, name: str) -> bool:
        return self._values.get(name) is True

    def get_obj(self, name: str) -> dict[str, Any] | None:
        value = self._values.get(name)
        return value if isinstance(value, dict) else None

    def get_list(self, name: str) -> list[Any] | None:
        value = self._values.get(name)
        return value if isinstance(value, list) else None

    def get_file(self, name: str) -> UploadedFile | str | None:
        value = self._values.get(name)
        return value if isinstance(value, UploadedFile | str) else None


def _empty_reason(method: MethodSpec, field: FieldSpec) -> str:
    if field.name == "text" and method.name in {"sendMessage", "editMessageText"}:
        return "message text is empty"
    if "InputFile" in field.types:
        return f"there is no {field.name} in the request"
    return f"{field.name} is empty"


def _wrong_type(field: FieldSpec) -> Exception:
    return bad_request(f"{field.name} has wrong type")


def _convert(field: FieldSpec, value: object, files: Mapping[str, UploadedFile]) -> object:
    types = field.types
    if isinstance(value, UploadedFile):
        if "InputFile" in types:
            return value
        raise _wrong_type(field)
    if "InputFile" in types and isinstance(value, str) and value.startswith("attach://"):
        attached = files.get(value.removeprefix("attach://"))
        if attached is None:
            raise bad_request(f"{field.name} has wrong type: attached file not found")
        return attached
    if "Integer" in types:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value)
        if "String" in types and isinstance(value, str):
            return value
        raise _wrong_type(field)
    if "Float" in types:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _wrong_type(field)
        try:
            return float(value)
        except ValueError:
            raise _wrong_type(field) from None
    if "Boolean" in types:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        raise _wrong_type(field)
    if "String" in types:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise _wrong_type(field)
    return _convert_json(field, value)


def _convert_json(field: FieldSpec, value: object) -> object:
    """Arrays and objects arrive JSON-serialized; Telegram rejects anything unparsable."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _wrong_type(field) from None
    wants_array = all(t.startswith("Array of") for t in field.types)
    if not isinstance(value, list if wants_array else dict):
        raise _wrong_type(field)
    return value


def validate(
    method: MethodSpec, raw: Mapping[str, object], files: Mapping[str, UploadedFile]
) -> Params:
    """Return the typed parameters, or raise the 400 Telegram would answer.

    Empty values count as absent (Telegram does the same); unknown names are ignored.
    """
    values: dict[str, object] = {}
    for field in method.fields:
        value = raw.get(field.name)
        if value is None and field.name in files:
            value = files[field.name]
        if value is None or value == "":
            if field.required:
                raise bad_request(_empty_reason(method, field))
            continue
        values[field.name] = _convert(field, value, files)
    return Params(values)
