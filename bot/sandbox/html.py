"""Message text and entities as Telegram computes them.

:func:`parse_html` follows Telegram's own HTML parser (tdlib's ``parse_html``) tag by tag, with the same
error texts, so markup that Telegram refuses is refused here too. :func:`detect_entities` finds the
entities Telegram adds to users' plain text. All offsets and lengths are in UTF-16 code units.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins"}
    | {"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote"}
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# Telegram's order of entities that cover the same text.
_PRIORITIES = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = frozenset(" \t\r\n\v")
_NAME_ENDS = frozenset("=>/\"'")
_TRIMMED = " \t\r\n"
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "tonsite", "ftp"})
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#].*)?$")
_USER_LINK = re.compile(r"^tg:(?://)?user\?id=(\d+)$")
_WEB_HOST = re.compile(r"^(?:https?|ftp)://[^/?#]+", re.IGNORECASE)
_DETECTED = re.compile(
    r"(?P<bot_command>(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/]))"
    r"|(?P<mention>(?<![\w@/])@[A-Za-z0-9_]{5,32}(?![\w@]))"
)

UserLookup = Callable[[int], JSON | None]


class EntityParseError(ValueError):
    """Telegram refuses the markup; the message is the text after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, Telegram's unit for entities and limits."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int
    text_index: int


@dataclass
class _Parser:
    markup: str
    users: UserLookup
    out: list[str] = field(default_factory=list)
    offset: int = 0
    pos: int = 0
    stack: list[_Open] = field(default_factory=list)
    entities: list[JSON] = field(default_factory=list)

    def at(self, index: int) -> str:
        return self.markup[index] if index < len(self.markup) else ""

    def space(self, index: int) -> bool:
        char = self.at(index)
        return char == "" or char in _SPACES

    def byte_offset(self, index: int) -> int:
        return len(self.markup[:index].encode())

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def run(self) -> tuple[str, list[JSON]]:
        while self.pos < len(self.markup):
            char = self.markup[self.pos]
            if char == "&":
                decoded = _decode_entity(self.markup, self.pos)
                if decoded is not None:
                    self.emit(decoded[0])
                    self.pos = decoded[1]
                    continue
            if char != "<":
                self.emit(char)
                self.pos += 1
                continue
            if self.at(self.pos + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
            self.pos += 1
        if self.stack:
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        self.entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITIES.get(e["type"], 50)))
        text = "".join(self.out)
        if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        return text, self.entities

    def start_tag(self) -> None:
        begin = self.pos
        at = self.byte_offset(begin)
        i = begin + 1
        while not self.space(i) and self.at(i) != ">":
            i += 1
        if self.at(i) == "":
            raise EntityParseError(f"Unclosed start tag at byte offset {at}")
        tag = self.markup[begin + 1 : i].lower()
        if tag not in _TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {at}')
        argument = ""
        while self.at(i) != ">":
            while self.at(i) and self.space(i):
                i += 1
            if self.at(i) == ">":
                break
            name_begin = i
            while not self.space(i) and self.at(i) not in _NAME_ENDS:
                i += 1
            name = self.markup[name_begin:i]
            if not name:
                raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
            while self.at(i) and self.space(i):
                i += 1
            if self.at(i) != "=":
                if self.at(i) == "":
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
                argument = _tag_argument(tag, name, "", argument)
                continue
            i += 1
            while self.at(i) and self.space(i):
                i += 1
            if self.at(i) == "":
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
            value, i = self.attribute_value(i)
            if self.at(i) == "":
                raise EntityParseError(f"Unclosed start tag at byte offset {at}")
            argument = _tag_argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        self.stack.append(_Open(tag, argument, self.offset, len(self.out)))
        self.pos = i

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in ("'", '"'):
            token_begin = i
            while self.at(i) and (self.at(i) in ".-" or (self.at(i).isascii() and self.at(i).isalnum())):
                i += 1
            if not self.space(i) and self.at(i) != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(token_begin)}"
                )
            return self.markup[token_begin:i].lower(), i
        i += 1
        value: list[str] = []
        while self.at(i) not in (quote, ""):
            if self.at(i) == "&":
                decoded = _decode_entity(self.markup, i)
                if decoded is not None:
                    value.append(decoded[0])
                    i = decoded[1]
                    continue
            value.append(self.at(i))
            i += 1
        if self.at(i) == quote:
            i += 1
        return "".join(value), i

    def end_tag(self) -> None:
        begin = self.pos
        at = self.byte_offset(begin)
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {at}")
        i = begin + 2
        while not self.space(i) and self.at(i) != ">":
            i += 1
        name = self.markup[begin + 2 : i].lower()
        while self.at(i) and self.space(i):
            i += 1
        if self.at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {at}")
        opened = self.stack.pop()
        if name and name != opened.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {at}, expected "</{opened.tag}>", found "</{name}>"'
            )
        if self.offset > opened.offset:
            self.close(opened)
        self.pos = i

    def close(self, opened: _Open) -> None:
        span = {"offset": opened.offset, "length": self.offset - opened.offset}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and last["offset"] == span["offset"] and last["length"] == span["length"]
        if opened.tag in _SIMPLE_TYPES:
            self.entities.append({"type": _SIMPLE_TYPES[opened.tag], **span})
        elif opened.tag == "tg-emoji":
            if not (opened.argument.isascii() and opened.argument.isdigit()) or int(opened.argument) == 0:
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": opened.argument})
        elif opened.tag == "a":
            link = self.link(opened.argument or "".join(self.out[opened.text_index :]))
            if link is not None:
                self.entities.append({**link, **span})
        elif opened.tag == "pre":
            if last is not None and same_span and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                self.entities.append({"type": "pre", **span})
        elif opened.tag == "code":
            if last is not None and same_span and last["type"] == "pre" and opened.argument:
                last["language"] = opened.argument
            else:
                self.entities.append({"type": "code", **span, "language": opened.argument})
        else:
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            self.entities.append({"type": kind, **span})

    def link(self, url: str) -> JSON | None:
        user = _USER_LINK.match(url)
        if user is not None:
            found = self.users(int(user.group(1)))
            return None if found is None else {"type": "text_mention", "user": found}
        scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
        if scheme is None and _HOST.match(url):
            url = f"http://{url}"
        elif scheme is None or scheme.group(1).lower() not in _LINK_SCHEMES:
            return None
        host = _WEB_HOST.match(url)
        if host is not None and not url[host.end() :].startswith("/"):
            url = f"{host.group()}/{url[host.end() :]}"
        return {"type": "text_link", "url": url}


def _tag_argument(tag: str, name: str, value: str, current: str) -> str:
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    if tag == "blockquote" and name == "expandable":
        return "1"
    return current


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``pos`` the way Telegram does; return it and the next index."""
    end = pos + 1
    if text[end : end + 1] == "#":
        end += 1
        digits, base = ("0123456789abcdefABCDEF", 16) if text[end : end + 1] == "x" else ("0123456789", 10)
        if base == 16:
            end += 1
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        code = int(text[start:end], base) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    return char, end + 1 if text[end : end + 1] == ";" else end


def parse_html(markup: str, users: UserLookup) -> tuple[str, list[JSON]]:
    """Return the plain text and entities of Telegram HTML, or raise :class:`EntityParseError`.

    ``users`` resolves the ids of ``tg://user?id=`` links to User objects (unknown users drop the link).
    """
    return _Parser(markup, users).run()


def trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading and trailing whitespace as Telegram does, moving and cutting the entities along."""
    stripped = text.strip(_TRIMMED)
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip(_TRIMMED))])
    limit = utf16_len(stripped)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


# What Telegram's clients do to every text before it is sent (tdlib's clean_input_string): control characters
# become spaces (a line break stays), carriage returns and the line, paragraph and bidi-embedding controls
# U+2028-U+202E go, and so do three combining vertical lines. A bot never sees a NUL.
_CLEANED = str.maketrans(
    {chr(code): " " for code in range(32) if code not in (10, 13)}
    | dict.fromkeys(["\r", *map(chr, range(0x2028, 0x202F)), "\u0333", "\u033f", "\u030a"])
)


def clean_input(text: str) -> str:
    """Return a user's text as Telegram passes it on (see ``_CLEANED``)."""
    return text.translate(_CLEANED)


def detect_entities(text: str) -> list[JSON]:
    """Return the ``bot_command`` and ``mention`` entities Telegram finds in a user's plain text."""
    return [
        {
            "type": match.lastgroup,
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _DETECTED.finditer(text)
    ]


def entity_text(text: str, entity: JSON) -> str:
    """Return the part of ``text`` an entity covers."""
    encoded = text.encode("utf-16-le")
    start = entity["offset"] * 2
    return encoded[start : start + entity["length"] * 2].decode("utf-16-le")
