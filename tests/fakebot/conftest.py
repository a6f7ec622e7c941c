"""Each test gets its own fake server on a free port, a small world and a PTB Bot.

Shared values reach the test modules only through fixtures: `tests/` is not a package,
so a test module cannot import from this folder in every pytest import mode.
"""

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from fakebot import FakeChat, FakeTelegram, FakeUser

BotFactory = Callable[..., Bot]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def alice(fake: FakeTelegram) -> FakeUser:
    return fake.add_user(11, "Alice", username="alice")


@pytest.fixture
def bob(fake: FakeTelegram) -> FakeUser:
    return fake.add_user(12, "Bob")


@pytest.fixture
def group(fake: FakeTelegram, alice: FakeUser, bob: FakeUser) -> FakeChat:
    """A supergroup created by Alice, with Bob as a plain member."""
    return fake.add_group(-1001, "Working group", admins=[alice.id])


@pytest.fixture
def make_bot(fake: FakeTelegram) -> BotFactory:
    """A real PTB Bot talking to the fake, with timeouts short enough for tests."""

    def make(*, read_timeout: float = 2.0) -> Bot:
        def request() -> HTTPXRequest:
            return HTTPXRequest(connect_timeout=1.0, read_timeout=read_timeout, pool_timeout=1.0)

        return Bot(
            fake.token,
            base_url=fake.base_url,
            base_file_url=fake.base_file_url,
            request=request(),
            get_updates_request=request(),
        )

    return make


@pytest.fixture
async def bot(make_bot: BotFactory) -> AsyncIterator[Bot]:
    async with make_bot() as ptb_bot:
        yield ptb_bot


RawPost = Callable[..., Awaitable[object]]


@pytest.fixture
def raw_post(bot: Bot) -> RawPost:
    """Call a method through PTB's request stack with exactly the given parameters.

    For requests PTB's typed methods would never build (missing or mistyped fields);
    `Bot.do_api_request` warns for every real method, and warnings are errors here.
    """

    async def post(method: str, **params: object) -> object:
        data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
        return await bot.request.post(f"{bot.base_url}/{method}", data)

    return post
