"""Configuration is read from the environment; logs never show the token."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from bot.logs import RedactSecrets

TOKEN = "7000000001:AAHsecretsecretsecret"


def test_defaults_are_the_embedded_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "WEBHOOK_URL", "HTTP_PORT", "ADMIN_USER_IDS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.embedded
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_url.startswith("sqlite+aiosqlite:///var/")
    assert (settings.http_host, settings.http_port, settings.default_locale) == ("127.0.0.1", 8080, "de")


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("ADMIN_USER_IDS", "11, 22")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    settings = Settings(_env_file=None)
    assert not settings.embedded
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.admin_user_ids == [11, 22]
    assert settings.default_locale == "en"
    assert TOKEN not in repr(settings)


def test_the_token_is_redacted_from_messages_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("kaufrunde.test")
    caplog.handler.addFilter(RedactSecrets([TOKEN]))
    logger.info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed calling /bot{TOKEN}/sendMessage")
    except RuntimeError:
        logger.exception("call failed")
    assert TOKEN not in caplog.text
    assert "[redacted]" in caplog.text
