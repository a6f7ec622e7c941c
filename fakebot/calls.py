"""What a method handler receives, and the table handlers register themselves in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fakebot.spec import MethodSpec
from fakebot.state import Backend, BotAccount, FakeChat
from fakebot.validation import Params


@dataclass(frozen=True, slots=True)
class Call:
    backend: Backend
    bot: BotAccount
    params: Params
    spec: MethodSpec

    def chat(self) -> FakeChat:
        ref = self.params.get("chat_id")
        return self.backend.chat(ref if isinstance(ref, int | str) else None)


Handler = Callable[[Call], Awaitable[object]]
HANDLERS: dict[str, Handler] = {}


def handles(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            HANDLERS[name.lower()] = func
        return func

    return register
