"""Logging, and the last-resort error output, that never show a secret.

The log formatter redacts every secret from the final text; `protect` installs the same
redaction where Python prints what nobody caught (sys.excepthook, a thread's and an
unraisable exception's hooks, the event loop's exception handler), because a library's
error message can carry the token (httpx once put it in an "Invalid port" message).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import traceback
from collections.abc import Coroutine, Iterable
from types import TracebackType
from typing import Any, TypeVar

REDACTED = "[redacted]"
T = TypeVar("T")


class Redactor:
    """Takes every secret out of a text: the values given, and a token's secret half."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        found: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            found.add(secret)
            # The token is the bot id (public) plus a secret; that half alone must not
            # leak either.
            _bot_id, sep, half = secret.partition(":")
            if sep and half:
                found.add(half)
        # Longest first, so a secret that contains another is replaced whole.
        self.secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """sys.excepthook: the usual traceback, redacted."""
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(self(text))
        sys.stderr.flush()

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        sys.stderr.write(self(f"Exception in thread {name}:\n{text}"))
        sys.stderr.flush()

    def unraisablehook(self, unraisable: Any) -> None:
        """sys.unraisablehook (an exception in __del__, a callback at shutdown)."""
        head = unraisable.err_msg or "Exception ignored in"
        text = "".join(
            traceback.format_exception(
                unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback
            )
        )
        sys.stderr.write(self(f"{head}: {unraisable.object!r}\n{text}"))
        sys.stderr.flush()

    def loop_exception_handler(
        self, _loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        """The event loop's handler ("Task exception was never retrieved" and the like):
        the default handler's text, redacted before it reaches any log handler."""
        lines = [str(context.get("message") or "Unhandled exception in event loop")]
        for key in sorted(context):
            if key not in {"message", "exception"}:
                lines.append(f"{key}: {context[key]!r}")
        exc = context.get("exception")
        text = "\n".join(lines)
        if isinstance(exc, BaseException):
            text += "\n" + "".join(traceback.format_exception(exc)).rstrip("\n")
        logging.getLogger("asyncio").error("%s", self(text))


class RedactingFormatter(logging.Formatter):
    """Replaces every secret in the final text, tracebacks included."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._redact = Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


def configure_logging(*, secrets: Iterable[str] = (), level: int = logging.INFO) -> None:
    """Root logging to stderr, redacting `secrets` (the bot token, the webhook secret)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def protect(secrets: Iterable[str], *, level: int = logging.WARNING) -> Redactor:
    """From here on, nothing this process prints shows a secret: logging (at `level`),
    and every hook through which Python prints an exception nobody caught. The event
    loop's handler is per loop: run coroutines with `run_protected`."""
    redactor = Redactor(secrets)
    configure_logging(secrets=redactor.secrets, level=level)
    sys.excepthook = redactor.excepthook
    threading.excepthook = redactor.thread_excepthook
    sys.unraisablehook = redactor.unraisablehook
    return redactor


def run_protected(coro: Coroutine[Any, Any, T], redactor: Redactor) -> T:
    """asyncio.run, with the loop's last-resort exception handler redacting too."""
    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(redactor.loop_exception_handler)
        return runner.run(coro)
