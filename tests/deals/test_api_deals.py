"""Deals through the retailer HTTP API: create, list, show and end, only one's own, with clear errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.runner import Runtime
from catalog import retailers
from catalog.models import Product
from core.clock import Clock
from core.db import Database
from deals import offers
from deals.offers import Deal
from tests.deals.helpers import person, products_in, shop

# A SKU only the second shop has.
THEIRS = "GARTEN-ONLY"


@dataclass
class Api:
    """The API's base URL, a key of the demo shop and one of a second shop, and their products."""

    url: str
    demo: str
    other: str
    lamp: Product
    shared_sku: str
    other_product_id: int


@pytest.fixture
async def api(runtime: Runtime, demo_catalog: Database, clock: Clock) -> Api:
    """Give both retailers an API key; the second one sells a product under a SKU the demo shop uses too."""
    async with demo_catalog.unit_of_work() as session:
        found = await shop(session, clock.now())
        await person(session, 1, clock.now())
        demo = await retailers.create_api_key(
            session, retailer_id=found.retailer_id, created_by=1, now=clock.now()
        )
        other = await retailers.create_api_key(
            session, retailer_id=found.other_id, created_by=1, now=clock.now()
        )
        lamp = (await products_in(session, "lamps", retailer_id=found.retailer_id))[0]
        shared = await session.get(Product, found.other_product_id)
        assert shared is not None
        session.add(
            Product(
                retailer_id=found.other_id,
                sku=THEIRS,
                title_de="Gartenschlauch",
                title_en="Garden hose",
                category_id=shared.category_id,
                price=Decimal("20.00"),
                currency="EUR",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    return Api(f"{runtime.url}/api/v1", demo, other, lamp, shared.sku, found.other_product_id)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """Give an HTTP client."""
    async with aiohttp.ClientSession() as client:
        yield client


async def _call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    key: str | None,
    body: Any = None,
    raw: str | None = None,
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if raw is not None:
        headers["Content-Type"] = "application/json"
        async with http.request(method, url, data=raw, headers=headers) as response:
            return response.status, await response.json()
    async with http.request(method, url, json=body, headers=headers) as response:
        return response.status, await response.json()


def _in(clock: Clock, **delta: float) -> str:
    return (clock.now() + timedelta(**delta)).isoformat()


async def test_a_retailer_creates_lists_shows_and_ends_its_deals_and_never_sees_anothers(
    api: Api, http: aiohttp.ClientSession, demo_catalog: Database, clock: Clock
) -> None:
    regular = api.lamp.price
    body = {"sku": api.lamp.sku, "percent": 20, "ends_at": _in(clock, days=7)}
    status, created = await _call(http, "POST", f"{api.url}/deals", api.demo, body)
    assert status == 201, created
    assert (created["status"], created["percent"], created["sku"], created["products"]) == (
        "running",
        20,
        api.lamp.sku,
        1,
    )
    async with demo_catalog.unit_of_work() as session:
        lowered = await session.get(Product, api.lamp.id)
        assert lowered is not None and lowered.price == offers.deal_price(regular, 20)

    deal = f"{api.url}/deals/{created['id']}"
    assert await _call(http, "GET", deal, api.demo) == (200, created)
    status, listed = await _call(http, "GET", f"{api.url}/deals", api.demo)
    assert status == 200 and [item["id"] for item in listed["deals"]] == [created["id"]]

    for method, url in (("GET", deal), ("POST", f"{deal}/end")):
        status, answer = await _call(http, method, url, api.other)
        assert status == 404 and answer["field"] == "id", (method, url, answer)
    assert await _call(http, "GET", f"{api.url}/deals", api.other) == (200, {"deals": []})

    status, theirs = await _call(
        http,
        "POST",
        f"{api.url}/deals",
        api.other,
        {"sku": api.shared_sku, "percent": 10, "ends_at": _in(clock, days=2)},
    )
    assert status == 201 and theirs["name_en"] == "Someone else's product", (
        "the same SKU means their own product"
    )

    status, ended = await _call(http, "POST", f"{deal}/end", api.demo)
    assert status == 200 and ended["status"] == "ended" and ended["ended_at"]
    assert (await _call(http, "POST", f"{deal}/end", api.demo))[1]["status"] == "ended", (
        "ending twice is fine"
    )
    async with demo_catalog.unit_of_work() as session:
        back = await session.get(Product, api.lamp.id)
        assert back is not None and back.price == regular
    status, past = await _call(http, "GET", f"{api.url}/deals?past=true", api.demo)
    assert [item["status"] for item in past["deals"]] == ["ended"]
    assert (await _call(http, "GET", f"{api.url}/deals/abc", api.demo))[0] == 404


async def test_a_category_deal_and_a_planned_start(
    api: Api, http: aiohttp.ClientSession, clock: Clock
) -> None:
    status, created = await _call(
        http,
        "POST",
        f"{api.url}/deals",
        api.demo,
        {
            "category": "women-sneakers",
            "percent": 15,
            "starts_at": _in(clock, days=1),
            "ends_at": _in(clock, days=3),
        },
    )
    assert status == 201, created
    assert (created["status"], created["category"], created["products"]) == ("scheduled", "women-sneakers", 0)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"percent": 20, "ends_at": "+7d"}, 422, "sku"),
        ({"sku": "LAMP", "category": "lamps", "percent": 20, "ends_at": "+7d"}, 422, "sku"),
        ({"sku": "LAMP", "ends_at": "+7d"}, 422, "percent"),
        ({"sku": "LAMP", "percent": "20", "ends_at": "+7d"}, 422, "percent"),
        ({"sku": "LAMP", "percent": True, "ends_at": "+7d"}, 422, "percent"),
        ({"sku": "LAMP", "percent": 95, "ends_at": "+7d"}, 422, "percent"),
        ({"sku": "LAMP", "percent": 20}, 422, "ends_at"),
        ({"sku": "LAMP", "percent": 20, "ends_at": "next week"}, 422, "ends_at"),
        ({"sku": "LAMP", "percent": 20, "ends_at": "2026-12-01T10:00:00"}, 422, "ends_at"),
        ({"sku": "LAMP", "percent": 20, "ends_at": "+30m"}, 422, "ends_at"),
        ({"sku": "LAMP", "percent": 20, "starts_at": "-2d", "ends_at": "+7d"}, 422, "starts_at"),
        ({"sku": "NO-SUCH-SKU", "percent": 20, "ends_at": "+7d"}, 422, "sku"),
        ({"sku": "THEIRS", "percent": 20, "ends_at": "+7d"}, 422, "sku"),
        ({"category": "no-such-category", "percent": 20, "ends_at": "+7d"}, 422, "category"),
        ({"sku": "LAMP", "percent": 20, "ends_at": "+7d", "again": True}, 409, "sku"),
    ],
)
async def test_bad_requests_name_the_field_and_change_nothing(
    api: Api,
    http: aiohttp.ClientSession,
    demo_catalog: Database,
    clock: Clock,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    def resolved(value: Any) -> Any:
        if value == "LAMP":
            return api.lamp.sku
        if value == "THEIRS":
            return THEIRS
        if isinstance(value, str) and value[:1] in "+-" and value[-1:] in "dm":
            amount = int(value[1:-1]) * (1 if value[0] == "+" else -1)
            return _in(clock, **({"days": amount} if value[-1] == "d" else {"minutes": amount}))
        return value

    request = {name: resolved(value) for name, value in body.items() if name != "again"}
    if body.get("again"):
        first = await _call(http, "POST", f"{api.url}/deals", api.demo, request)
        assert first[0] == 201
    async with demo_catalog.unit_of_work() as session:
        deals_before = await session.scalar(select(func.count()).select_from(Deal))
    answer_status, answer = await _call(http, "POST", f"{api.url}/deals", api.demo, request)
    assert (answer_status, answer["field"]) == (status, field), answer
    assert answer["error"] and "<" not in answer["error"]
    async with demo_catalog.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Deal)) == deals_before, (
            "nothing half-applied"
        )


async def test_without_a_key_or_a_json_body_nothing_happens(api: Api, http: aiohttp.ClientSession) -> None:
    status, answer = await _call(http, "GET", f"{api.url}/deals", None)
    assert (status, answer["field"]) == (401, "Authorization")
    status, answer = await _call(http, "POST", f"{api.url}/deals", api.demo, raw="{not json")
    assert status == 400
    status, answer = await _call(http, "POST", f"{api.url}/deals", api.demo, raw="[1, 2]")
    assert status == 400
    status, answer = await _call(http, "GET", f"{api.url}/deals?past=maybe", api.demo)
    assert (status, answer["field"]) == (422, "past")


async def test_the_openapi_document_describes_the_deal_routes(api: Api, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{api.url}/openapi.json") as response:
        document = await response.json()
    assert {"/api/v1/deals", "/api/v1/deals/{deal_id}", "/api/v1/deals/{deal_id}/end"} <= set(
        document["paths"]
    )
    assert document["paths"]["/api/v1/deals"]["post"]["operationId"] == "createDeal"
    assert "Deal" in document["components"]["schemas"] and "NewDeal" in document["components"]["schemas"]
