"""Properties of reading shopping requests: any text is read, words fold once, shown prices read back."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.query import Lexicon, fold, parse, words
from core.i18n import format_money

LEXICON = Lexicon.default()
# Whatever a Telegram user can type (no lone surrogates: they are no UTF-8, so Telegram carries none).
typed = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)
shopping = st.lists(
    st.sampled_from(
        [
            "rote",
            "Sneaker",
            "unter",
            "80",
            "€",
            "Größe",
            "M",
            "jacket",
            "size",
            "between",
            "50",
            "and",
            "100",
            "zwischen",
            "und",
            "Euro",
            "Kleid",
            "was passt zu",
            "style me",
            "ab",
            "-",
            "1.000,00",
            "max.",
            "$",
            "W32",
        ]
    )
    | typed,
    max_size=8,
).map(" ".join)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(text=shopping, locale=st.sampled_from(["de", "en", None]))
def test_any_request_is_read_with_sensible_bounds(text: str, locale: str | None) -> None:
    query = parse(text, lexicon=LEXICON, locale=locale)
    assert query.text == text
    for bound in (query.min_price, query.max_price):
        assert bound is None or (
            isinstance(bound, Decimal) and bound >= 0 and bound == bound.quantize(Decimal("0.01"))
        )
    if query.min_price is not None and query.max_price is not None:
        assert query.min_price <= query.max_price
    assert all(keyword and keyword == fold(keyword) for keyword in query.keywords)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(text=typed)
def test_folding_and_splitting_into_words_are_done_once(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert words(" ".join(words(text))) == words(text)
    assert all(word.isascii() and word == word.lower() for word in words(text))


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    locale=st.sampled_from(["de", "en"]),
    words_before=st.sampled_from(["unter", "bis", "under", "below", "max", "up to", "Sneaker unter"]),
)
def test_a_price_as_the_bot_shows_it_reads_back_as_that_price(
    amount: Decimal, locale: str, words_before: str
) -> None:
    shown = format_money(amount, "EUR", locale)
    query = parse(f"{words_before} {shown}", lexicon=LEXICON, locale=locale)
    assert query.max_price == amount, shown
