"""A plain HTML page at ``/`` listing the sandbox's chats and their messages (everything escaped)."""

from __future__ import annotations

from html import escape

from aiohttp import web

from .state import Chat, Message
from .world import World

_STYLE = "body{font-family:sans-serif;max-width:60rem;margin:auto}li{margin:.3rem 0}.meta{color:#777}"


def _describe(world: World, message: Message) -> str:
    content = message.content
    parts: list[str] = []
    if "text" in content:
        parts.append(content["text"])
    if "photo" in content:
        size = content["photo"][-1]
        parts.append(f"[photo {size['width']}×{size['height']}]")
    if "document" in content:
        parts.append(f"[document {content['document'].get('file_name', '')}]")
    if "caption" in content:
        parts.append(content["caption"])
    if message.poll_id is not None:
        poll = world.polls[message.poll_id].to_json()
        options = ", ".join(f"{option['text']} ({option['voter_count']})" for option in poll["options"])
        parts.append(f"[poll{' closed' if poll['is_closed'] else ''}: {poll['question']} — {options}]")
    if message.invoice is not None:
        invoice = message.invoice
        parts.append(f"[invoice: {invoice.title}, {invoice.total_amount} {invoice.currency} minor units]")
    for key in ("new_chat_members", "left_chat_member", "successful_payment"):
        if key in content:
            parts.append(f"[{key.replace('_', ' ')}]")
    return " ".join(parts)


def _message_html(world: World, message: Message) -> str:
    sender = world.users[message.from_id]
    name = sender.first_name + (" via bot" if message.via_bot else "")
    flags = [
        flag
        for flag, present in (
            ("edited", message.edit_date is not None),
            ("deleted", message.deleted),
            ("pinned", message.pinned),
        )
        if present
    ]
    buttons = " ".join(
        f"[{escape(button['text'])}]"
        for row in (message.reply_markup or {}).get("inline_keyboard", [])
        for button in row
    )
    meta = f' <span class="meta">{escape(", ".join(flags))}</span>' if flags else ""
    return (
        f'<li value="{message.message_id}"><b>{escape(name)}</b>: {escape(_describe(world, message))}'
        f"{' ' + buttons if buttons else ''}{meta}</li>"
    )


def _chat_html(world: World, chat: Chat) -> str:
    name = chat.title or world.users[chat.id].first_name
    items = "".join(_message_html(world, message) for message in chat.messages.values())
    return f"<h2>{escape(name)} <small>({escape(chat.type)}, {chat.id})</small></h2><ol>{items}</ol>"


def render(world: World) -> str:
    """Return the page listing every chat with its messages."""
    chats = "".join(_chat_html(world, chat) for chat in world.chats.values()) or "<p>No chats yet.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kaufrunde sandbox</title>'
        f'<meta http-equiv="refresh" content="5"><style>{_STYLE}</style></head><body>'
        "<h1>Kaufrunde sandbox</h1>"
        "<p>A local stand-in for Telegram. Its state lives in memory and is lost on restart. "
        "The client API is under <code>/sandbox/api</code>.</p>"
        f"{chats}</body></html>"
    )


class Page:
    """Serve the page."""

    def __init__(self, world: World) -> None:
        self._world = world

    async def show(self, request: web.Request) -> web.Response:
        """GET /."""
        return web.Response(text=render(self._world), content_type="text/html")
