"""What every handler can reach: the process's dependencies, typed."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.roles import AdminCache
from domain.clock import Clock
from wgbot.settings import Settings

DEPS_KEY = "wgbot.deps"


@dataclasses.dataclass
class Deps:
    """Owned by the composition root; created in build_application, closed on shutdown."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    admin_cache: AdminCache = dataclasses.field(default_factory=AdminCache)
    # Called with a working group's id after a committed change that moves a time
    # (meeting added/cancelled/skipped, settings, plan re-import); the scheduler listens.
    schedule_listeners: list[Callable[[int], Awaitable[None]]] = dataclasses.field(
        default_factory=list
    )

    async def schedule_changed(self, group_id: int) -> None:
        for listener in self.schedule_listeners:
            await listener(group_id)


class WGContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the process's dependencies one attribute away."""

    @property
    def deps(self) -> Deps:
        deps = self.application.bot_data[DEPS_KEY]
        assert isinstance(deps, Deps)
        return deps


WGApplication = Application[
    ExtBot[None], WGContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
