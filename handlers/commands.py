"""The command list Telegram shows in its menu, per language."""

from __future__ import annotations

from telegram import BotCommand

from core.i18n import Translator

COMMANDS = (
    "start",
    "help",
    "cart",
    "orders",
    "voucher",
    "style",
    "language",
    "privacy",
    "poll",
    "groupbuy",
    "top",
    "invite",
    "credits",
    "wishlist",
    "deals",
    "idea",
    "ideas",
    "reviews",
)


def bot_commands(translator: Translator, locale: str) -> list[BotCommand]:
    """Return the commands with their descriptions in ``locale``."""
    return [BotCommand(name, translator.t(locale, f"command-{name}")) for name in COMMANDS]
