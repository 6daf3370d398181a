"""Message catalogs are complete in every language, and formatting follows the locale."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from core.i18n import Html, Translator, format_datetime, format_money, format_number, missing_keys

ROOT = Path(__file__).resolve().parents[2]
KEY_IN_CODE = re.compile(r"""\bt\(\s*(?:[a-z_.]+,\s*)?f?["']([a-z0-9-]+(?:\{[^}]*\}[a-z0-9-]*)*)["']""")


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator(default_locale="de")


def test_german_and_english_are_both_there(translator: Translator) -> None:
    assert set(translator.locales) >= {"de", "en"}


def test_no_key_is_missing_in_any_language(translator: Translator) -> None:
    assert missing_keys(translator) == {}


def test_every_key_the_code_uses_exists(translator: Translator) -> None:
    used: set[str] = set()
    for package in ("bot", "handlers", "core", "catalog", "social", "orders", "deals"):
        for source in (ROOT / package).rglob("*.py"):
            used |= set(KEY_IN_CODE.findall(source.read_text(encoding="utf-8")))
    patterns = {key for key in used if "{" in key}
    plain = used - patterns
    assert plain, "the scan found no keys at all"
    for locale in translator.locales:
        assert plain - translator.keys[locale] == set(), f"keys missing in {locale}"
        for pattern in patterns:
            regex = re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[a-z0-9-]+", re.escape(pattern)) + "$")
            assert any(regex.match(key) for key in translator.keys[locale]), f"{pattern} in {locale}"


def test_user_text_is_escaped_but_safe_html_is_kept(translator: Translator) -> None:
    text = translator.t("en", "start-greeting", name="<b>Tom & Co</b>")
    assert "&lt;b&gt;Tom &amp; Co&lt;/b&gt;" in text
    assert "<b>Kaufrunde</b>" in text
    nested = translator.t("en", "unknown-command", command=Html("<code>/x</code>"))
    assert "<code>/x</code>" in nested


def test_plurals_follow_the_language(translator: Translator) -> None:
    args = {"name": "Lena", "language": "x", "timezone": "Europe/Berlin", "deals": "on", "broadcasts": "off"}
    assert "eine Gruppe" in translator.t("de", "privacy-overview", groups=1, **args)
    assert "3 Gruppen" in translator.t("de", "privacy-overview", groups=3, **args)
    assert "one group" in translator.t("en", "privacy-overview", groups=1, **args)


def test_an_unknown_language_falls_back_to_the_default(translator: Translator) -> None:
    assert translator.t("fr", "menu-help") == translator.t("de", "menu-help")


def test_money_numbers_and_dates_follow_the_locale() -> None:
    assert format_money(Decimal("1299.5"), "EUR", "de") == "1.299,50\xa0€"
    assert format_money(Decimal("1299.5"), "EUR", "en") == "€1,299.50"
    assert format_number(Decimal("12345.5"), "de") == "12.345,5"
    moment = datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    assert format_datetime(moment, "de", time_zone="Europe/Berlin") == "24.12.2026, 18:00:00"
