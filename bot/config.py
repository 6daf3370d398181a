"""Configuration, read once from the environment and ``.env`` (every variable is in the README)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/kaufrunde.db"


class Settings(BaseSettings):
    """Everything the bot can be configured with."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_timeout: float = Field(default=5.0, gt=0)
    # Off only against a Bot API server that enforces no limits (the benchmarks measure the bot this way).
    telegram_rate_limit: bool = True
    database_url: str = DEFAULT_DATABASE_URL
    webhook_url: str | None = None
    public_url: str | None = None
    payment_provider_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    default_locale: Literal["de", "en"] = "de"
    admin_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    media_dir: Path = Path("var/media")
    log_level: str = "INFO"
    # Broadcasts: Telegram's limits by default; up to 1000/s with BROADCAST_PAID (paid broadcasts, in Stars).
    # The rate and the per-group limit are the bot's in all: instances on one PostgreSQL database share them.
    broadcast_rate_per_second: float = Field(default=30.0, gt=0)
    broadcast_per_chat_per_second: float = Field(default=1.0, gt=0)
    broadcast_group_per_minute: float = Field(default=20.0, gt=0)
    broadcast_paid: bool = False

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("telegram_api_url", "webhook_url", "public_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @field_validator("telegram_bot_token", "webhook_secret", "payment_provider_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def embedded(self) -> bool:
        """Tell whether to run the embedded default: no token, a local sandbox stands in for Telegram."""
        return self.telegram_bot_token is None

    def public_base(self, port: int) -> str:
        """Return the URL users' devices reach this server's /media under (PUBLIC_URL, else derived)."""
        if self.public_url:
            return self.public_url
        if self.webhook_url:
            parts = urlsplit(self.webhook_url)
            return f"{parts.scheme}://{parts.netloc}"
        # Not a bind: a server listening on every interface is reached through the loopback one.
        host = "127.0.0.1" if self.http_host in {"0.0.0.0", "::"} else self.http_host  # nosec B104
        return f"http://{host}:{port}"


# The local sandbox's public test token (bandit would take it for a password).
SANDBOX_PROVIDER_TOKEN = "1000000000:TEST:sandbox"  # nosec B105


def sandbox_token() -> str:
    """Make a token in Telegram's shape for the local sandbox bot."""
    return f"7000000001:SANDBOX{secrets.token_hex(12)}"
