"""Properties of what users send: cleaned as Telegram's clients clean it, once, and nothing else changes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.html import clean_input, detect_entities, entity_text, utf16_len

REMOVED = {"\r", "\u0333", "\u033f", "\u030a", *map(chr, range(0x2028, 0x202F))}
typed = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"])
    | st.sampled_from(sorted(REMOVED | {"\x00", "\t", "\n"})),
    max_size=300,
)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(text=typed)
def test_cleaning_removes_controls_once_and_keeps_everything_else_in_order(text: str) -> None:
    cleaned = clean_input(text)
    assert clean_input(cleaned) == cleaned
    assert not [char for char in cleaned if (ord(char) < 32 and char != "\n") or char in REMOVED]
    kept = [" " if ord(char) < 32 and char not in "\n\r" else char for char in text if char not in REMOVED]
    assert cleaned == "".join(kept)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    text=typed.map(clean_input), command=st.sampled_from(["/start", "/help@kaufrunde_bot", "@kaufrunde_bot"])
)
def test_found_commands_and_mentions_cover_exactly_their_text(text: str, command: str) -> None:
    message = f"{command} {text}"
    entities = detect_entities(message)
    assert entities and entities[0]["offset"] == 0
    assert entity_text(message, entities[0]) == command.split()[0]
    assert all(entity["offset"] + entity["length"] <= utf16_len(message) for entity in entities)
