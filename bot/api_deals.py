"""Retailer API: a retailer's deals — create one on a product or a category, list them, end one.

The same rules as ``/deal`` in the chat (:mod:`deals.offers`): a deal starts now or at ``starts_at`` and
lowers the prices of the retailer's own products it covers; another retailer's deal is unknown (404).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

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
from deals import offers
from deals.errors import Refused

# A refusal's status: the deal clashes with another (409) or is not the retailer's (404); else the input.
STATUSES = {"deal-error-overlap": 409, "deal-error-unknown": 404}
LISTED = 100


def _json(view: offers.DealView) -> dict[str, Any]:
    return {
        "id": view.id,
        "status": view.status,
        "percent": view.percent,
        "sku": view.sku,
        "category": view.category_slug,
        "name_de": view.name_de,
        "name_en": view.name_en,
        "products": view.products,
        "starts_at": view.starts_at.isoformat(),
        "ends_at": view.ends_at.isoformat(),
        "created_at": view.created_at.isoformat(),
        "ended_at": view.ended_at.isoformat() if view.ended_at else None,
    }


def _refusal(request: web.Request, refused: Refused) -> ApiError:
    message = plain_text(services_of(request), refused.reason_key, **refused.args_)
    return ApiError(STATUSES.get(refused.reason_key, 422), message, refused.field)


def _moment(body: dict[str, Any], name: str) -> datetime | None:
    text = optional(body, name, str)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422, f"{name} must be an ISO 8601 time, e.g. 2026-12-01T10:00:00+01:00", name
        ) from None
    if moment.tzinfo is None:
        raise ApiError(422, f"{name} needs its offset from UTC, e.g. +01:00 or Z", name)
    return moment


def _deal_id(request: web.Request) -> int:
    text = request.match_info["deal_id"]
    if not text.isdigit():
        raise ApiError(404, "no such deal", "id")
    return int(text)


async def create_deal(request: web.Request) -> web.Response:
    """Create a deal of the key's retailer on one of its products (``sku``) or a category (``category``)."""
    account = await account_of(request)
    body = await read_json(request)
    sku, category = optional(body, "sku", str), optional(body, "category", str)
    if (sku is None) == (category is None):
        raise ApiError(422, "give either sku (a product) or category (a category's slug)", "sku")
    percent = required(body, "percent", int)
    ends_at = _moment(body, "ends_at")
    if ends_at is None:
        raise ApiError(422, "ends_at is required", "ends_at")
    now = services_of(request).clock.now()
    starts_at = _moment(body, "starts_at") or now
    try:
        async with unit_of_work(request) as session:
            product_id = category_id = None
            if sku is not None:
                product_id = await offers.product_by_sku(session, retailer_id=account.retailer_id, sku=sku)
                if product_id is None:
                    raise Refused("deal-error-unknown-subject", field="sku", subject=sku)
            else:
                assert category is not None
                category_id = await offers.category_by_slug(session, slug=category)
                if category_id is None:
                    raise Refused("deal-error-unknown-category", field="category")
            view = await offers.create(
                session,
                retailer_id=account.retailer_id,
                product_id=product_id,
                category_id=category_id,
                percent=percent,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=None,
                now=now,
            )
    except Refused as refused:
        raise _refusal(request, refused) from None
    return web.json_response(_json(view), status=201)


async def list_deals(request: web.Request) -> web.Response:
    """List the retailer's scheduled and running deals (with ``past=true`` the ended ones too)."""
    account = await account_of(request)
    past = request.query.get("past", "false").lower()
    if past not in {"true", "false"}:
        raise ApiError(422, "past must be true or false", "past")
    async with unit_of_work(request) as session:
        listed = await offers.listing(
            session, retailer_id=account.retailer_id, past=past == "true", limit=LISTED
        )
    return web.json_response({"deals": [_json(view) for view in listed]})


async def get_deal(request: web.Request) -> web.Response:
    """Show one of the retailer's deals."""
    account = await account_of(request)
    async with unit_of_work(request) as session:
        view = await offers.get(session, deal_id=_deal_id(request), retailer_id=account.retailer_id)
    if view is None:
        raise ApiError(404, "no such deal", "id")
    return web.json_response(_json(view))


async def end_deal(request: web.Request) -> web.Response:
    """End one of the retailer's deals now; the regular prices apply again (ending it twice is fine)."""
    account = await account_of(request)
    try:
        async with unit_of_work(request) as session:
            view = await offers.end(
                session,
                deal_id=_deal_id(request),
                now=services_of(request).clock.now(),
                retailer_id=account.retailer_id,
            )
    except Refused as refused:
        raise _refusal(request, refused) from None
    return web.json_response(_json(view))


def add_routes(app: web.Application) -> None:
    """Add the deal routes."""
    app.router.add_get(f"{PREFIX}/deals", list_deals)
    app.router.add_post(f"{PREFIX}/deals", create_deal)
    app.router.add_get(f"{PREFIX}/deals/{{deal_id}}", get_deal)
    app.router.add_post(f"{PREFIX}/deals/{{deal_id}}/end", end_deal)


_DEAL = {"$ref": "#/components/schemas/Deal"}
_ID = {
    "name": "deal_id",
    "in": "path",
    "required": True,
    "description": "The deal's id",
    "schema": {"type": "integer"},
}

SCHEMAS: dict[str, Any] = {
    "Deal": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": {"enum": list(offers.STATUSES)},
            "percent": {"type": "integer", "minimum": offers.PERCENT_MIN, "maximum": offers.PERCENT_MAX},
            "sku": {"type": ["string", "null"], "description": "The product's SKU, for a product deal"},
            "category": {
                "type": ["string", "null"],
                "description": "The category's slug, for a category deal",
            },
            "name_de": {"type": "string"},
            "name_en": {"type": "string"},
            "products": {"type": "integer", "description": "How many products the deal lowered"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "created_at": {"type": "string", "format": "date-time"},
            "ended_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "NewDeal": {
        "type": "object",
        "required": ["percent", "ends_at"],
        "properties": {
            "sku": {"type": "string", "description": "One of your products (or give category)"},
            "category": {"type": "string", "description": "A category's slug, e.g. women-shoes"},
            "percent": {"type": "integer", "minimum": offers.PERCENT_MIN, "maximum": offers.PERCENT_MAX},
            "starts_at": {"type": "string", "format": "date-time", "description": "Default: now"},
            "ends_at": {"type": "string", "format": "date-time"},
        },
    },
}

PATHS: dict[str, Any] = {
    f"{PREFIX}/deals": {
        "get": {
            "summary": "List your scheduled and running deals",
            "operationId": "listDeals",
            "tags": ["deals"],
            "parameters": [
                {
                    "name": "past",
                    "in": "query",
                    "description": "Include ended and cancelled deals",
                    "schema": {"type": "boolean", "default": False},
                }
            ],
            "responses": {
                "200": {
                    "description": "Your deals, the one ending first first",
                    **json_content(
                        {"type": "object", "properties": {"deals": {"type": "array", "items": _DEAL}}}
                    ),
                },
                **error_responses(401, 422),
            },
        },
        "post": {
            "summary": "Create a deal on one of your products or on a category of them",
            "operationId": "createDeal",
            "tags": ["deals"],
            "description": "The prices go down when the deal starts and back when it ends. Subscribers "
            "whose interests it fits hear of it, within their caps and outside their quiet hours.",
            "requestBody": {"required": True, **json_content({"$ref": "#/components/schemas/NewDeal"})},
            "responses": {
                "201": {"description": "The new deal", **json_content(_DEAL)},
                **error_responses(400, 401, 409, 422),
            },
        },
    },
    f"{PREFIX}/deals/{{deal_id}}": {
        "get": {
            "summary": "Show one of your deals",
            "operationId": "getDeal",
            "tags": ["deals"],
            "parameters": [_ID],
            "responses": {
                "200": {"description": "The deal", **json_content(_DEAL)},
                **error_responses(401, 404),
            },
        }
    },
    f"{PREFIX}/deals/{{deal_id}}/end": {
        "post": {
            "summary": "End one of your deals now",
            "operationId": "endDeal",
            "tags": ["deals"],
            "parameters": [_ID],
            "responses": {
                "200": {"description": "The ended deal", **json_content(_DEAL)},
                **error_responses(401, 404),
            },
        }
    },
}
