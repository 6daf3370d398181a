"""Properties of button data: whatever ids a button carries, it fits Telegram's 64 bytes and the handler
it was made for reads the same ids back; numbers no id can be never get that far."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import app as bot_app
from catalog.products import ProductCard
from catalog.search import Result
from core.i18n import Translator
from handlers import votes
from handlers.common import App
from handlers.context import SERVICES_KEY, BotContext
from handlers.render import card_keyboard, results_view
from handlers.updates import MAX_ID, ids_fit

TRANSLATOR = Translator()
MAX_CALLBACK_DATA_BYTES = 64
ids = st.integers(min_value=1, max_value=MAX_ID)


class _Recorder:
    """Stands in for the application while each feature registers its handlers."""

    def __init__(self) -> None:
        self.bot_data: dict[str, Any] = {SERVICES_KEY: SimpleNamespace(translator=TRANSLATOR)}
        self.handlers: list[BaseHandler[Any, Any, Any]] = []

    def add_handler(self, handler: BaseHandler[Any, Any, Any], group: int = 0) -> None:
        self.handlers.append(handler)


def _patterns() -> list[re.Pattern[str]]:
    recorder = _Recorder()
    for feature in bot_app.FEATURES:
        feature.register(cast(App, recorder))
    return [
        cast(
            re.Pattern[str],
            re.compile(handler.pattern) if isinstance(handler.pattern, str) else handler.pattern,
        )
        for handler in recorder.handlers
        if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None
    ]


PATTERNS = _patterns()
CONTEXT = cast(
    BotContext, SimpleNamespace(t=lambda key, **args: TRANSLATOR.t("en", key, **args), locale="en")
)


def _card(product_id: int) -> ProductCard:
    return ProductCard(
        id=product_id,
        sku=f"SKU-{product_id}",
        title="Sneaker",
        description="",
        brand=None,
        category="Sneakers",
        price=Decimal("79.90"),
        compare_at_price=None,
        currency="EUR",
        colours=("red",),
        sizes=("42",),
        variants=(),
        stores=(),
        picture=None,
        active=True,
    )


def _result(product_id: int) -> Result:
    return Result(
        product_id, "SKU", "Sneaker", None, ("Sneakers",), ("red",), ("42",), Decimal(1), "EUR", True, 1
    )


def _data(markup: InlineKeyboardMarkup) -> list[str]:
    return [
        str(button.callback_data) for row in markup.inline_keyboard for button in row if button.callback_data
    ]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(product_ids=st.lists(ids, min_size=1, max_size=5), in_group=st.booleans(), reviews=st.booleans())
def test_every_button_fits_and_its_handler_reads_back_the_ids(
    product_ids: list[int], in_group: bool, reviews: bool
) -> None:
    markups = [
        card_keyboard(CONTEXT, _card(product_ids[0]), in_group=in_group, has_reviews=reviews),
        results_view(CONTEXT, "", "", [_result(each) for each in product_ids], first_number=1)[1],
        InlineKeyboardMarkup([votes.vote_row(product_ids[0])]),
    ]
    for data in (data for markup in markups for data in _data(markup)):
        assert len(data.encode()) <= MAX_CALLBACK_DATA_BYTES, data
        assert ids_fit(data)
        matched = [match for match in (pattern.match(data) for pattern in PATTERNS) if match]
        assert matched, f"no handler takes {data!r}"
        read = {int(group) for group in matched[0].groups() if group and group.lstrip("-").isdigit()}
        assert read & set(product_ids), f"{data!r} was read as {read}"


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    number=st.integers(min_value=MAX_ID + 1, max_value=10**40),
    prefix=st.sampled_from(["vote:", "wl:rm:", "gb:q:1:"]),
)
def test_a_number_no_id_can_be_is_never_taken_for_one(number: int, prefix: str) -> None:
    assert not ids_fit(f"{prefix}{number}:1")
    assert ids_fit(f"{prefix}{MAX_ID}:1")
