"""Logging setup: one format, quiet chatty libraries, and secrets redacted from every record.

Telegram and database libraries log request parameters at DEBUG (message texts, payment payloads);
they stay at INFO or above whatever LOG_LEVEL says, so logs never carry users' payment data.
"""

from __future__ import annotations

import logging

QUIET = {
    "httpx": logging.WARNING,  # logs every request URL, and Bot API URLs contain the token
    "httpcore": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "apscheduler": logging.WARNING,
    "telegram": logging.INFO,  # DEBUG shows every call's parameters and every update
    "aiosqlite": logging.INFO,  # DEBUG shows every statement's parameters
}


class RedactSecrets(logging.Filter):
    """Replace every registered secret (the bot token, the webhook secret) in log records."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets or [] if secret]

    def add(self, secret: str) -> None:
        """Redact ``secret`` from now on."""
        if secret and secret not in self.secrets:
            self.secrets.append(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once and blank out the secrets in it and in any traceback."""
        if not self.secrets:
            return True
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, "[redacted]")
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self.secrets:
                record.exc_text = record.exc_text.replace(secret, "[redacted]")
        return True


redactor = RedactSecrets()


def setup(level: str) -> None:
    """Configure the root logger for the bot process and install the redaction on its handlers."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if redactor not in handler.filters:
            handler.addFilter(redactor)
    for name, floor in QUIET.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(floor, logging.getLogger().getEffectiveLevel()))
