"""The wire format PTB does not use: JSON bodies, GET, odd method spelling, bad tokens."""

from collections.abc import AsyncIterator

import aiohttp
import pytest

from fakebot import FakeChat, FakeTelegram


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_json_body_and_case_insensitive_method(
    fake: FakeTelegram, group: FakeChat, http: aiohttp.ClientSession
) -> None:
    url = f"{fake.base_url}{fake.token}/SENDMESSAGE"
    async with http.post(url, json={"chat_id": group.id, "text": "hi"}) as response:
        body = await response.json()
    assert response.status == 200
    assert body["ok"] is True
    assert body["result"]["text"] == "hi"
    assert fake.calls("sendMessage")[0].params == {"chat_id": group.id, "text": "hi"}


async def test_get_with_query_string(fake: FakeTelegram, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{fake.base_url}{fake.token}/getMe?x=1") as response:
        body = await response.json()
    assert body["result"]["username"] == "wgbot_test_bot"


@pytest.mark.parametrize(
    ("path", "status", "description"),
    [
        ("/botnot-a-token/getMe", 401, "Unauthorized"),
        ("/bot123:abc/noSuchMethod", 404, "Not Found"),
    ],
)
async def test_error_bodies(
    fake: FakeTelegram, http: aiohttp.ClientSession, path: str, status: int, description: str
) -> None:
    base = fake.base_url.removesuffix("/bot")
    async with http.post(base + path) as response:
        body = await response.json()
    assert response.status == status
    assert body == {"ok": False, "error_code": status, "description": description}


async def test_each_token_is_its_own_bot(
    fake: FakeTelegram, group: FakeChat, http: aiohttp.ClientSession
) -> None:
    other = "987654:other_bot_token"
    fake.add_bot(other, username="other_bot")
    async with http.get(f"{fake.base_url}{other}/getMe") as response:
        me = (await response.json())["result"]
    assert (me["id"], me["username"]) == (987654, "other_bot")
    fake.user_says(group.id, 11, "hello", token=other)
    assert fake.pending_updates() == []
    assert len(fake.pending_updates(token=other)) == 1
