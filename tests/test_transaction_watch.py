"""The watch behind "no Telegram call inside a transaction" sees a breach when there is one.

Every test runs under it (tests/conftest.py); this one shows it is not blind.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from fakebot import FakeTelegram
from storage.db import transaction
from tests.txguard import TransactionWatch


async def test_a_bot_api_call_inside_a_transaction_is_a_breach_and_outside_is_not(
    sessionmaker: async_sessionmaker[AsyncSession], transaction_watch: TransactionWatch
) -> None:
    async with FakeTelegram() as fake, Bot(fake.token, base_url=fake.base_url) as bot:
        async with transaction(sessionmaker) as session:
            await session.execute(text("SELECT 1"))
            await bot.get_me()
        assert transaction_watch.breaches == ["getMe"]
        transaction_watch.breaches.clear()  # seen; the autouse check would fail this test
        await bot.get_me()  # committed: talking to Telegram now is the rule
        assert transaction_watch.breaches == []
