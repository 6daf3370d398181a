"""Checkout: invoice data, shipping options, pre-checkout, payment, credits, vouchers and refunds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core import privacy
from core.clock import Clock
from core.db import Database, Session
from core.money import Money
from orders import carts, checkout, credits, states
from orders.models import Voucher
from orders.states import Refused
from tests.orders.conftest import ANNA, BEN, GROUP, Shop, set_price, set_stock, stock_of

EUR = "EUR"


def eur(amount: str) -> Money:
    return Money(Decimal(amount), EUR)


async def fill(session: Session, shop: Shop, clock: Clock, *quantities: int, user_id: int = ANNA) -> None:
    for variant_id, quantity in zip(shop.variants, quantities, strict=False):
        if quantity:
            await carts.add(
                session, user_id=user_id, variant_id=variant_id, quantity=quantity, now=clock.now()
            )


async def pay(
    session: Session,
    invoice: checkout.Invoice,
    clock: Clock,
    *,
    option: str | None = "standard",
    charge: str = "charge-1",
    user_id: int = ANNA,
) -> states.OrderView:
    """Pass the pre-checkout for ``option`` and complete the payment."""
    shipping = 0
    if option is not None:
        options = await checkout.shipping_options(
            session, payload=invoice.payload, country_code="DE", now=clock.now()
        )
        shipping = next(found for found in options if found.id == option).price.minor
    total = invoice.total_amount + shipping
    answer = await checkout.pre_checkout(
        session,
        payload=invoice.payload,
        user_id=user_id,
        total_amount=total,
        currency=invoice.currency,
        shipping_option_id=option,
        now=clock.now(),
    )
    assert answer.ok, answer
    return await checkout.complete(
        session,
        payload=invoice.payload,
        user_id=user_id,
        chat_id=user_id,
        telegram_payment_charge_id=charge,
        provider_payment_charge_id=f"provider-{charge}",
        total_amount=total,
        currency=invoice.currency,
        shipping_option_id=option,
        shipping_address={"country_code": "DE", "city": "Berlin"},
        now=clock.now(),
    )


async def test_invoice_respects_telegram_limits(db: Database, shop: Shop, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        await fill(session, shop, clock, 2, 1, 1)
        invoice = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
    assert len(invoice.title) <= 32 and 0 < len(invoice.description) <= 255
    assert 0 < len(invoice.payload) <= 64 and invoice.payload.replace("-", "").replace("_", "").isalnum()
    assert invoice.currency == EUR and invoice.need_shipping_address and invoice.is_flexible
    assert [price.amount for price in invoice.prices] == [2000, 3000, 5000]
    assert invoice.total_amount == 10000


async def test_stars_invoice_has_one_price_line(db: Database, shop: Shop, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        await fill(session, shop, clock, 1, 1)
        invoice = await checkout.start(
            session, user_id=ANNA, chat_id=ANNA, locale="en", now=clock.now(), stars=True
        )
    assert invoice.currency == "XTR" and not invoice.is_flexible
    assert len(invoice.prices) == 1
    assert invoice.prices[0].amount == 40 * checkout.STARS_PER_EUR


async def test_start_refuses_empty_cart_stock_gone_and_too_many_lines(
    db: Database, shop: Shop, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        with pytest.raises(Refused, match="checkout-error-empty-cart"):
            await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        await fill(session, shop, clock, 3)
        await set_stock(session, variant_id=shop.variants[0], units={shop.warehouse: 2})
        with pytest.raises(Refused, match="checkout-error-out-of-stock"):
            await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())


async def test_too_long_item_list_is_refused(
    db: Database, shop: Shop, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkout, "MAX_LINES", 2)
    async with db.unit_of_work() as session:
        await fill(session, shop, clock, 1, 1, 1)
        with pytest.raises(Refused) as refused:
            await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
    assert refused.value.reason_key == "checkout-error-too-many-items" and refused.value.args_ == {"max": 2}


async def test_shipping_options_by_country_threshold_and_pickup_stock(
    db: Database, shop: Shop, clock: Clock
) -> None:
    first, second, _ = shop.variants
    berlin, hamburg = shop.stores[0], shop.stores[1]
    async with db.unit_of_work() as session:
        # Berlin has both articles, Hamburg only one of them; the warehouse is never a pickup store.
        await set_stock(session, variant_id=first, units={shop.warehouse: 5, berlin: 1, hamburg: 1})
        await set_stock(session, variant_id=second, units={shop.warehouse: 5, berlin: 2})
        await fill(session, shop, clock, 1, 1)
        small = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        germany = await checkout.shipping_options(
            session, payload=small.payload, country_code="DE", now=clock.now()
        )
        austria = await checkout.shipping_options(
            session, payload=small.payload, country_code="at", now=clock.now()
        )
        usa = await checkout.shipping_options(
            session, payload=small.payload, country_code="US", now=clock.now()
        )
        await fill(session, shop, clock, 0, 0, 1)
        big = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        free = await checkout.shipping_options(
            session, payload=big.payload, country_code="DE", now=clock.now()
        )
    prices = {option.id: option.price.minor for option in germany}
    assert prices == {"standard": 490, "express": 990, f"pickup:{berlin}": 0}
    assert {option.id: option.price.minor for option in austria}["standard"] > prices["standard"]
    assert [option.id for option in usa] == [f"pickup:{berlin}"]
    pickup = germany[-1]
    assert pickup.label_key == "shipping-pickup" and pickup.args["city"] == "Berlin"
    # 40 EUR of goods pay for standard delivery, 90 EUR ship for free; no store has the third article.
    assert {option.id: option.price.minor for option in free} == {"standard": 0, "express": 990}


async def test_pre_checkout_rejects_changed_price_expiry_amount_and_stranger(
    db: Database, shop: Shop, clock: Clock
) -> None:
    async with db.unit_of_work() as session:
        await fill(session, shop, clock, 1)
        invoice = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        await checkout.shipping_options(session, payload=invoice.payload, country_code="DE", now=clock.now())

        async def ask(**changes: object) -> checkout.PreCheckoutResult:
            query: dict[str, object] = {
                "payload": invoice.payload,
                "user_id": ANNA,
                "total_amount": invoice.total_amount + 490,
                "currency": EUR,
                "shipping_option_id": "standard",
                "now": clock.now(),
            }
            return await checkout.pre_checkout(session, **{**query, **changes})  # type: ignore[arg-type]

        assert (await ask(user_id=BEN)).reason_key == "checkout-error-unknown"
        assert (await ask(total_amount=invoice.total_amount)).reason_key == "checkout-error-amount"
        assert (await ask(shipping_option_id="express-ish")).reason_key == "checkout-error-shipping"
        expired = await ask(now=clock.now() + checkout.CHECKOUT_TTL + timedelta(seconds=1))
        assert expired.reason_key == "checkout-error-expired"
        await set_price(session, variant_id=shop.variants[0], price="9.00")
        changed = await ask()
        assert not changed.ok and changed.reason_key == "checkout-error-price-changed"
        assert changed.args["title"]


async def test_pre_checkout_reserves_and_rejects_when_stock_is_gone(
    db: Database, shop: Shop, clock: Clock
) -> None:
    first = shop.variants[0]
    async with db.unit_of_work() as session:
        await set_stock(session, variant_id=first, units={shop.warehouse: 1})
        await fill(session, shop, clock, 1)
        await fill(session, shop, clock, 1, user_id=BEN)
        anna = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        ben = await checkout.start(session, user_id=BEN, chat_id=BEN, locale="de", now=clock.now())
        for invoice in (anna, ben):
            await checkout.shipping_options(
                session, payload=invoice.payload, country_code="DE", now=clock.now()
            )
        answers = [
            await checkout.pre_checkout(
                session,
                payload=invoice.payload,
                user_id=user_id,
                total_amount=invoice.total_amount + 490,
                currency=EUR,
                shipping_option_id="standard",
                now=clock.now(),
            )
            for invoice, user_id in ((anna, ANNA), (ben, BEN))
        ]
        # The reserved unit is unavailable to everybody else, in the cart too.
        view = await carts.view(session, user_id=BEN, locale="de", now=clock.now())
    assert answers[0].ok
    assert answers[1] == checkout.PreCheckoutResult(
        ok=False,
        reason_key="checkout-error-sold-out",
        args={"title": answers[1].args["title"], "available": 0},
    )
    assert view.lines[0].available == 0


async def test_complete_is_idempotent_decrements_stock_and_empties_cart(
    db: Database, shop: Shop, clock: Clock
) -> None:
    first, second, _ = shop.variants
    async with db.unit_of_work() as session:
        await set_stock(session, variant_id=first, units={shop.warehouse: 1, shop.stores[0]: 3})
        await fill(session, shop, clock, 2, 1)
        invoice = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        order = await pay(session, invoice, clock)
    async with db.unit_of_work() as session:
        again = await checkout.complete(
            session,
            payload=invoice.payload,
            user_id=ANNA,
            chat_id=ANNA,
            telegram_payment_charge_id="charge-1",
            provider_payment_charge_id="provider-charge-1",
            total_amount=invoice.total_amount + 490,
            currency=EUR,
            shipping_option_id="standard",
            shipping_address=None,
            now=clock.now(),
        )
        # Warehouse first, then the stores.
        assert await stock_of(session, variant_id=first) == {shop.warehouse: 0, shop.stores[0]: 2}
        assert await stock_of(session, variant_id=second) == {shop.warehouse: 4}
        assert (await carts.view(session, user_id=ANNA, locale="de", now=clock.now())).lines == ()
        mine = await states.of_user(session, user_id=ANNA)
        history = await states.history(session, order_id=order.id)
    assert again == order and [found.id for found in mine] == [order.id]
    assert order.number.startswith("KR-") and order.status == "paid" and order.delivery == "standard"
    assert order.total == eur("54.90") and order.shipping == eur("4.90")
    assert [(line.quantity, line.unit_price) for line in order.lines] == [
        (2, eur("10.00")),
        (1, eur("30.00")),
    ]
    assert [event.status for event in history] == ["paid"]


async def test_click_and_collect_takes_from_the_store(db: Database, shop: Shop, clock: Clock) -> None:
    first = shop.variants[0]
    berlin = shop.stores[0]
    async with db.unit_of_work() as session:
        await set_stock(session, variant_id=first, units={shop.warehouse: 5, berlin: 1})
        await fill(session, shop, clock, 1)
        invoice = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        order = await pay(session, invoice, clock, option=f"pickup:{berlin}")
        assert await stock_of(session, variant_id=first) == {shop.warehouse: 5, berlin: 0}
    assert order.delivery == "pickup" and order.store_id == berlin and order.status == "paid"
    assert order.shipping.amount == 0 and order.shipping_address is None


async def test_credits_and_vouchers_reduce_the_total_and_are_spent_on_payment(
    db: Database, shop: Shop, clock: Clock
) -> None:
    now = clock.now()
    async with db.unit_of_work() as session:
        session.add_all(
            [
                Voucher(code="WELCOME5", amount=Decimal(5), currency=EUR, uses=0, max_uses=1),
                Voucher(code="TENOFF", percent=10, currency=EUR, uses=0, valid_until=now + timedelta(days=1)),
                Voucher(
                    code="OLD", amount=Decimal(5), currency=EUR, uses=0, valid_until=now - timedelta(days=1)
                ),
            ]
        )
        await session.flush()
        await credits.grant(session, user_id=ANNA, amount=eur("3.00"), reason="referral", now=now)
        assert (await credits.redeem_voucher(session, user_id=ANNA, code="welcome5", now=now)).credit == eur(
            "5"
        )
        assert (await credits.redeem_voucher(session, user_id=ANNA, code="TENOFF", now=now)).percent == 10
        for user_id, code, key in (
            (ANNA, "WELCOME5", "voucher-error-already-redeemed"),
            (BEN, "WELCOME5", "voucher-error-used-up"),
            (BEN, "OLD", "voucher-error-expired"),
            (BEN, "NOPE", "voucher-error-unknown"),
        ):
            with pytest.raises(Refused) as refused:
                await credits.redeem_voucher(session, user_id=user_id, code=code, now=now)
            assert refused.value.reason_key == key
        assert await credits.balance(session, user_id=ANNA, currency=EUR) == eur("8.00")

        await fill(session, shop, clock, 0, 1)
        invoice = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=now)
        # 30.00 - 10 % (3.00) - 8.00 credit; nothing is spent before the payment.
        assert invoice.prices[-1] == checkout.Price("invoice-discount", -1100)
        assert await credits.balance(session, user_id=ANNA, currency=EUR) == eur("8.00")
        order = await pay(session, invoice, clock)
        assert order.discount == eur("11.00") and order.total == eur("23.90")
        assert await credits.balance(session, user_id=ANNA, currency=EUR) == eur("0.00")
        # The voucher was used by that order; the next checkout gets no discount.
        await fill(session, shop, clock, 1)
        assert (
            len((await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=now)).prices) == 1
        )
        exported = await privacy.export(session, user_id=ANNA, now=now)
    assert exported["orders"][0]["number"] == order.number
    assert [entry["amount"] for entry in exported["credits"]["ledger"]] == ["3.00", "5.00", "-8.00"]


async def test_credit_leaves_one_cent_to_pay(db: Database, shop: Shop, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        await credits.grant(session, user_id=ANNA, amount=eur("100.00"), reason="goodwill", now=clock.now())
        await fill(session, shop, clock, 1)
        invoice = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
    assert invoice.total_amount == 1


async def test_refund_of_stars_and_provider_payments(db: Database, shop: Shop, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        await fill(session, shop, clock, 1)
        stars = await checkout.start(
            session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now(), stars=True
        )
        by_stars = await pay(session, stars, clock, option=None, charge="stars-1")
        await fill(session, shop, clock, 1)
        card = await checkout.start(session, user_id=ANNA, chat_id=ANNA, locale="de", now=clock.now())
        by_card = await pay(session, card, clock, charge="card-1")
        await states.advance(session, order_id=by_card.id, to="packed", now=clock.now())
        await states.advance(session, order_id=by_card.id, to="shipped", now=clock.now())
        with pytest.raises(states.IllegalTransition):
            await checkout.refund(session, order_id=by_card.id, now=clock.now(), actor="retailer")
        await states.advance(session, order_id=by_card.id, to="delivered", now=clock.now())
        star_refund = await checkout.refund(session, order_id=by_stars.id, now=clock.now(), actor="retailer")
        card_refund = await checkout.refund(session, order_id=by_card.id, now=clock.now(), actor="retailer")
        refunded = await states.get(session, order_id=by_card.id)
    assert by_stars.payment_method == "stars" and by_stars.shipping.amount == 0
    assert star_refund.by_bot and star_refund.telegram_payment_charge_id == "stars-1"
    assert star_refund.user_id == ANNA and star_refund.status == "executed"
    assert not card_refund.by_bot and card_refund.status == "to_execute"
    assert card_refund.amount == eur("14.90")
    assert refunded is not None and refunded.status == "refunded"


async def test_in_a_group_each_member_can_pay_their_share(db: Database, shop: Shop, clock: Clock) -> None:
    async with db.unit_of_work() as session:
        for user_id, variant_id in ((ANNA, shop.variants[0]), (BEN, shop.variants[1])):
            await carts.add(
                session, user_id=user_id, variant_id=variant_id, group_chat_id=GROUP, now=clock.now()
            )
        invoice = await checkout.start(
            session,
            user_id=ANNA,
            chat_id=GROUP,
            group_chat_id=GROUP,
            locale="de",
            now=clock.now(),
            own_share=True,
        )
    assert invoice.total_amount == 1000, "Anna pays only her 10 EUR line"

    async with db.unit_of_work() as session:
        await carts.add(
            session, user_id=ANNA, variant_id=shop.variants[2], group_chat_id=GROUP, now=clock.now()
        )
        order = await pay(session, invoice, clock)
        left = await carts.view(session, user_id=BEN, group_chat_id=GROUP, locale="de", now=clock.now())

    assert [line.variant_id for line in order.lines] == [shop.variants[0]]
    assert sorted((line.added_by, line.variant_id) for line in left.lines) == sorted(
        [(BEN, shop.variants[1]), (ANNA, shop.variants[2])]
    ), "Ben's share and what Anna added after starting the checkout stay in the group cart"
