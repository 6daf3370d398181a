"""Logging setup: one format, quiet chatty libraries, and secrets redacted from every record.

Telegram, HTTP and database libraries log request parameters below a certain level (message texts,
payment data, shipping addresses, SQL parameters) and Bot API URLs, which contain the token. Their records
below that floor are never written, whatever LOG_LEVEL says and even when their loggers are set lower:
the floor is a filter on the handlers, not only a logger level. Every record that is written has the
registered secrets (the bot token, the webhook secret, the payment provider token) and anything shaped
like a bot or payment provider token replaced by ``[redacted]``, in its message and its traceback.
"""

from __future__ import annotations

import logging
import re

# The least level written for a library (and its child loggers), and why.
FLOORS = {
    "httpx": logging.WARNING,  # logs every request URL, and Bot API URLs contain the token
    "httpcore": logging.WARNING,
    "aiohttp.access": logging.WARNING,  # request lines: the sandbox's Bot API paths contain the token
    "apscheduler": logging.WARNING,
    "telegram": logging.INFO,  # DEBUG shows every call's parameters and every update
    "aiosqlite": logging.INFO,  # DEBUG shows every statement's parameters
    "sqlalchemy": logging.WARNING,  # INFO shows every statement's parameters, DEBUG the rows
    "asyncpg": logging.WARNING,
}
REDACTED = "[redacted]"
# A bot token is "<bot id>:<35 characters>"; a payment provider token "<id>:TEST:…" or "<id>:LIVE:…".
TOKEN_SHAPES = re.compile(r"(?<!\d)\d{5,}:(?:(?:TEST|LIVE):[^\s'\"]+|[A-Za-z0-9_-]{30,})")


def floor(name: str) -> int:
    """Return the least level written for the logger ``name`` (NOTSET when any level is)."""
    while name:
        if name in FLOORS:
            return FLOORS[name]
        name = name.rpartition(".")[0]
    return logging.NOTSET


class LibraryFloors(logging.Filter):
    """Drop records of the chatty libraries below their floor, whatever their logger's level is."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record unless it comes from a library below its floor."""
        return record.levelno >= floor(record.name)


class RedactSecrets(logging.Filter):
    """Replace every registered secret, and anything shaped like a token, in log records."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets or [] if secret]

    def add(self, secret: str | None) -> None:
        """Redact ``secret`` from now on."""
        if secret and secret not in self.secrets:
            self.secrets.append(secret)

    def redact(self, text: str) -> str:
        """Return ``text`` with the secrets and token-shaped strings blanked out."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once and blank out the secrets in it and in any traceback."""
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


floors = LibraryFloors()
redactor = RedactSecrets()


def setup(level: str) -> None:
    """Configure the root logger for the bot process and install the floors and the redaction on its
    handlers."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        for installed in (floors, redactor):
            if installed not in handler.filters:
                handler.addFilter(installed)
    for name, least in FLOORS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(least, logging.getLogger().getEffectiveLevel()))
