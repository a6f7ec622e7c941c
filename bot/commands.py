"""The command contract of PRODUCT.md, as data: /help and the command menu read it."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class CommandSpec:
    name: str
    # Catalog keys: a one-line description and the usage line with an example.
    coordinator_only: bool = False

    @property
    def description_key(self) -> str:
        return f"cmd.{self.name}.description"

    @property
    def usage_key(self) -> str:
        return f"cmd.{self.name}.usage"


# Only commands that are implemented are listed: /help never offers what does not answer.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start"),
    CommandSpec("help"),
    CommandSpec("plan"),
    CommandSpec("commitment"),
)


def commands_for(*, coordinator: bool) -> list[CommandSpec]:
    return [c for c in COMMANDS if coordinator or not c.coordinator_only]
