"""Failures a test asks for: matched in the order they were added, consumed per `times`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["429", "500", "403", "hang", "slow", "network"]
FAULT_KINDS: frozenset[str] = frozenset({"429", "500", "403", "hang", "slow", "network"})


@dataclass(slots=True)
class Fault:
    method: str  # lower-cased Bot API method name, or "*" for any
    kind: FaultKind
    chat_id: int | None = None
    times: int | None = 1  # None: every matching call, forever
    retry_after: int = 1
    delay: float = 0.0

    def matches(self, method: str, chat_id: object) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method not in {"*", method.lower()}:
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)


class FaultPlan:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        self.faults.append(fault)

    def take(self, method: str, chat_id: object) -> Fault | None:
        """The first fault that applies to this call, with one use consumed."""
        for fault in self.faults:
            if fault.matches(method, chat_id):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
