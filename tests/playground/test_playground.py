"""The playground in a real browser: friends search, share, pay with click & collect and pick up."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from bot.runner import Runtime
from bot.sandbox import DEMO_PEOPLE
from core.db import Database
from tests.e2e.conftest import RETAILER_ID
from tests.e2e.test_checkout import _in_stock_everywhere
from tests.playground.conftest import ARTIFACTS

LENA, TOM, AYLIN, _ = (user_id for user_id, _, _ in DEMO_PEOPLE)


async def shot(page: Page, name: str) -> None:
    """Save a screenshot of the page for a person to look at."""
    await page.screenshot(path=str(ARTIFACTS / f"playground-{name}.png"))


async def say(page: Page, text: str) -> None:
    """Type a message into the composer and send it."""
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")


def last_from_bot(page: Page, has_text: str | re.Pattern[str] | None = None) -> Locator:
    """Return the conversation's newest bot message (optionally one containing a text)."""
    return page.locator(".msg:not(.own):not(.service)", has_text=has_text).last


async def become(page: Page, user_id: int) -> None:
    """Switch who the page plays with one click."""
    await page.locator(f'[data-user="{user_id}"]').click()
    await expect(page.locator(f'[data-user="{user_id}"]')).to_have_attribute("aria-checked", "true")


async def test_friends_search_share_pay_and_pick_up(
    page: Page, playground: Runtime, demo_catalog: Database
) -> None:
    # Lena searches in her private chat and opens a product card.
    await become(page, LENA)
    await expect(page.locator("#chat-title")).to_have_text("Kaufrunde")
    await expect(page.locator("[data-chat]")).to_have_count(2)
    await say(page, "Sneaker")
    results = last_from_bot(page, "🔎")
    await results.locator('[data-callback^="card:"]').first.click()
    card = last_from_bot(page, "Verfügbarkeit")
    await expect(card.locator(".photo img")).to_be_visible()
    await expect(card.locator(".photo img")).to_have_js_property("complete", True)
    assert await card.locator(".photo img").evaluate("img => img.naturalWidth") > 0
    await shot(page, "1-card")

    # In the group she shares a product via inline mode.
    await page.locator('[data-kind="group"]').click()
    await expect(page.locator("#chat-title")).to_have_text("Freundeskreis")
    await page.locator("#text").fill("@kaufrunde_bot sneaker")
    await expect(page.locator(".inline-result").first).to_be_visible()
    await shot(page, "2-inline")
    await page.locator(".inline-result").first.click()
    shared = page.locator(".msg.own", has=page.locator(".photo img")).last
    await expect(shared.locator(".sender")).to_contain_text("@kaufrunde_bot")
    await expect(shared.locator(".key").first).to_be_visible()

    # Tom sees it in the group under Lena's name and votes 👍; the count changes in place.
    await become(page, TOM)
    await expect(page.locator("#chat-title")).to_have_text("Freundeskreis")
    shared_card = page.locator(".msg:not(.own)", has=page.locator(".sender", has_text="Lena")).last
    await expect(shared_card).to_be_visible()
    thumbs_up = shared_card.locator('[data-callback$=":1"][data-callback^="vote:"]')
    await expect(thumbs_up).to_have_text("👍 0")
    await thumbs_up.click()
    await expect(thumbs_up).to_have_text("👍 1")
    await shot(page, "3-group")

    # Aylin puts a product in her cart and pays with click & collect.
    _, variant = await _in_stock_everywhere(demo_catalog)
    assert variant.gtin is not None
    await become(page, AYLIN)
    await page.locator(f'[data-chat="{AYLIN}"]').click()
    await say(page, variant.gtin)
    pick = last_from_bot(page).locator(f'[data-callback="cart:pick:{variant.product_id}"]')
    await pick.click()
    choice = page.locator(f'[data-callback="cart:add:{variant.id}"]')
    toast = page.locator("#toast", has_text="✓")
    await expect(choice.or_(toast).first).to_be_visible()
    if await choice.count():
        await choice.click()
        await expect(toast).to_be_visible()
    await say(page, "/cart")
    await last_from_bot(page, "Warenkorb").locator('[data-callback="cart:checkout"]').click()
    invoice = page.locator(".msg", has=page.locator(".invoice")).last
    await invoice.locator(".key-pay").click()
    sheet = page.locator("#sheet")
    pickup = sheet.locator(".shipping-option", has_text="Abholung").first
    await pickup.click()
    await shot(page, "4-payment-sheet")
    await sheet.locator(".pay-now").click()
    await expect(sheet.locator(".success")).to_be_visible()
    await shot(page, "5-paid")
    await sheet.locator("button[value=close]").click()
    confirmation = last_from_bot(page, "Abholung in")
    await expect(confirmation).to_contain_text("Danke!")
    number = re.search(r"KR-\d{6}", await confirmation.inner_text())
    assert number is not None

    # The retailer marks the order ready for pickup.
    await become(page, RETAILER_ID)
    await say(page, f"/order {number.group(0)}")
    await last_from_bot(page, number.group(0)).locator('[data-callback^="adm:ready:"]').click()

    # Back as Aylin, the pickup QR code has arrived live.
    await become(page, AYLIN)
    qr = last_from_bot(page, "Code:")
    await expect(qr.locator(".photo img")).to_be_visible()
    await shot(page, "6-pickup-qr")

    # Days go by on the demo clock; the pickup reminder arrives without reloading.
    before = await page.locator("#clock").inner_text()
    reminder = page.locator(".msg", has_text=f"Deine Bestellung {number.group(0)} liegt in")
    for _ in range(7):
        await page.locator("#plus-day").click()
        await expect(page.locator("#plus-day")).to_be_enabled()
        if await reminder.count():
            break
    await expect(reminder).to_be_visible()
    assert await page.locator("#clock").inner_text() != before
    await shot(page, "7-reminder")


async def test_it_fits_a_phone_and_speaks_english(page: Page) -> None:
    await page.set_viewport_size({"width": 390, "height": 780})
    await page.locator('[data-lang="en"]').click()
    await expect(page.locator(".whoami h2")).to_have_text("Who am I?")
    await expect(page.locator("#conversation")).to_be_hidden()
    await page.locator('[data-kind="group"]').click()
    await expect(page.locator("#chat-title")).to_have_text("Freundeskreis")
    await expect(page.locator(".sidebar")).to_be_hidden()
    await shot(page, "8-phone")
    await page.locator("#back").click()
    await expect(page.locator(".sidebar")).to_be_visible()
