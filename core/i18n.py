"""Translations (Fluent message catalogs in ``locales/``) and locale-aware formatting (Babel).

Every string the bot shows lives in ``locales/<lang>/*.ftl`` under a key. Replies are sent with HTML
parse mode, so :meth:`Translator.t` escapes every string argument; pass :class:`Html` for a piece that
is already safe markup (for example another translated message).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time
from babel.dates import format_timedelta
from babel.numbers import format_currency, format_decimal
from fluent.runtime import FluentBundle, FluentResource

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
BABEL_LOCALES = {"de": "de_DE", "en": "en_GB"}


class Html(str):
    """Text that is already valid Telegram HTML and is inserted as it is."""

    __slots__ = ()


Arg = str | int | Decimal


class Translator:
    """Look up messages by key in the user's language, falling back to the default one."""

    def __init__(self, *, default_locale: str = "de", directory: Path = LOCALES_DIR) -> None:
        self.directory = directory
        self.bundles: dict[str, FluentBundle] = {}
        self.keys: dict[str, set[str]] = {}
        for folder in sorted(path for path in directory.iterdir() if path.is_dir()):
            bundle = FluentBundle([folder.name], use_isolating=False)
            keys: set[str] = set()
            for file in sorted(folder.glob("*.ftl")):
                resource = FluentResource(file.read_text(encoding="utf-8"))
                keys |= {entry.id.name for entry in resource.body if hasattr(entry, "id")}
                bundle.add_resource(resource)
            self.bundles[folder.name] = bundle
            self.keys[folder.name] = keys
        if default_locale not in self.bundles:
            raise ValueError(f"no message catalog for the default locale {default_locale!r}")
        self.default_locale = default_locale

    @property
    def locales(self) -> tuple[str, ...]:
        """Return the languages with a message catalog."""
        return tuple(self.bundles)

    def t(self, locale: str, key: str, /, **args: Arg) -> Html:
        """Return the message ``key`` in ``locale`` with ``args`` filled in (strings escaped for HTML)."""
        bundle = self.bundles.get(locale) or self.bundles[self.default_locale]
        message = bundle.get_message(key) if bundle.has_message(key) else None
        if message is None or message.value is None:
            log.error("missing message %r in locale %r", key, locale)
            fallback = self.bundles[self.default_locale]
            if locale == self.default_locale or not fallback.has_message(key):
                return Html(html.escape(key))
            return self.t(self.default_locale, key, **args)
        safe: dict[str, str | int | Decimal] = {
            name: value if isinstance(value, Html | int | Decimal) else html.escape(value)
            for name, value in args.items()
        }
        text, errors = bundle.format_pattern(message.value, safe)
        for error in errors:
            log.error("message %r in locale %r: %s", key, locale, error)
        return Html(text)


def babel_locale(locale: str) -> str:
    """Return the Babel locale used to format numbers and dates for a language."""
    return BABEL_LOCALES.get(locale, locale)


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """Format an amount of money for the locale, e.g. ``79,90 €`` or ``€79.90``."""
    return format_currency(amount, currency, locale=babel_locale(locale))


def format_number(value: int | Decimal, locale: str) -> str:
    """Format a number with the locale's separators."""
    return format_decimal(value, locale=babel_locale(locale))


def format_datetime(moment: datetime, locale: str, *, time_zone: str, style: str = "medium") -> str:
    """Format a moment in the user's time zone and language."""
    return babel_format_datetime(moment, style, tzinfo=ZoneInfo(time_zone), locale=babel_locale(locale))


def format_duration(delta: timedelta, locale: str) -> str:
    """Format a span of time roughly, as people say it ("3 days", "5 Stunden")."""
    return format_timedelta(delta, threshold=1.5, format="long", locale=babel_locale(locale))


def format_time(moment: datetime, locale: str, *, time_zone: str) -> str:
    """Format the time of day of a moment in the user's time zone ("10:00", "10:00 AM")."""
    return babel_format_time(moment, "short", tzinfo=ZoneInfo(time_zone), locale=babel_locale(locale))


def missing_keys(translator: Translator) -> Mapping[str, set[str]]:
    """Return, per locale, the keys some other locale has and this one lacks."""
    every = set().union(*translator.keys.values())
    return {locale: every - keys for locale, keys in translator.keys.items() if every - keys}
