"""Properties of translations: whatever a user wrote shows as written, inside markup Telegram accepts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.html import parse_html
from core.i18n import Html, Translator

TRANSLATOR = Translator()
# Anything a user can name or write (no lone surrogates, which UTF-8 and so Telegram cannot carry).
written = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=200
) | st.sampled_from(
    ["<b>", "</i>", "&amp;", "&lt;b&gt;", "<a href='x'>", "&", "<", "&#0;", "<tg-spoiler>", '"', "'"]
)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(note=written, locale=st.sampled_from(TRANSLATOR.locales))
def test_a_users_text_in_a_message_parses_and_shows_exactly_as_written(note: str, locale: str) -> None:
    markup = TRANSLATOR.t(locale, "wishlist-item-note", note=note)
    text, entities = parse_html(markup, lambda _: None)
    assert text == note
    assert [entity["type"] for entity in entities] == ["italic"]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(name=written, locale=st.sampled_from(TRANSLATOR.locales))
def test_markup_that_is_already_html_is_kept_and_names_around_it_are_escaped(name: str, locale: str) -> None:
    greeting = TRANSLATOR.t(locale, "start-greeting", name=name)
    text, entities = parse_html(greeting, lambda _: None)
    assert name in text
    assert "bold" in [entity["type"] for entity in entities], "the greeting's own <b> stays markup"
    assert TRANSLATOR.t(locale, "wishlist-item-note", note=Html("<b>x</b>")) == "<i><b>x</b></i>"
