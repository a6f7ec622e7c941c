"""Bot API method signatures, trimmed from PaulSonOfLars/telegram-bot-api-spec (MIT).

`api_methods.json` keeps, per method, its return type and each field's name, types
(joined with " or ", as the spec writes them) and whether it is required.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True, slots=True)
class MethodSpec:
    name: str
    returns: str
    fields: tuple[FieldSpec, ...]


@functools.cache
def methods() -> dict[str, MethodSpec]:
    """All methods keyed by lower-cased name, since Telegram matches names case-insensitively."""
    text = resources.files(__package__).joinpath("api_methods.json").read_text(encoding="utf-8")
    raw = json.loads(text)["methods"]
    table: dict[str, MethodSpec] = {}
    for name, entry in raw.items():
        fields = tuple(
            FieldSpec(name=f_name, types=tuple(f_types.split(" or ")), required=bool(f_req))
            for f_name, f_types, f_req in entry["fields"]
        )
        table[name.lower()] = MethodSpec(name=name, returns=entry["returns"], fields=fields)
    return table


def api_version() -> str:
    text = resources.files(__package__).joinpath("api_methods.json").read_text(encoding="utf-8")
    return str(json.loads(text)["version"])
