"""What fuzzed users type: odd unicode, huge texts, commands with junk arguments, forged button data.

Everything is drawn from one ``random.Random``, so a seed gives the same inputs every run.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence

from bot.sandbox.html import utf16_len

MAX_TEXT = 4096
MAX_INLINE_QUERY = 256
MAX_CALLBACK_DATA_BYTES = 64

RTL = ("مرحبا بالعالم", "שלום עולם", "\u202eevil\u202c", "\u200fright\u200e", "\u061c", "ابحث عن حذاء أحمر")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u180e", "\u00ad")
COMBINING = ("\u0301", "\u0308", "\u0327", "\u0336", "\u20dd", "\u0489", "\u035c")
EMOJI = ("👨‍👩‍👧‍👦", "🏳️‍🌈", "👩🏽‍💻", "🇩🇪", "🇬🇧", "❤️‍🔥", "🧑‍🤝‍🧑", "👍🏿", "🫠", "⭐", "🛒", "1️⃣")
ASTRAL = ("𝕊𝕟𝕖𝕒𝕜𝕖𝕣", "𝐫𝐨𝐭", "𐍈", "🀄", "𓀀", "𝟖𝟎")
CONTROLS = ("\x00", "\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029", "\r\n", "\t")
MARKUP = ("<b>", "</i>", "<a href='javascript:x'>", "&amp;", "&#0;", "&lt;", "<tg-spoiler>", "</>", "&", "<")
WORDS = (
    "rote",
    "Sneaker",
    "unter",
    "80",
    "€",
    "Größe",
    "M",
    "warm jacket",
    "size",
    "under 150",
    "was passt zu meiner blauen Jeans?",
    "Kleid",
    "zwischen 50 und 100 Euro",
    "style me for a wedding, 200 €",
    "Outfit",
    "Hochzeit",
    "Winterjacke",
    "1.000,00",
    "-5",
    "0",
    "99999999999999999999",
    "NaN",
    "1e309",
    "½",
    "٣٤",
)
COMMANDS = (
    "start",
    "help",
    "cart",
    "orders",
    "order",
    "wishlist",
    "language",
    "privacy",
    "style",
    "deals",
    "deal",
    "groupbuy",
    "groupbuys",
    "poll",
    "idea",
    "ideas",
    "top",
    "topideas",
    "invite",
    "credits",
    "voucher",
    "reviews",
    "pickup",
    "tiers",
    "retailer",
    "apikey",
    "broadcast",
    "broadcasts",
    "adopt",
    "comment",
)
START_ARGUMENTS = (
    "p1",
    "p0",
    "p999999999999",
    "p99999999999999999999999",
    "gb1",
    "gb0",
    "gb99999999999999999999",
    "ref_",
    "ref_x",
    "r",
    "-1",
    "p-1",
    "%00",
)


def odd_piece(rng: random.Random) -> str:
    """Return a short piece of text that is unusual in some way."""
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice(RTL)
    if kind == 1:
        return rng.choice(WORDS) + rng.choice(ZERO_WIDTH) + rng.choice(WORDS)
    if kind == 2:
        return rng.choice("aeiouZ") + "".join(rng.choice(COMBINING) for _ in range(rng.randrange(1, 30)))
    if kind == 3:
        return rng.choice(EMOJI)
    if kind == 4:
        return rng.choice(ASTRAL)
    if kind == 5:
        return rng.choice(CONTROLS)
    if kind == 6:
        return rng.choice(MARKUP)
    if kind == 7:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 8)))
    if kind == 8:
        return "".join(rng.choice(string.printable) for _ in range(rng.randrange(1, 12)))
    return rng.choice(WORDS)


def clip(text: str, limit: int) -> str:
    """Cut text to at most ``limit`` UTF-16 code units without splitting a character."""
    if utf16_len(text) <= limit:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        used += utf16_len(char)
        if used > limit:
            break
        out.append(char)
    return "".join(out)


def odd_text(rng: random.Random, *, limit: int = MAX_TEXT) -> str:
    """Return a message text: a few odd pieces, sometimes huge, never empty and within ``limit``."""
    if rng.random() < 0.04:
        unit = odd_piece(rng) + " "
        text = unit * (limit // max(utf16_len(unit), 1) + 1)
    else:
        text = " ".join(odd_piece(rng) for _ in range(rng.randrange(1, 7)))
    text = clip(text, limit)
    return text if text.strip(" ") else "?"


def command_text(rng: random.Random, *, group: bool = False) -> str:
    """Return a command with junk arguments (sometimes addressed to the bot or another bot)."""
    name = rng.choice(COMMANDS)
    if rng.random() < 0.1:
        name = name.upper()
    if group or rng.random() < 0.1:
        name += rng.choice(("@kaufrunde_bot", "@kaufrunde_bot", "@other_bot", "@KAUFRUNDE_BOT"))
    arguments: list[str] = []
    if name.startswith("start") and rng.random() < 0.6:
        arguments.append(rng.choice(START_ARGUMENTS))
    for _ in range(rng.randrange(0, 4)):
        arguments.append(odd_piece(rng))
    return clip(" ".join([f"/{name}", *arguments]), MAX_TEXT)


def inline_text(rng: random.Random) -> str:
    """Return an inline query, at most 256 characters."""
    if rng.random() < 0.3:
        return ""
    return clip(odd_text(rng, limit=MAX_INLINE_QUERY), MAX_INLINE_QUERY)


def forged_data(rng: random.Random, ids: Sequence[int], templates: Sequence[str]) -> str:
    """Return callback data from a template with ids the sender does not own, or plain junk."""
    roll = rng.random()
    if roll < 0.7 and templates:
        template = rng.choice(templates)
        data = template.format(*(rng.choice(ids) for _ in range(template.count("{}"))))
    elif roll < 0.85:
        prefix = rng.choice(templates).split("{}")[0] if templates else ""
        data = prefix + rng.choice(("", "x", "-1", "0", "1:2:3:4:5", "99999999999999999999999999", "::"))
    else:
        data = odd_text(rng, limit=MAX_CALLBACK_DATA_BYTES)
    return clip_bytes(data, MAX_CALLBACK_DATA_BYTES) or "x"


def clip_bytes(text: str, limit: int) -> str:
    """Cut text to at most ``limit`` UTF-8 bytes without splitting a character."""
    while len(text.encode("utf-8", "surrogatepass")) > limit:
        text = text[:-1]
    return text
