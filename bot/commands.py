"""The command contract of PRODUCT.md, as data: /help and the command menu read it."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class CommandSpec:
    name: str
    coordinator_only: bool = False
    # Also answers in a private chat with the bot (for a member of one working group).
    private: bool = False

    @property
    def description_key(self) -> str:
        return f"cmd.{self.name}.description"

    @property
    def usage_key(self) -> str:
        """The usage line shown by /help (`/update <milestone> <status> [note]`)."""
        return f"cmd.{self.name}.usage"


# Only implemented commands are listed (a test checks each has a handler), in the order
# of PRODUCT.md's table. /settings shows to all; its changes are for coordinators.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", private=True),
    CommandSpec("help", private=True),
    CommandSpec("plan"),
    CommandSpec("commitment"),
    CommandSpec("deadlines", private=True),
    CommandSpec("overdue", private=True),
    CommandSpec("update"),
    CommandSpec("history"),
    CommandSpec("meetings"),
    CommandSpec("meeting", coordinator_only=True),
    CommandSpec("digest"),
    CommandSpec("settings", private=True),  # in private: the member's own language
    CommandSpec("iam"),
    CommandSpec("mine", private=True),
    CommandSpec("export", coordinator_only=True),
    CommandSpec("coordinator", coordinator_only=True),
    # Quiet days (PRODUCT.md, "Quiet days and snooze").
    CommandSpec("holiday", coordinator_only=True),
    CommandSpec("holidays"),
    # Minutes and action items; the OGP watch (PRODUCT.md, their own tables).
    CommandSpec("topic"),
    CommandSpec("info"),
    CommandSpec("agreed"),
    CommandSpec("link"),
    CommandSpec("action"),
    CommandSpec("minutes"),
    CommandSpec("actions"),
    CommandSpec("ogp"),
)


def commands_for(*, coordinator: bool, private: bool = False) -> list[CommandSpec]:
    """What /help and the menu offer: in a group by role, in a private chat what works there."""
    if private:
        return [c for c in COMMANDS if c.private]
    return [c for c in COMMANDS if coordinator or not c.coordinator_only]
