"""Retailer API: catalog import, stock levels, and the retailer's orders with their status updates.

The catalog import runs the code of ``python -m bot import-catalog`` on the body; a status update goes
through the same step as the retailer's buttons in the chat (``handlers.orders.step``), so the customer
is told in the chat just the same.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
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
from catalog import importer, products, retailers, stock
from core.db import Session
from handlers import orders as order_handlers
from orders import fulfilment, states
from orders.carriers import SIMULATED, UnknownCarrier
from orders.models import ORDER_STATUSES

# The statuses a retailer sets through the API, and the chat's step for each.
STATUS_STEPS = ("packed", "shipped", "ready_for_pickup")
TRACKING_MAX = 64
ORDERS_LIMIT = 100
FORMATS: dict[str, importer.Format] = {
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "text/plain": "csv",
    "application/json": "json",
    "application/x-ndjson": "json",
    "application/jsonl": "json",
}


async def import_catalog(request: web.Request) -> web.Response:
    """Import the body (CSV or JSON, as the command line takes it) into the key's retailer's catalog."""
    account = await account_of(request)
    file_format = FORMATS.get(request.content_type)
    if file_format is None:
        raise ApiError(415, f"send text/csv or application/json, not {request.content_type}", "Content-Type")
    archive = request.query.get("archive_missing", "false").lower()
    if archive not in {"true", "false"}:
        raise ApiError(422, "archive_missing must be true or false", "archive_missing")
    body = await request.read()
    if not body.strip():
        raise ApiError(422, "the body is empty: send the catalog", "body")
    services = services_of(request)
    async with unit_of_work(request) as session:
        slug = await retailers.slug_of(session, retailer_id=account.retailer_id)
    assert slug is not None
    with tempfile.TemporaryDirectory(prefix="catalog-import-") as folder:
        path = Path(folder) / ("catalog.csv" if file_format == "csv" else "catalog.json")
        await asyncio.to_thread(path.write_bytes, body)
        try:
            summary = await importer.import_catalog(
                services.db,
                path=path,
                retailer=slug,
                media_dir=services.media_dir,
                now=services.clock.now(),
                file_format=file_format,
                archive_missing=archive == "true",
            )
        except importer.UnusableInput as error:
            message = str(error).replace(str(path), "the body").replace(path.name, "the body")
            raise ApiError(422, message, "body") from None
    return web.json_response(
        {
            "rows_read": summary.rows_read,
            "rows_imported": summary.rows_imported,
            "rows_rejected": summary.rows_rejected,
            "products": _tally(summary.products),
            "variants": _tally(summary.variants),
            "products_archived": summary.products_archived,
            "stock_levels": summary.stock_levels,
            "price_changes": summary.price_changes,
            "errors": [
                {
                    "location": error.location,
                    "unit": error.unit,
                    "position": error.position,
                    "reason": error.reason,
                    "message": error.message,
                }
                for error in summary.errors
            ],
        }
    )


def _tally(tally: importer.Tally) -> dict[str, int]:
    return {"created": tally.created, "updated": tally.updated, "unchanged": tally.unchanged}


async def put_stock(request: web.Request) -> web.Response:
    """Set stock levels of the retailer's variants in its stores, all or nothing."""
    account = await account_of(request)
    items = required(await read_json(request), "items", list)
    if not items:
        raise ApiError(422, "items is empty: give at least one level", "items")
    levels = []
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, dict):
            raise ApiError(422, f"{where} must be an object", where)
        variant_sku = optional(item, "variant_sku", str, field=f"{where}.variant_sku")
        sku = optional(item, "sku", str, field=f"{where}.sku")
        if not variant_sku and not sku:
            raise ApiError(422, f"{where} needs variant_sku (or sku)", f"{where}.variant_sku")
        levels.append(
            stock.Level(
                store=required(item, "store", str, field=f"{where}.store"),
                quantity=required(item, "quantity", int, field=f"{where}.quantity"),
                variant_sku=variant_sku,
                sku=sku,
            )
        )
    try:
        async with unit_of_work(request) as session:
            written = await stock.set_levels(session, retailer_id=account.retailer_id, levels=levels)
    except stock.BadLevel as bad:
        field = "items" if bad.index >= len(levels) else f"items[{bad.index}].{bad.field}"
        raise ApiError(422, bad.message, field) from None
    return web.json_response(
        {
            "updated": len(written),
            "items": [
                {
                    "variant_sku": level.variant_sku,
                    "store": level.store,
                    "quantity": level.quantity,
                    "previous": level.previous,
                }
                for level in written
            ],
        }
    )


async def list_orders(request: web.Request) -> web.Response:
    """List the retailer's orders, newest first, optionally of some statuses, a page at a time."""
    account = await account_of(request)
    statuses = None
    if wanted := request.query.get("status"):
        statuses = frozenset(part.strip() for part in wanted.split(","))
        if unknown := statuses - set(ORDER_STATUSES):
            raise ApiError(422, f"unknown status {', '.join(sorted(unknown))}", "status")
    limit = _query_int(request, "limit", 50, 1, ORDERS_LIMIT)
    before = _query_int(request, "before", None, 1, None)
    async with unit_of_work(request) as session:
        found = await states.of_retailer(
            session, retailer_id=account.retailer_id, statuses=statuses, before_id=before, limit=limit
        )
        shown = [await _order_json(session, order) for order in found]
    return web.json_response({"orders": shown, "next_before": found[-1].id if len(found) == limit else None})


def _query_int(request: web.Request, name: str, default: int | None, low: int, high: int | None) -> Any:
    text = request.query.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        bounds = f"from {low} to {high}" if high is not None else f"from {low}"
        raise ApiError(422, f"{name} must be a whole number {bounds}", name)
    return int(text)


async def get_order(request: web.Request) -> web.Response:
    """Show one of the retailer's orders."""
    account = await account_of(request)
    async with unit_of_work(request) as session:
        order = await _own_order(session, request, account.retailer_id)
        return web.json_response(await _order_json(session, order))


async def post_order_status(request: web.Request) -> web.Response:
    """Move one of the retailer's orders to packed, shipped or ready for pickup, and tell the customer."""
    account = await account_of(request)
    body = await read_json(request)
    status = required(body, "status", str)
    if status not in STATUS_STEPS:
        raise ApiError(422, f"status must be one of {', '.join(STATUS_STEPS)}", "status")
    tracking = optional(body, "tracking_number", str)
    carrier = optional(body, "carrier", str) or SIMULATED
    if tracking is not None and status != "shipped":
        raise ApiError(422, "tracking_number goes only with status shipped", "tracking_number")
    if tracking is not None and not 1 <= len(tracking.strip()) <= TRACKING_MAX:
        raise ApiError(422, f"tracking_number must have 1 to {TRACKING_MAX} characters", "tracking_number")
    services = services_of(request)
    try:
        services.carriers.carrier_for(carrier)
    except UnknownCarrier:
        raise ApiError(422, f"unknown carrier {carrier}", "carrier") from None
    bot = request.app[bot_web.APPLICATION_KEY].bot
    async with unit_of_work(request) as session:
        order = await _own_order(session, request, account.retailer_id)
        changed = order.status != status
        if changed:
            try:
                order = await order_handlers.step(
                    session,
                    bot=bot,
                    services=services,
                    order_id=order.id,
                    to=status,
                    actor=f"api:{account.retailer_id}",
                    tracking_number=tracking.strip() if tracking else None,
                    carrier=carrier,
                )
            except states.Refused as refused:
                text = plain_text(services, refused.reason_key, **refused.args_)
                field = "tracking_number" if refused.reason_key.startswith("tracking-") else "status"
                raise ApiError(409, text, field) from None
        shown = await _order_json(session, order)
    return web.json_response(shown | {"changed": changed})


async def _own_order(session: Session, request: web.Request, retailer_id: int) -> states.OrderView:
    """Return the retailer's order named in the path; 404 for an unknown one and for another retailer's."""
    number = request.match_info["number"]
    order = await states.by_number(session, number=number)
    if order is None or await states.retailer_ids(session, order_id=order.id) != {retailer_id}:
        raise ApiError(404, f"no order {number.upper()} among this retailer's orders", "number")
    return order


async def _order_json(session: Session, order: states.OrderView) -> dict[str, Any]:
    store = await products.store(session, store_id=order.store_id) if order.store_id else None
    shipment = await fulfilment.shipment(session, order_id=order.id)
    return {
        "number": order.number,
        "status": order.status,
        "delivery": order.delivery,
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "currency": order.currency,
        "subtotal": str(order.subtotal.amount),
        "shipping": str(order.shipping.amount),
        "discount": str(order.discount.amount),
        "total": str(order.total.amount),
        "store": None
        if store is None
        else {"name": store.name, "city": store.city, "address": store.address},
        "shipping_address": order.shipping_address,
        "tracking_number": shipment.tracking_number if shipment else None,
        "lines": [
            {
                "sku": line.sku,
                "title": line.title_en,
                "colour": line.colour,
                "size": line.size,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price.amount),
            }
            for line in order.lines
        ],
    }


def add_routes(app: web.Application) -> None:
    """Add the catalog, stock and order routes."""
    app.router.add_post(f"{PREFIX}/catalog/import", import_catalog)
    app.router.add_put(f"{PREFIX}/stock", put_stock)
    app.router.add_get(f"{PREFIX}/orders", list_orders)
    app.router.add_get(f"{PREFIX}/orders/{{number}}", get_order)
    app.router.add_post(f"{PREFIX}/orders/{{number}}/status", post_order_status)


_ORDER_REF = {"$ref": "#/components/schemas/Order"}
_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "The order number, e.g. KR-000123",
    "schema": {"type": "string"},
}

SCHEMAS: dict[str, Any] = {
    "ImportSummary": {
        "type": "object",
        "properties": {
            "rows_read": {"type": "integer"},
            "rows_imported": {"type": "integer"},
            "rows_rejected": {"type": "integer"},
            "products": {"$ref": "#/components/schemas/Tally"},
            "variants": {"$ref": "#/components/schemas/Tally"},
            "products_archived": {"type": "integer"},
            "stock_levels": {"type": "integer"},
            "price_changes": {"type": "integer"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "location": {"type": "string", "examples": ["line 3"]},
                        "unit": {"enum": ["line", "index"]},
                        "position": {"type": "integer"},
                        "reason": {"type": "string", "examples": ["bad price"]},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    },
    "Tally": {
        "type": "object",
        "properties": {
            "created": {"type": "integer"},
            "updated": {"type": "integer"},
            "unchanged": {"type": "integer"},
        },
    },
    "StockLevel": {
        "type": "object",
        "required": ["store", "quantity"],
        "properties": {
            "variant_sku": {"type": "string", "description": "The variant's SKU"},
            "sku": {"type": "string", "description": "A product's SKU, for a product with one variant"},
            "store": {"type": "string", "description": "The store's code"},
            "quantity": {"type": "integer", "minimum": 0},
        },
    },
    "Order": {
        "type": "object",
        "properties": {
            "number": {"type": "string"},
            "status": {"enum": list(ORDER_STATUSES)},
            "delivery": {"enum": ["standard", "express", "pickup"]},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "currency": {"type": "string"},
            "subtotal": {"type": "string", "description": "A decimal amount, e.g. 79.90"},
            "shipping": {"type": "string"},
            "discount": {"type": "string"},
            "total": {"type": "string"},
            "store": {"type": ["object", "null"], "description": "The pickup store"},
            "shipping_address": {"type": ["object", "null"]},
            "tracking_number": {"type": ["string", "null"]},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "sku": {"type": "string"},
                        "title": {"type": "string"},
                        "colour": {"type": "string"},
                        "size": {"type": "string"},
                        "quantity": {"type": "integer"},
                        "unit_price": {"type": "string"},
                    },
                },
            },
        },
    },
}

PATHS: dict[str, Any] = {
    f"{PREFIX}/catalog/import": {
        "post": {
            "summary": "Import catalog rows (CSV or JSON, the columns of the command-line import)",
            "operationId": "importCatalog",
            "tags": ["catalog"],
            "description": "Good rows are imported, bad rows are listed in `errors`; importing the same "
            "body again changes nothing.",
            "parameters": [
                {
                    "name": "archive_missing",
                    "in": "query",
                    "description": "Mark the retailer's products that are not in the body inactive",
                    "schema": {"type": "boolean", "default": False},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                    "application/x-ndjson": {"schema": {"type": "string"}},
                },
            },
            "responses": {
                "200": {
                    "description": "What was imported",
                    **json_content({"$ref": "#/components/schemas/ImportSummary"}),
                },
                **error_responses(401, 413, 415, 422),
            },
        }
    },
    f"{PREFIX}/stock": {
        "put": {
            "summary": "Set stock levels, all or nothing",
            "operationId": "putStock",
            "tags": ["catalog"],
            "requestBody": {
                "required": True,
                **json_content(
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "items": {
                                "type": "array",
                                "maxItems": stock.MAX_LEVELS,
                                "items": {"$ref": "#/components/schemas/StockLevel"},
                            }
                        },
                    }
                ),
            },
            "responses": {
                "200": {
                    "description": "Every level was set",
                    **json_content(
                        {
                            "type": "object",
                            "properties": {
                                "updated": {"type": "integer"},
                                "items": {"type": "array", "items": {"type": "object"}},
                            },
                        }
                    ),
                },
                **error_responses(400, 401, 422),
            },
        }
    },
    f"{PREFIX}/orders": {
        "get": {
            "summary": "The retailer's orders, newest first",
            "operationId": "listOrders",
            "tags": ["orders"],
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "description": "Only orders in these statuses (comma-separated)",
                    "schema": {"type": "string"},
                },
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                {
                    "name": "before",
                    "in": "query",
                    "description": "The next page: the `next_before` of the previous answer",
                    "schema": {"type": "integer"},
                },
            ],
            "responses": {
                "200": {
                    "description": "A page of orders",
                    **json_content(
                        {
                            "type": "object",
                            "properties": {
                                "orders": {"type": "array", "items": _ORDER_REF},
                                "next_before": {"type": ["integer", "null"]},
                            },
                        }
                    ),
                },
                **error_responses(401, 422),
            },
        }
    },
    f"{PREFIX}/orders/{{number}}": {
        "get": {
            "summary": "One of the retailer's orders",
            "operationId": "getOrder",
            "tags": ["orders"],
            "parameters": [_NUMBER],
            "responses": {
                "200": {"description": "The order", **json_content(_ORDER_REF)},
                **error_responses(401, 404),
            },
        }
    },
    f"{PREFIX}/orders/{{number}}/status": {
        "post": {
            "summary": "Mark an order packed, shipped (with its tracking number) or ready for pickup",
            "operationId": "setOrderStatus",
            "tags": ["orders"],
            "description": "The customer is told in the chat, as when the retailer presses the button. "
            "Setting the status the order has already changes nothing (`changed`: false).",
            "parameters": [_NUMBER],
            "requestBody": {
                "required": True,
                **json_content(
                    {
                        "type": "object",
                        "required": ["status"],
                        "properties": {
                            "status": {"enum": list(STATUS_STEPS)},
                            "tracking_number": {"type": "string", "maxLength": TRACKING_MAX},
                            "carrier": {"type": "string", "default": SIMULATED},
                        },
                    }
                ),
            },
            "responses": {
                "200": {
                    "description": "The order after the change",
                    **json_content(
                        {
                            "allOf": [
                                _ORDER_REF,
                                {"type": "object", "properties": {"changed": {"type": "boolean"}}},
                            ]
                        }
                    ),
                },
                **error_responses(400, 401, 404, 409, 422),
            },
        }
    },
}
