"""Telegram's HTML parse mode and the entities detected in users' text."""

from __future__ import annotations

import pytest

from bot.sandbox.html import EntityParseError, detect_entities, parse_html, trim, utf16_len

ALICE_JSON = {"id": 501, "is_bot": False, "first_name": "Alice"}


def users(user_id: int) -> dict[str, object] | None:
    """Know Alice only."""
    return ALICE_JSON if user_id == 501 else None


def parse(markup: str) -> tuple[str, list[dict[str, object]]]:
    """Parse markup with Alice as the only known user."""
    return parse_html(markup, users)


def test_nested_entities_with_utf16_offsets() -> None:
    text, entities = parse("😀 <b>fett <i>und kursiv</i></b> 🛍️<u>unter</u>")
    assert text == "😀 fett und kursiv 🛍️unter"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 15},
        {"type": "italic", "offset": 8, "length": 10},
        {"type": "underline", "offset": 22, "length": 5},
    ]
    assert utf16_len("😀") == 2


def test_every_supported_tag() -> None:
    markup = (
        "<strong>a</strong><em>b</em><ins>c</ins><s>d</s><strike>e</strike><del>f</del>"
        '<span class="tg-spoiler">g</span><tg-spoiler>h</tg-spoiler><code>i</code>'
        '<pre><code class="language-python">j</code></pre><pre>k</pre>'
        "<blockquote>l</blockquote><blockquote expandable>m</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">n</tg-emoji>'
        '<a href="tg://user?id=501">o</a><a href="example.org">p</a>'
    )
    text, entities = parse(markup)
    assert text == "abcdefghijklmnop"
    kinds = [(entity["type"], entity["offset"]) for entity in entities]
    assert kinds == [
        ("bold", 0),
        ("italic", 1),
        ("underline", 2),
        ("strikethrough", 3),
        ("strikethrough", 4),
        ("strikethrough", 5),
        ("spoiler", 6),
        ("spoiler", 7),
        ("code", 8),
        ("pre", 9),
        ("pre", 10),
        ("blockquote", 11),
        ("expandable_blockquote", 12),
        ("custom_emoji", 13),
        ("text_mention", 14),
        ("text_link", 15),
    ]
    assert entities[9]["language"] == "python" and "language" not in entities[10]
    assert entities[14]["user"] == ALICE_JSON and entities[15]["url"] == "http://example.org/"


def test_character_references() -> None:
    text, entities = parse("AT&amp;T &lt;3 &gt; &quot;x&quot; &#228; &#x1F600; &amp &nbsp; Q&A")
    assert text == 'AT&T <3 > "x" ä 😀 & &nbsp; Q&A'
    assert entities == []


def test_links_that_telegram_drops() -> None:
    assert parse('<a href="javascript:alert(1)">x</a>')[1] == []
    assert parse('<a href="tg://user?id=999">x</a>')[1] == []
    assert parse("<a>https://shop.example/p/1</a>")[1][0]["url"] == "https://shop.example/p/1"
    assert parse('<a href="https://shop.example?q=1">x</a>')[1][0]["url"] == "https://shop.example/?q=1"
    assert parse("<a>shop.example </a>")[1] == []


def test_empty_tags_make_no_entity_and_attributes_may_lack_values() -> None:
    assert parse("a<b></b>b") == ("ab", [])
    assert parse("<I aba>x</>") == ("x", [{"type": "italic", "offset": 0, "length": 1}])


def test_entities_on_the_same_text_follow_telegrams_order() -> None:
    _, entities = parse("<code><i><b> </b></i></code><pre><code>x</code></pre>")
    assert [entity["type"] for entity in entities] == ["code", "bold", "italic", "pre", "code"]


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("Preis < 80", 'Unsupported start tag "" at byte offset 6'),
        ("Zeile<br>zwei", 'Unsupported start tag "br" at byte offset 5'),
        ("ä<b>x</i>", 'Unmatched end tag at byte offset 6, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href"x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<i aba", 'Unclosed start tag "i" at byte offset 0'),
        (
            "&#xD83D;&#xDE00;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
        ("<a =x>y</a>", 'Empty attribute name in the tag "a" at byte offset 0'),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ],
)
def test_errors_match_telegram(markup: str, error: str) -> None:
    with pytest.raises(EntityParseError) as refused:
        parse(markup)
    assert str(refused.value) == error


def test_trim_moves_and_cuts_entities() -> None:
    text, entities = trim(
        "\n  <b>x</b>  \n".replace("<b>", "").replace("</b>", ""),
        [
            {"type": "bold", "offset": 3, "length": 1},
            {"type": "italic", "offset": 0, "length": 3},
        ],
    )
    assert (text, entities) == ("x", [{"type": "bold", "offset": 0, "length": 1}])


def test_detect_commands_and_mentions() -> None:
    text = "/start@kaufrunde_bot hi @alice_k, mail a@b.de und /hilfe"
    found = detect_entities(text)
    assert [
        (entity["type"], text[entity["offset"] : entity["offset"] + entity["length"]]) for entity in found
    ] == [
        ("bot_command", "/start@kaufrunde_bot"),
        ("mention", "@alice_k"),
        ("bot_command", "/hilfe"),
    ]
