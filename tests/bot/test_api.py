"""The retailer HTTP API over HTTP against the running bot: keys, import, stock, orders, the OpenAPI file."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from openapi_spec_validator import validate
from sqlalchemy import select, update

from bot.runner import Runtime
from bot.sandbox import SandboxClient
from catalog import retailers
from catalog.demo import RETAILER_SLUG
from catalog.models import Product, Retailer, Stock, Store, Variant
from core import users
from core.clock import Clock
from core.db import Database
from orders import states
from orders.models import Order
from tests.e2e.conftest import Chat, private_chat
from tests.social.conftest import buy

HEADER = "sku,title_de,title_en,category,category_name_de,category_name_en,colours,sizes,price"


@dataclass
class Keys:
    """API keys of the demo retailer and of a second one, and the base URL."""

    url: str
    demo: str
    other: str
    other_id: int


@pytest.fixture
async def keys(runtime: Runtime, clock: Clock) -> Keys:
    """Make the demo retailer (when loaded) and a second retailer, each with an API key."""
    assert runtime.db is not None
    async with runtime.db.unit_of_work() as session:
        await users.touch(session, person=users.Person(id=555, first_name="Ada"), now=clock.now())
        demo_id = await session.scalar(select(Retailer.id).where(Retailer.slug == RETAILER_SLUG))
        if demo_id is None:
            demo_id = (
                await retailers.create(session, name="Demo", created_by=555, now=clock.now())
            ).retailer_id
        other = await retailers.create(session, name="Garten Laden", created_by=555, now=clock.now())
        demo_key = await retailers.create_api_key(
            session, retailer_id=demo_id, created_by=555, now=clock.now()
        )
        other_key = await retailers.create_api_key(
            session, retailer_id=other.retailer_id, created_by=555, now=clock.now()
        )
    return Keys(runtime.url, demo_key, other_key, other.retailer_id)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """Give an HTTP client."""
    async with aiohttp.ClientSession() as client:
        yield client


async def call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    key: str | None = None,
    body: Any = None,
    text: str | None = None,
    content_type: str = "text/csv",
) -> tuple[int, Any]:
    """Send a request and return its status and its JSON answer."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if text is not None:
        headers["Content-Type"] = content_type
        async with http.request(method, url, data=text.encode(), headers=headers) as response:
            return response.status, await response.json()
    async with http.request(method, url, json=body, headers=headers) as response:
        return response.status, await response.json()


async def test_without_a_key_or_with_a_wrong_or_revoked_one_every_call_is_refused(
    keys: Keys,
    http: aiohttp.ClientSession,
    runtime: Runtime,
    clock: Clock,
) -> None:
    api = f"{keys.url}/api/v1"
    for method, path in (("GET", "/orders"), ("PUT", "/stock"), ("POST", "/catalog/import")):
        status, answer = await call(http, method, api + path, body={})
        assert status == 401 and answer["field"] == "Authorization", path
    async with http.get(f"{api}/orders", headers={"Authorization": f"Basic {keys.demo}"}) as response:
        assert response.status == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    status, answer = await call(http, "GET", f"{api}/orders", key="kr_wrong")
    assert (status, answer) == (401, {"error": "unknown or revoked API key", "field": "Authorization"})

    assert runtime.db is not None
    async with runtime.db.unit_of_work() as session:
        await retailers.revoke_api_keys(session, retailer_id=keys.other_id, now=clock.now())
    status, _ = await call(http, "GET", f"{api}/orders", key=keys.other)
    assert status == 401
    status, answer = await call(http, "GET", f"{api}/orders", key=keys.demo)
    assert status == 200 and answer == {"orders": [], "next_before": None}
    status, answer = await call(http, "GET", f"{api}/nothing", key=keys.demo)
    assert status == 404 and "error" in answer


async def test_the_openapi_document_is_valid_and_names_every_route(
    keys: Keys,
    http: aiohttp.ClientSession,
    runtime: Runtime,
) -> None:
    async with http.get(f"{keys.url}/api/v1/openapi.json") as response:
        assert response.status == 200
        document = json.loads(await response.text())
    validate(document)
    assert runtime._runner is not None
    routes = {
        resource.canonical
        for resource in runtime._runner.app.router.resources()
        if resource.canonical.startswith("/api/v1/")
    }
    assert routes and routes <= set(document["paths"])
    for path, item in document["paths"].items():
        assert path in routes, f"{path} is documented but not served"
        for operation in item.values():
            assert operation["responses"], path


async def test_an_import_takes_the_good_rows_lists_the_bad_ones_and_changes_nothing_twice(
    keys: Keys,
    http: aiohttp.ClientSession,
    runtime: Runtime,
) -> None:
    url = f"{keys.url}/api/v1/catalog/import"
    body = "\n".join(
        [
            HEADER,
            "G-1,Topf,Pot,garden,Garten,Garden,green|white,S|M,12.50",
            "G-2,Kanne,Watering can,garden,,,green,,12.3x",
            'G-3,Schlauch,Hose,garden,,,green,,"19,90"',
        ]
    )
    status, summary = await call(http, "POST", url, key=keys.other, text=body)
    assert status == 200
    assert (summary["rows_read"], summary["rows_imported"], summary["rows_rejected"]) == (3, 2, 1)
    assert summary["products"] == {"created": 2, "updated": 0, "unchanged": 0}
    (error,) = summary["errors"]
    assert error["location"] == "line 3" and error["reason"] == "bad price"

    status, again = await call(http, "POST", url, key=keys.other, text=body)
    assert status == 200 and again["products"] == {"created": 0, "updated": 0, "unchanged": 2}

    as_json = json.dumps([{"sku": "G-1", "price": "11.00"}])
    status, repriced = await call(
        http, "POST", url, key=keys.other, text=as_json, content_type="application/json"
    )
    assert status == 200 and repriced["products"]["updated"] == 1 and repriced["price_changes"] == 1

    assert runtime.db is not None
    async with runtime.db.unit_of_work() as session:
        owners = set(
            await session.scalars(select(Product.retailer_id).where(Product.sku.in_(["G-1", "G-3"])))
        )
    assert owners == {keys.other_id}, "products are imported for the key's retailer"

    status, answer = await call(http, "POST", url, key=keys.other, text="name,price\nx,1")
    assert status == 422 and answer["field"] == "body" and "no sku column" in answer["error"]
    assert "catalog-import" not in answer["error"], "no server path in an answer"
    status, answer = await call(http, "POST", url, key=keys.other, text="", content_type="text/csv")
    assert (status, answer["field"]) == (422, "body")
    status, answer = await call(http, "POST", url, key=keys.other, text=body, content_type="image/png")
    assert (status, answer["field"]) == (415, "Content-Type")
    status, answer = await call(http, "POST", f"{url}?archive_missing=maybe", key=keys.other, text=body)
    assert (status, answer["field"]) == (422, "archive_missing")


async def _stocked_variant(db: Database) -> tuple[str, str, int]:
    async with db.unit_of_work() as session:
        row = (
            await session.execute(
                select(Variant.sku, Store.code, Stock.quantity)
                .join(Stock, Stock.variant_id == Variant.id)
                .join(Store, Store.id == Stock.store_id)
                .order_by(Variant.id, Store.id)
                .limit(1)
            )
        ).one()
    return row[0], row[1], row[2]


async def test_a_stock_update_is_all_or_nothing(
    shop: SandboxClient,
    keys: Keys,
    http: aiohttp.ClientSession,
    demo_catalog: Database,
) -> None:
    url = f"{keys.url}/api/v1/stock"
    variant_sku, store, quantity = await _stocked_variant(demo_catalog)
    good = {"variant_sku": variant_sku, "store": store, "quantity": quantity + 7}

    for items, field in (
        ([good, {"variant_sku": variant_sku, "store": "NOWHERE", "quantity": 1}], "items[1].store"),
        ([good, {"variant_sku": "NO-SUCH-SKU", "store": store, "quantity": 1}], "items[1].variant_sku"),
        ([good, {"variant_sku": variant_sku, "store": store, "quantity": -1}], "items[1].quantity"),
        ([good, {"variant_sku": variant_sku, "store": store, "quantity": "3"}], "items[1].quantity"),
        ([good, {"store": store, "quantity": 3}], "items[1].variant_sku"),
        ([good, good], "items[1].store"),
        ([good, "x"], "items[1]"),
        ([], "items"),
    ):
        status, answer = await call(http, "PUT", url, key=keys.demo, body={"items": items})
        assert (status, answer["field"]) == (422, field), answer
    status, answer = await call(http, "PUT", url, key=keys.demo, body={"levels": []})
    assert (status, answer["field"]) == (422, "items")
    async with http.put(url, data=b"{not json", headers={"Authorization": f"Bearer {keys.demo}"}) as response:
        assert response.status == 400
    assert await _stocked_variant(demo_catalog) == (variant_sku, store, quantity), "nothing was half-applied"

    status, answer = await call(http, "PUT", url, key=keys.other, body={"items": [good]})
    assert (status, answer["field"]) == (422, "items[0].variant_sku"), "another retailer's SKU is unknown"

    status, answer = await call(http, "PUT", url, key=keys.demo, body={"items": [good]})
    assert status == 200 and answer["items"] == [
        {"variant_sku": variant_sku, "store": store, "quantity": quantity + 7, "previous": quantity}
    ]
    assert await _stocked_variant(demo_catalog) == (variant_sku, store, quantity + 7)


async def _paid_order(db: Database, chat: Chat, clock: Clock, number: str) -> int:
    async with db.unit_of_work() as session:
        product_id = await session.scalar(select(Product.id).order_by(Product.id).limit(1))
        assert product_id is not None
        order_id = await buy(
            session, user_id=chat.user_id, product_id=product_id, now=clock.now(), status="paid"
        )
        await session.execute(update(Order).where(Order.id == order_id).values(number=number))
    return order_id


async def test_a_status_update_tells_the_customer_and_another_retailer_gets_404(
    shop: SandboxClient,
    keys: Keys,
    http: aiohttp.ClientSession,
    demo_catalog: Database,
    clock: Clock,
) -> None:
    bea = await private_chat(shop, "Bea", "de")
    await bea.say("/start")
    order_id = await _paid_order(demo_catalog, bea, clock, "KR-000888")
    api = f"{keys.url}/api/v1"
    status_url = f"{api}/orders/KR-000888/status"

    status, answer = await call(http, "GET", f"{api}/orders/KR-000888", key=keys.other)
    assert (status, answer["field"]) == (404, "number")
    status, answer = await call(http, "POST", status_url, key=keys.other, body={"status": "packed"})
    assert status == 404
    status, listed = await call(http, "GET", f"{api}/orders", key=keys.other)
    assert listed["orders"] == []

    for body, code, field in (
        ({"status": "lost"}, 422, "status"),
        ({}, 422, "status"),
        ({"status": 3}, 422, "status"),
        ({"status": "packed", "tracking_number": "T-1"}, 422, "tracking_number"),
        ({"status": "shipped", "carrier": "pigeon"}, 422, "carrier"),
        ({"status": "ready_for_pickup"}, 409, "status"),
        ({"status": "shipped"}, 409, "status"),
    ):
        status, answer = await call(http, "POST", status_url, key=keys.demo, body=body)
        assert (status, answer["field"]) == (code, field), (body, answer)
    async with http.post(
        status_url, json=["packed"], headers={"Authorization": f"Bearer {keys.demo}"}
    ) as response:
        assert response.status == 400
    async with demo_catalog.unit_of_work() as session:
        order = await states.get(session, order_id=order_id)
    assert order is not None and order.status == "paid", "refused updates change nothing"

    last = (await shop.messages(bea.chat_id))[-1]["message_id"]
    status, packed = await call(http, "POST", status_url, key=keys.demo, body={"status": "packed"})
    assert status == 200 and packed["status"] == "packed" and packed["changed"] is True
    (told,) = await shop.wait(bea.chat_id, after=last)
    assert told["text"] == "📦 Deine Bestellung KR-000888 ist gepackt und geht bald auf die Reise."

    status, again = await call(http, "POST", status_url, key=keys.demo, body={"status": "packed"})
    assert status == 200 and again["changed"] is False

    body = {"status": "shipped", "tracking_number": "TRACK-0001"}
    status, shipped = await call(http, "POST", status_url, key=keys.demo, body=body)
    assert status == 200 and shipped["tracking_number"] == "TRACK-0001"
    (on_its_way,) = await shop.wait(bea.chat_id, after=told["message_id"])
    assert on_its_way["text"] == "🚚 Deine Bestellung KR-000888 ist unterwegs. Sendungsnummer: TRACK-0001"
    assert [m["message_id"] for m in await shop.messages(bea.chat_id, after=told["message_id"])] == [
        on_its_way["message_id"]
    ], "the repeated update told the customer nothing"

    status, listed = await call(http, "GET", f"{api}/orders?status=shipped", key=keys.demo)
    assert [order["number"] for order in listed["orders"]] == ["KR-000888"]
    assert listed["orders"][0]["lines"][0]["quantity"] == 1
    status, answer = await call(http, "GET", f"{api}/orders?status=lost", key=keys.demo)
    assert (status, answer["field"]) == (422, "status")
    status, answer = await call(http, "GET", f"{api}/orders?limit=0", key=keys.demo)
    assert (status, answer["field"]) == (422, "limit")
