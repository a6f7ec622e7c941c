"""What every handler can reach: the process's dependencies, typed, one attribute away.

The composition root (wgbot.app) builds `Deps` and the application with it; handlers
read `context.deps`. Nothing here knows the settings: the root passes plain values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.flows import Flows
from bot.roles import AdminCache
from bot.throttle import EXPORT, MEMBER, Throttle
from domain.clock import Clock
from domain.metrics import NO_METRICS, Metrics

GroupListener = Callable[[int], Awaitable[None]]
Listener = Callable[[], Awaitable[None]]


@dataclasses.dataclass
class Deps:
    """Owned by the composition root; the bot's handlers only borrow them."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    default_language: str  # for chats no working group is linked to
    # WGBOT_PUBLIC_URL without a trailing slash (None: public pages cannot be published).
    public_url: str | None = None
    admin_cache: AdminCache = dataclasses.field(default_factory=AdminCache)
    # Whether a user is still in a group's chat (for what they may see in private).
    member_cache: AdminCache = dataclasses.field(default_factory=AdminCache)
    flows: Flows = dataclasses.field(default_factory=Flows)
    member_throttle: Throttle = dataclasses.field(default_factory=lambda: Throttle(MEMBER))
    export_throttle: Throttle = dataclasses.field(default_factory=lambda: Throttle(EXPORT))
    # Called with a working group's id after a committed change that moves a time
    # (meeting added/cancelled/skipped, settings, plan re-import); the scheduler listens.
    schedule_listeners: list[GroupListener] = dataclasses.field(default_factory=list)
    # Called after a handler committed a new outbox row (/digest): delivery looks now.
    queued_listeners: list[Listener] = dataclasses.field(default_factory=list)
    # What /metrics counts (updates, commands, 429s); nothing unless the root wires it.
    metrics: Metrics = NO_METRICS

    async def schedule_changed(self, group_id: int) -> None:
        for listener in self.schedule_listeners:
            await listener(group_id)

    async def notifications_queued(self) -> None:
        for listener in self.queued_listeners:
            await listener()


class WGApplication(
    Application[ExtBot[None], "WGContext", dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
):
    """python-telegram-bot's Application carrying the process's dependencies."""

    def __init__(self, *, deps: Deps, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deps = deps


class WGContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the process's dependencies one attribute away."""

    def __init__(
        self, application: WGApplication, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self.deps: Deps = application.deps
