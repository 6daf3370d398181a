"""The retailer HTTP API under /api/v1: authentication by API key, JSON errors and the OpenAPI document.

Each API module (listed in :data:`MODULES`) exposes ``PATHS`` (its OpenAPI 3.1 path items, keyed by the full
path such as ``/api/v1/stock``), optionally ``SCHEMAS`` (component schemas it refers to), and
``add_routes(app)``. :func:`setup` calls every module's ``add_routes`` and serves the merged document at
``GET /api/v1/openapi.json``.

A route handler gets the acting retailer with :func:`account_of`, the body with :func:`read_json`, and turns
down a bad request by raising :class:`ApiError` (inside its unit of work, so nothing is half-applied); the
middleware answers it as ``{"error": message, "field": field}``.
"""

from __future__ import annotations

import copy
import html
import importlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from aiohttp import web

from bot import web as bot_web
from catalog import retailers
from catalog.retailers import Account
from core.db import Session
from handlers.context import Services

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
# The API modules, in the order their routes are added; each adds itself here with one line.
MODULES: tuple[str, ...] = ("bot.api_catalog", "bot.api_deals", "bot.api_broadcasts")
OPENAPI_KEY = web.AppKey("openapi", dict[str, Any])

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """A request turned down with ``status``; the answer names the ``field`` at fault, if any."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def json_error(status: int, message: str, field: str | None = None) -> web.Response:
    """Return the API's error answer: ``{"error": message, "field": field}``."""
    return web.json_response({"error": message, "field": field}, status=status)


def plain_text(services: Services, key: str, /, **args: Any) -> str:
    """Return a locale text in English without its markup, for an error answer."""
    return html.unescape(_TAGS.sub("", services.translator.t(ENGLISH, key, **args)))


ENGLISH = "en"
_TAGS = re.compile(r"<[^>]+>")


def services_of(request: web.Request) -> Services:
    """Return the bot's services."""
    return request.app[bot_web.SERVICES_KEY]


def unit_of_work(request: web.Request) -> AbstractAsyncContextManager[Session]:
    """Open the request's unit of work (commits at the end of the block, rolls back on an error)."""
    return services_of(request).db.unit_of_work()


async def account_of(request: web.Request) -> Account:
    """Return the retailer whose key authorises the request; raise 401 without a known key."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "missing API key: send 'Authorization: Bearer <key>'", "Authorization")
    async with unit_of_work(request) as session:
        account = await retailers.by_api_key(session, key=key.strip())
    if account is None:
        raise ApiError(401, "unknown or revoked API key", "Authorization")
    return account


async def read_json(request: web.Request) -> dict[str, Any]:
    """Return the request's body as a JSON object; raise 400 when it is not one."""
    try:
        body = await request.json(loads=json.loads)
    except ValueError:
        raise ApiError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def required(body: Mapping[str, Any], name: str, kind: type[T], *, field: str | None = None) -> T:
    """Return ``body[name]``; raise 422 naming the field when it is missing or not of ``kind``."""
    value = body.get(name)
    if value is None:
        raise ApiError(422, f"{name} is required", field or name)
    return _typed(value, name, kind, field)


def optional(body: Mapping[str, Any], name: str, kind: type[T], *, field: str | None = None) -> T | None:
    """Return ``body[name]`` or None; raise 422 naming the field when it is there but not of ``kind``."""
    value = body.get(name)
    return None if value is None else _typed(value, name, kind, field)


def _typed(value: Any, name: str, kind: type[T], field: str | None) -> T:
    # JSON's true/false are ints to Python; a count or a price is never a boolean.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ApiError(422, f"{name} must be {_KINDS.get(kind, kind.__name__)}", field or name)
    return value


_KINDS: dict[type, str] = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    list: "a list",
    dict: "an object",
}


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error under /api/v1 as JSON."""
    if not request.path.startswith(PREFIX):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as error:
        response = json_error(error.status, error.message, error.field)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return json_error(error.status, error.reason)
    except Exception:
        log.exception("retailer API: %s %s failed", request.method, request.path)
        return json_error(500, "internal error")


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """Return an OpenAPI request body or response content of JSON with ``schema``."""
    return {"content": {"application/json": {"schema": schema}}}


def error_responses(*statuses: int) -> dict[str, Any]:
    """Return OpenAPI responses for the given error statuses, all of them the JSON error."""
    return {str(status): {"$ref": f"#/components/responses/{_ERRORS[status][0]}"} for status in statuses}


_ERRORS = {
    400: ("BadRequest", "The body is not valid JSON, or not of the declared type."),
    401: ("Unauthorized", "No API key, or an unknown or revoked one."),
    403: ("Forbidden", "The object exists but belongs to another retailer."),
    404: ("NotFound", "No such object among the retailer's own."),
    409: ("Conflict", "The object is not in a state that allows this."),
    413: ("TooLarge", "The body is too large."),
    415: ("UnsupportedMediaType", "The body is not of a type this call takes."),
    422: ("Invalid", "A field is missing or invalid; `field` names it."),
}


def document(modules: list[Any]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of every API module."""
    paths: dict[str, Any] = {
        f"{PREFIX}/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "openapi",
                "security": [],
                "tags": ["meta"],
                "responses": {
                    "200": {"description": "The OpenAPI document", "content": {"application/json": {}}}
                },
            }
        }
    }
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["error", "field"],
            "properties": {
                "error": {"type": "string", "description": "What is wrong, in English"},
                "field": {"type": ["string", "null"], "description": "The field at fault, if one is"},
            },
        }
    }
    for module in modules:
        paths.update(copy.deepcopy(module.PATHS))
        schemas.update(copy.deepcopy(getattr(module, "SCHEMAS", {})))
    responses = {
        name: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for name, description in _ERRORS.values()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kaufrunde retailer API",
            "version": "1.0.0",
            "description": "A retailer's catalog, stock, orders, deals and broadcasts, by its API key.",
        },
        "servers": [{"url": "/"}],
        "security": [{"apiKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "API key"}},
            "schemas": schemas,
            "responses": responses,
        },
    }


async def openapi(request: web.Request) -> web.Response:
    """Serve the OpenAPI document."""
    return web.json_response(request.app[OPENAPI_KEY])


def setup(app: web.Application, services: Services) -> None:
    """Register every API module's routes and the OpenAPI document on the web application."""
    if bot_web.SERVICES_KEY not in app:
        app[bot_web.SERVICES_KEY] = services
    modules = [importlib.import_module(name) for name in MODULES]
    app.middlewares.append(errors)
    app[OPENAPI_KEY] = document(modules)
    app.router.add_get(f"{PREFIX}/openapi.json", openapi)
    for module in modules:
        module.add_routes(app)
