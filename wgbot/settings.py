"""Settings: every WGBOT_* variable of PRODUCT.md, read by pydantic-settings."""

from __future__ import annotations

import re
import zoneinfo
from urllib.parse import urlsplit

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from domain.enums import Language

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
BASE_URL_SHAPE = "must be http(s)://host[:port][/path] (a Bot API server; /bot is added if missing)"
DATABASE_URL_SHAPE = "must be sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
# host[:port] of a Bot API server: a name, an IPv4 address or a bracketed IPv6 one.
_NETLOC = re.compile(r"(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")
_PATH = re.compile(r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]*)*")
# What asyncpg.connect takes from a URL's query as text (SQLAlchemy passes the query on
# as keyword arguments, so anything else is a TypeError at the first connection).
PG_OPTIONS = frozenset({"host", "ssl", "passfile", "target_session_attrs"})
PG_INT_OPTIONS = frozenset({"prepared_statement_cache_size"})
PG_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


class SettingsError(Exception):
    """A missing or malformed setting, or one that names something which does not work
    (a database or Bot API that does not answer, a port in use): one line naming the
    variable, exit code 2."""


class Settings(BaseSettings):
    """The process configuration. Nothing here is read at import time."""

    model_config = SettingsConfigDict(
        env_prefix="WGBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    telegram_token: SecretStr | None = None
    telegram_base_url: str = DEFAULT_BASE_URL
    database_url: str = "sqlite+aiosqlite:///wgbot.db"
    timezone: str = "UTC"
    language: Language = Language.EN
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    # Where the built-in web server is reachable from outside: the public page's links.
    public_url: AnyHttpUrl | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port
    grace_minutes: int = Field(default=360, ge=0)
    # Updates handled at once (different chats; one chat's updates always in order).
    concurrent_updates: int = Field(default=64, ge=1, le=4096)

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        raw = value.get_secret_value().strip()
        if not raw:
            return None
        bot_id, sep, secret = raw.partition(":")
        if not (sep and bot_id.isdigit() and secret and "/" not in secret):
            # The value itself is never echoed: it is a secret even when malformed.
            raise ValueError("does not look like a token from @BotFather (digits:letters)")
        return SecretStr(raw)

    @field_validator("telegram_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return normal_base_url(value)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        check_database_url(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()):
            # Telegram's own rule for secret_token, with a floor against guessable ones.
            raise ValueError("must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        if value is not None and (value.query or value.fragment):
            raise ValueError("must be http(s)://host[:port][/path], without ? or #")
        return value

    @property
    def public_base(self) -> str | None:
        """WGBOT_PUBLIC_URL without its trailing slash: links are `<base>/p/<slug>`."""
        return None if self.public_url is None else str(self.public_url).rstrip("/")

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError(
                "WGBOT_WEBHOOK_SECRET is required when WGBOT_WEBHOOK_URL is set (Telegram "
                "sends it with every update, so strangers cannot post fake ones)"
            )
        return self

    def require_token(self) -> SecretStr:
        """The token, or a SettingsError naming the variable."""
        if self.telegram_token is None:
            raise SettingsError(
                "WGBOT_TELEGRAM_TOKEN: required by `wgbot run`; get one from @BotFather"
            )
        return self.telegram_token

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secrets(self) -> list[str]:
        """Every value no output may show: the token, the webhook secret and the
        database password (as given, and as it reads once decoded)."""
        found = [s.get_secret_value() for s in (self.telegram_token, self.webhook_secret) if s]
        password = make_url(self.database_url).password
        if password:
            found.append(str(password))
            raw = re.match(r"[^:/]+://[^:/@]*:([^@]*)@", self.database_url)
            if raw:
                found.append(raw.group(1))
        return found

    def database_address(self) -> str:
        """Where the database is, for messages: host:port, or the SQLite file; never
        the password."""
        return database_address(make_url(self.database_url))


def normal_base_url(value: str) -> str:
    """A Bot API base URL ending in /bot: python-telegram-bot appends the token to it
    as is, so "http://localhost:8081" would make the token part of the port."""
    parts = urlsplit(value.strip())
    netloc = _NETLOC.fullmatch(parts.netloc)
    if (
        parts.scheme not in ("http", "https")
        or netloc is None
        or not _PATH.fullmatch(parts.path)
        or parts.query
        or parts.fragment
        or "?" in value
        or "#" in value
    ):
        raise ValueError(BASE_URL_SHAPE)
    port = netloc.group("port")
    if port is not None and not 1 <= int(port) <= 65535:
        raise ValueError("the port must be a number from 1 to 65535")
    path = parts.path.rstrip("/")
    if not path.endswith("/bot"):
        path += "/bot"
    return f"{parts.scheme}://{parts.netloc}{path}"


def check_database_url(value: str) -> None:
    """Refuse, naming what is wrong but never echoing the URL (it may hold a password),
    what would otherwise fail at the first connection with a traceback."""
    if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError(DATABASE_URL_SHAPE)
    try:
        url = make_url(value)
    except ValueError:  # what make_url raises for a port that is not a number
        raise ValueError("the port must be a number from 1 to 65535") from None
    except ArgumentError:
        raise ValueError(DATABASE_URL_SHAPE) from None
    if url.port is not None and not 1 <= url.port <= 65535:
        raise ValueError("the port must be a number from 1 to 65535")
    if url.get_backend_name() == "postgresql":
        _check_pg_options(url)


def _check_pg_options(url: URL) -> None:
    for key, value in url.query.items():
        values = (value,) if isinstance(value, str) else tuple(value)
        if key == "sslmode":
            raise ValueError("asyncpg spells sslmode as ssl (e.g. ?ssl=require)")
        if key in PG_INT_OPTIONS:
            if not all(v.isdigit() for v in values):
                raise ValueError(f"option {key} must be a whole number")
        elif key not in PG_OPTIONS:
            known = ", ".join(sorted(PG_OPTIONS | PG_INT_OPTIONS))
            raise ValueError(f"unknown option {key!r} (asyncpg takes {known})")
        if key == "ssl" and not all(v in PG_SSL_MODES for v in values):
            raise ValueError(f"option ssl must be one of {', '.join(PG_SSL_MODES)}")


def database_address(url: URL) -> str:
    """host:port of a PostgreSQL URL (a socket directory as given), or the SQLite file."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    host = url.host or url.query.get("host") or "localhost"
    if not isinstance(host, str):  # several hosts: ?host=a:5432&host=b:5432
        return ", ".join(host)
    if host.startswith("/"):
        return host
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{url.port or 5432}"


def load_settings(**overrides: object) -> Settings:
    """Read the environment (and .env); a bad value raises SettingsError, one line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a rule across variables names them in its message
            raise SettingsError(message) from None
        raise SettingsError(f"WGBOT_{str(first['loc'][0]).upper()}: {message}") from None
