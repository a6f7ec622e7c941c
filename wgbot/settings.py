"""Settings: every WGBOT_* variable of PRODUCT.md, read by pydantic-settings."""

from __future__ import annotations

import re
import zoneinfo

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.enums import Language

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


class SettingsError(Exception):
    """A missing or malformed setting; its message is one line naming the variable."""


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
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL ending in /bot")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must be sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
            )
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
