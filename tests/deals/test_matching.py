"""Matching without a database: which deals fit whose filters, and in which order they come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deals.matching import DealFacts, DealIndex, Item, Pick, Profile, Signals, match, rank

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SHOP, OTHER_SHOP = 1, 2
# A small category tree: 10 women › 11 shoes › 12 sneakers, 13 boots; 20 home › 21 lamps.
WOMEN, SHOES, SNEAKERS, BOOTS, HOME, LAMPS = 10, 11, 12, 13, 20, 21
PATHS = {SNEAKERS: (SNEAKERS, SHOES, WOMEN), BOOTS: (BOOTS, SHOES, WOMEN), LAMPS: (LAMPS, HOME)}
NORDWIND, GLUT = 100, 200


def _item(
    product_id: int, category: int, euros: int, brand: int | None = NORDWIND, currency: str = "EUR"
) -> Item:
    return Item(product_id, brand, PATHS[category], euros * 100, currency)


def _deal(deal_id: int, *items: Item, retailer: int = SHOP, percent: int = 20, days: int = 7) -> DealFacts:
    return DealFacts(
        id=deal_id,
        retailer_id=retailer,
        category_id=items[0].category_ids[0],
        percent=percent,
        ends_at=NOW + timedelta(days=days),
        items=items,
    )


DEALS = (
    _deal(1, _item(501, SNEAKERS, 80)),
    _deal(2, _item(502, BOOTS, 150, brand=GLUT)),
    _deal(3, _item(503, LAMPS, 40, brand=GLUT)),
    _deal(4, _item(504, SNEAKERS, 60), retailer=OTHER_SHOP),
    # A category deal on shoes: two products, the cheaper first.
    _deal(5, _item(505, SNEAKERS, 30, brand=GLUT), _item(506, BOOTS, 90), percent=10),
)


def _ids(profile: Profile, **kwargs: object) -> list[int]:
    index = DealIndex(DEALS, engaged={})
    return [pick.deal_id for pick in rank(index, profile, **kwargs)]  # type: ignore[arg-type]


def test_only_deals_of_the_retailers_someone_picked_fit() -> None:
    assert sorted(_ids(Profile(1, frozenset({SHOP}), room=9))) == [1, 2, 3, 5]
    assert _ids(Profile(1, frozenset({OTHER_SHOP}), room=9)) == [4]
    assert _ids(Profile(1, frozenset(), room=9)) == []


def test_a_category_covers_its_subcategories_and_a_category_deal_fits_its_parts() -> None:
    assert sorted(_ids(Profile(1, frozenset({SHOP}), category_ids=frozenset({WOMEN}), room=9))) == [1, 2, 5]
    assert sorted(_ids(Profile(1, frozenset({SHOP}), category_ids=frozenset({BOOTS}), room=9))) == [2, 5]
    assert _ids(Profile(1, frozenset({SHOP}), category_ids=frozenset({HOME}), room=9)) == [3]


def test_brand_price_and_currency_narrow_and_the_fitting_product_is_shown() -> None:
    index = DealIndex(DEALS, engaged={})
    glut = rank(index, Profile(1, frozenset({SHOP}), brand_ids=frozenset({GLUT}), room=9))
    assert sorted((pick.deal_id, pick.product_id) for pick in glut) == [(2, 502), (3, 503), (5, 505)]
    nordwind_shoes = rank(
        index,
        Profile(
            1, frozenset({SHOP}), brand_ids=frozenset({NORDWIND}), category_ids=frozenset({SHOES}), room=9
        ),
    )
    assert sorted((pick.deal_id, pick.product_id) for pick in nordwind_shoes) == [(1, 501), (5, 506)]
    cheap = Profile(1, frozenset({SHOP}), max_price_cents=5000, room=9)
    assert sorted(_ids(cheap)) == [3, 5]
    assert _ids(Profile(1, frozenset({SHOP}), max_price_cents=5000, currency="CHF", room=9)) == []


def test_a_muted_category_never_fits() -> None:
    muted = Profile(1, frozenset({SHOP}), muted_category_ids=frozenset({SHOES}), room=9)
    assert _ids(muted) == [3]
    only_boots_muted = Profile(1, frozenset({SHOP}), muted_category_ids=frozenset({BOOTS}), room=9)
    index = DealIndex(DEALS, engaged={})
    picks = {pick.deal_id: pick.product_id for pick in rank(index, only_boots_muted)}
    assert picks == {1: 501, 3: 503, 5: 505}


def test_the_room_under_the_cap_and_what_was_delivered_limit_the_picks() -> None:
    everything = Profile(1, frozenset({SHOP}), room=2)
    assert len(_ids(everything)) == 2
    assert _ids(Profile(1, frozenset({SHOP}), room=0)) == []
    assert 1 not in _ids(Profile(1, frozenset({SHOP}), room=9), delivered={1, 2})
    assert sorted(_ids(Profile(1, frozenset({SHOP}), room=9), delivered={1, 2})) == [3, 5]


def test_wishes_come_first_then_explicit_interests_friends_purchases_and_the_bigger_discount() -> None:
    index = DealIndex(DEALS, engaged={503: {77, 78}, 502: {77}})
    everyone = Profile(1, frozenset({SHOP}), room=9)
    # Without signals: the bigger discount first, then the sooner end (all end together here), the older deal.
    assert [pick.deal_id for pick in rank(index, everyone)] == [1, 2, 3, 5]
    wished = rank(index, everyone, signals=Signals(wished=frozenset({506})))
    assert wished[0] == Pick(deal_id=5, product_id=506, score=wished[0].score, wished=True)
    friends = rank(index, everyone, signals=Signals(friends=frozenset({77, 78})))
    assert [pick.deal_id for pick in friends][:2] == [3, 2]
    bought = rank(index, everyone, signals=Signals(bought_categories=frozenset({BOOTS, SHOES, WOMEN})))
    assert bought[0].deal_id == 2
    explicit = rank(index, Profile(1, frozenset({SHOP}), category_ids=frozenset({HOME, SHOES}), room=9))
    assert explicit[0].score > rank(index, everyone)[0].score


def test_the_deal_that_ends_first_wins_a_tie() -> None:
    index = DealIndex(
        (_deal(1, _item(501, SNEAKERS, 80), days=7), _deal(2, _item(502, BOOTS, 80), days=2)), engaged={}
    )
    assert [pick.deal_id for pick in rank(index, Profile(1, frozenset({SHOP}), room=2))] == [2, 1]


def test_match_gives_everyone_their_own_picks_and_leaves_out_who_gets_none() -> None:
    index = DealIndex(DEALS, engaged={})
    people = [
        Profile(1, frozenset({SHOP}), category_ids=frozenset({HOME}), room=3),
        Profile(2, frozenset({SHOP}), category_ids=frozenset({HOME}), room=3),
        Profile(3, frozenset({OTHER_SHOP}), category_ids=frozenset({HOME}), room=3),
    ]
    chosen = match(index, people, delivered={2: {3}}, signals={})
    assert {user: [pick.deal_id for pick in picks] for user, picks in chosen.items()} == {1: [3]}
