"""The aiohttp application answering `/bot<token>/<method>` like api.telegram.org."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from aiohttp import web

import fakebot.methods_bot
import fakebot.methods_messages  # registers its handlers
from fakebot.calls import HANDLERS, Call
from fakebot.errors import NOT_FOUND, UNAUTHORIZED, ApiError, bad_request
from fakebot.faults import Fault, FaultPlan
from fakebot.spec import methods
from fakebot.state import SEND_METHODS, Backend, RecordedCall, removed_error
from fakebot.validation import UploadedFile, validate

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
MAX_UPLOAD = 60 * 1024 * 1024  # Telegram takes 50 MB uploads; leave room for the envelope


def _answer(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.code)


async def read_params(request: web.Request) -> tuple[dict[str, object], dict[str, UploadedFile]]:
    """Query string, then form, multipart or JSON body, as Telegram accepts all of them."""
    raw: dict[str, object] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return raw, files
    if request.content_type == "application/json":
        try:
            body: Any = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON body must be an object")
        raw.update(body)
    elif request.content_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = UploadedFile(
                    filename=value.filename,
                    data=value.file.read(),
                    content_type=value.content_type,
                )
            else:
                raw[name] = value
    return raw, files


class ApiServer:
    def __init__(self, backend: Backend, faults: FaultPlan) -> None:
        self.backend = backend
        self.faults = faults
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.port: int | None = None

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self.handle_api)
        app.router.add_get("/file/bot{token}/files/{file_id}", self.handle_file)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        # handler_cancellation: a client that gives up (timeout, PTB cancelling its long
        # poll) ends the handler, so hung or polling requests do not outlive their caller.
        runner = web.AppRunner(
            self.make_app(), handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._stopping.clear()
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        self._stopping.set()
        for bot in self.backend.bots.values():
            bot.wake_poller("stopped")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not TOKEN_RE.match(token):
            return _answer(UNAUTHORIZED)
        spec = methods().get(request.match_info["method"].lower())
        if spec is None:
            return _answer(NOT_FOUND)
        backend = self.backend
        record = RecordedCall(method=spec.name, params={}, at=backend.now(), token=token)
        backend.call_log.append(record)
        try:
            raw, files = await read_params(request)
            record.params = {**raw, **files}
            fault = self.faults.take(spec.name, raw.get("chat_id"))
            if fault is not None:
                dropped = await self._apply(fault, request, raw)
                if dropped is not None:
                    record.status = 0
                    return dropped
            params = validate(spec, raw, files)
            record.params = params.raw()
            self._check_flood(spec.name, raw.get("chat_id"))
            handler = HANDLERS.get(spec.name.lower(), fakebot.methods_bot.generic)
            result = await handler(Call(backend, backend.bot(token), params, spec))
        except ApiError as error:
            record.status = error.code
            await self._round_trip(spec.name)
            return _answer(error)
        await self._round_trip(spec.name)
        return web.json_response({"ok": True, "result": result})

    async def _round_trip(self, method: str) -> None:
        """Answer after the latency a test asked for (FakeTelegram(latency=...)); a long
        poll waits for its updates instead."""
        if self.backend.latency > 0 and method != "getUpdates":
            await asyncio.sleep(self.backend.latency)

    def _check_flood(self, method: str, chat_id: object) -> None:
        """Refuse a message that breaks Telegram's limits, as Telegram does (429)."""
        flood = self.backend.flood
        if flood is None or method not in SEND_METHODS:
            return
        wait = flood.admit(_int_or_zero(chat_id), time.monotonic())
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    async def _apply(
        self, fault: Fault, request: web.Request, raw: dict[str, object]
    ) -> web.StreamResponse | None:
        """Raise the fault's error, wait, or drop the connection (returned response)."""
        if fault.kind == "429":
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
        if fault.kind == "500":
            raise ApiError(500, "Internal Server Error")
        if fault.kind == "403":
            raise removed_error(self.backend.chats.get(_int_or_zero(raw.get("chat_id"))))
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            return None
        if fault.kind == "hang":
            await self._stopping.wait()
            raise ApiError(500, "Internal Server Error")
        # "network": close the socket without an HTTP answer, as a broken connection does.
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)

    async def handle_file(self, request: web.Request) -> web.StreamResponse:
        if not TOKEN_RE.match(request.match_info["token"]):
            return _answer(UNAUTHORIZED)
        stored = self.backend.files.get(request.match_info["file_id"])
        if stored is None:
            return _answer(NOT_FOUND)
        return web.Response(body=stored.data, content_type=stored.mime_type or None)


def _int_or_zero(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
