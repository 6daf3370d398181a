"""Retailer API: broadcasts — create one (send now or at a time), read it with its stats, list, stop.

The same domain code as the chat's /broadcast: the text is sanitised the same way, only the key's retailer's
subscribers are reached, and the outbox delivers it in the background. Another retailer's broadcast is 404.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from typing import Any

from aiohttp import web

from bot import web as bot_web
from bot.api import (
    PREFIX,
    ApiError,
    account_of,
    error_responses,
    json_content,
    optional,
    plain_text,
    read_json,
    required,
    services_of,
    unit_of_work,
)
from core.db import Session
from deals import broadcasts
from deals.broadcasts import Segment
from deals.errors import Refused
from handlers import broadcasts as broadcast_handlers
from handlers.context import Services

LIST_LIMIT = 50
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_KINDS = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
PHOTO_FOLDER = "broadcasts"


def _refused(services: Services, refused: Refused) -> ApiError:
    return ApiError(422, plain_text(services, refused.reason_key, **refused.args_), refused.field)


def _segment(body: dict[str, Any]) -> Segment:
    given = body.get("segment")
    if given is None:
        return Segment()
    if isinstance(given, str):
        kind, value = given, None
    elif isinstance(given, dict):
        kind = required(given, "kind", str, field="segment.kind")
        value = optional(given, "value", str, field="segment.value")
    else:
        raise ApiError(422, "segment must be an object {kind, value} or a kind", "segment")
    return Segment.of(kind, value)


def _send_at(body: dict[str, Any]) -> datetime | None:
    given = optional(body, "send_at", str)
    if given is None:
        return None
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise ApiError(422, "send_at must be an ISO 8601 time with its offset", "send_at") from None
    if moment.tzinfo is None:
        raise ApiError(422, "send_at needs an offset or Z (e.g. 2026-12-01T10:00:00+01:00)", "send_at")
    return moment


def _photo(services: Services, body: dict[str, Any]) -> str | None:
    """Keep an uploaded photo under the media folder; return its path there."""
    given = optional(body, "photo_base64", str)
    if given is None:
        return None
    try:
        data = base64.b64decode(given, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "photo_base64 is not base64", "photo_base64") from None
    kind = next((ext for magic, ext in PHOTO_KINDS.items() if data.startswith(magic)), None)
    if kind is None:
        raise ApiError(422, "photo_base64 must be a PNG or JPEG picture", "photo_base64")
    if len(data) > PHOTO_MAX_BYTES:
        raise ApiError(413, f"the photo is larger than {PHOTO_MAX_BYTES // 1024**2} MB", "photo_base64")
    name = f"{PHOTO_FOLDER}/{hashlib.sha256(data).hexdigest()[:32]}.{kind}"
    path = services.media_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)
    return name


async def create(request: web.Request) -> web.Response:
    """Create a broadcast for the key's retailer and send it now or schedule it (``send_at``)."""
    account = await account_of(request)
    body = await read_json(request)
    services = services_of(request)
    text = required(body, "text", str)
    sku = optional(body, "product_sku", str)
    product_id = optional(body, "product_id", int)
    if sku is not None and product_id is not None:
        raise ApiError(422, "give product_sku or product_id, not both", "product_sku")
    segment = _try(services, lambda: _segment(body))
    send_at = _send_at(body)
    translator = services.translator
    async with unit_of_work(request) as session:
        try:
            if sku is not None:
                product_id = await broadcasts.product_of(session, retailer_id=account.retailer_id, sku=sku)
            created = await broadcasts.create(
                session,
                retailer_id=account.retailer_id,
                created_by=None,
                locale=translator.default_locale,
                text=text,
                segment=segment,
                now=services.clock.now(),
                product_id=product_id,
                photo_path=_photo(services, body),
                send_at=send_at,
                locales=translator.locales,
                default_locale=translator.default_locale,
            )
        except Refused as refused:
            raise _refused(services, refused) from None
        shown = await _broadcast_json(session, created)
    _wake(request)
    return web.json_response(shown, status=201)


def _try(services: Services, build: Any) -> Any:
    try:
        return build()
    except Refused as refused:
        raise _refused(services, refused) from None


def _wake(request: web.Request) -> None:
    application = request.app.get(bot_web.APPLICATION_KEY)
    if application is not None:
        broadcast_handlers.wake(application.bot_data)


async def get(request: web.Request) -> web.Response:
    """Return one of the retailer's broadcasts with its stats."""
    account = await account_of(request)
    async with unit_of_work(request) as session:
        view = await _own(session, request, account.retailer_id)
        shown = await _broadcast_json(session, view)
    return web.json_response(shown)


async def listing(request: web.Request) -> web.Response:
    """Return the retailer's broadcasts, newest first, with their stats."""
    account = await account_of(request)
    limit = _query_int(request, "limit", 20, 1, LIST_LIMIT)
    offset = _query_int(request, "offset", 0, 0, 1_000_000)
    async with unit_of_work(request) as session:
        found = await broadcasts.listing(session, retailer_id=account.retailer_id, limit=limit, offset=offset)
        stats = await broadcasts.stats(session, broadcast_ids=[view.id for view in found])
        shown = [_json(view, stats[view.id]) for view in found]
    return web.json_response({"broadcasts": shown, "limit": limit, "offset": offset})


async def cancel(request: web.Request) -> web.Response:
    """Call off a scheduled broadcast, or stop one that is sending (the rest is not sent)."""
    account = await account_of(request)
    services = services_of(request)
    async with unit_of_work(request) as session:
        view = await _own(session, request, account.retailer_id)
        try:
            stopped = await broadcasts.cancel(
                session, broadcast_id=view.id, retailer_id=account.retailer_id, now=services.clock.now()
            )
        except Refused as refused:
            raise ApiError(409, plain_text(services, refused.reason_key, **refused.args_), "status") from None
        assert stopped is not None  # drafts are never reached through the API
        shown = await _broadcast_json(session, stopped)
    _wake(request)
    return web.json_response(shown)


def _query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    given = request.query.get(name)
    if given is None:
        return default
    if not given.isdigit() or not low <= int(given) <= high:
        raise ApiError(422, f"{name} must be a whole number from {low} to {high}", name)
    return int(given)


async def _own(session: Session, request: web.Request, retailer_id: int) -> broadcasts.View:
    given = request.match_info["id"]
    view = (
        await broadcasts.get(session, broadcast_id=int(given), retailer_id=retailer_id)
        if given.isdigit() and len(given) < 19
        else None
    )
    if view is None or view.status == broadcasts.DRAFT:
        raise ApiError(404, f"no broadcast {given} among this retailer's broadcasts", "id")
    return view


async def _broadcast_json(session: Session, view: broadcasts.View) -> dict[str, Any]:
    stats = await broadcasts.stats(session, broadcast_ids=[view.id])
    return _json(view, stats[view.id])


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _json(view: broadcasts.View, stats: broadcasts.Stats) -> dict[str, Any]:
    counts = stats.counts
    return {
        "id": view.id,
        "status": view.status,
        "text": view.text,
        "has_photo": view.has_photo,
        "product": None
        if view.product is None
        else {"id": view.product.id, "sku": view.product.sku, "title": view.product.title_en},
        "segment": {"kind": view.segment.kind, "value": view.segment.value},
        "created_at": _time(view.created_at),
        "scheduled_at": _time(view.scheduled_at),
        "started_at": _time(view.started_at),
        "finished_at": _time(view.finished_at),
        "recipients": view.total,
        "stats": {
            "pending": counts.open,
            "delivered": counts.sent,
            "failed": counts.failed,
            "blocked": counts.blocked,
            "unknown": counts.unknown,
            "cancelled": counts.cancelled,
            "clicks": stats.clicks,
            "purchases": stats.purchases,
        },
    }


def add_routes(app: web.Application) -> None:
    """Add the broadcast routes."""
    app.router.add_post(f"{PREFIX}/broadcasts", create)
    app.router.add_get(f"{PREFIX}/broadcasts", listing)
    app.router.add_get(f"{PREFIX}/broadcasts/{{id}}", get)
    app.router.add_post(f"{PREFIX}/broadcasts/{{id}}/cancel", cancel)


_BROADCAST = {"$ref": "#/components/schemas/Broadcast"}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}

SCHEMAS: dict[str, Any] = {
    "Segment": {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": list(broadcasts.SEGMENTS)},
            "value": {
                "type": ["string", "null"],
                "description": "language: a code (de, en); interest: category:ID or brand:ID; "
                "groupbuy: a group buy id (none: any of the retailer's)",
            },
        },
    },
    "NewBroadcast": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {
                "type": "string",
                "description": "Telegram HTML (b, i, u, s, a href, code, pre, tg-spoiler, blockquote); any "
                "other markup is shown as typed. At most 4096 characters, 1024 with a photo.",
            },
            "segment": {"$ref": "#/components/schemas/Segment"},
            "product_sku": {"type": "string", "description": "The product behind the button"},
            "product_id": {"type": "integer"},
            "send_at": {"type": "string", "format": "date-time", "description": "Absent: send now"},
            "photo_base64": {"type": "string", "description": "A PNG or JPEG picture, at most 5 MB"},
        },
    },
    "Broadcast": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": {"enum": [status for status in broadcasts.STATUSES if status != broadcasts.DRAFT]},
            "text": {"type": "string", "description": "As it is sent (sanitised)"},
            "has_photo": {"type": "boolean"},
            "product": {
                "type": ["object", "null"],
                "properties": {
                    "id": {"type": "integer"},
                    "sku": {"type": "string"},
                    "title": {"type": "string"},
                },
            },
            "segment": {"$ref": "#/components/schemas/Segment"},
            "created_at": {"type": "string", "format": "date-time"},
            "scheduled_at": {"type": ["string", "null"], "format": "date-time"},
            "started_at": {"type": ["string", "null"], "format": "date-time"},
            "finished_at": {"type": ["string", "null"], "format": "date-time"},
            "recipients": {"type": "integer", "description": "Subscribers in the segment when it started"},
            "stats": {
                "type": "object",
                "properties": {
                    "pending": {"type": "integer"},
                    "delivered": {"type": "integer"},
                    "failed": {"type": "integer"},
                    "blocked": {"type": "integer", "description": "Recipients who blocked the bot"},
                    "unknown": {
                        "type": "integer",
                        "description": "Interrupted while sending; never sent a second time",
                    },
                    "cancelled": {"type": "integer", "description": "Not sent because it was stopped"},
                    "clicks": {"type": "integer", "description": "Recipients who pressed the product button"},
                    "purchases": {
                        "type": "integer",
                        "description": "Orders of the product by recipients within 7 days of delivery",
                    },
                },
            },
        },
    },
}

PATHS: dict[str, Any] = {
    f"{PREFIX}/broadcasts": {
        "post": {
            "summary": "Send a broadcast to a segment of the retailer's subscribers, now or at a time",
            "operationId": "createBroadcast",
            "tags": ["broadcasts"],
            "requestBody": {"required": True, **json_content({"$ref": "#/components/schemas/NewBroadcast"})},
            "responses": {
                "201": {"description": "Created; sending or scheduled", **json_content(_BROADCAST)},
                **error_responses(400, 401, 413, 422),
            },
        },
        "get": {
            "summary": "The retailer's broadcasts, newest first, with their stats",
            "operationId": "listBroadcasts",
            "tags": ["broadcasts"],
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20, "maximum": 50}},
                {"name": "offset", "in": "query", "schema": {"type": "integer", "default": 0}},
            ],
            "responses": {
                "200": {
                    "description": "The broadcasts",
                    **json_content(
                        {
                            "type": "object",
                            "properties": {"broadcasts": {"type": "array", "items": _BROADCAST}},
                        }
                    ),
                },
                **error_responses(401, 422),
            },
        },
    },
    f"{PREFIX}/broadcasts/{{id}}": {
        "get": {
            "summary": "One broadcast with its stats",
            "operationId": "getBroadcast",
            "tags": ["broadcasts"],
            "parameters": [_ID],
            "responses": {
                "200": {"description": "The broadcast", **json_content(_BROADCAST)},
                **error_responses(401, 404),
            },
        }
    },
    f"{PREFIX}/broadcasts/{{id}}/cancel": {
        "post": {
            "summary": "Call off a scheduled broadcast or stop one that is sending",
            "operationId": "cancelBroadcast",
            "tags": ["broadcasts"],
            "parameters": [_ID],
            "responses": {
                "200": {"description": "The broadcast, cancelled", **json_content(_BROADCAST)},
                **error_responses(401, 404, 409),
            },
        }
    },
}
