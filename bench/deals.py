"""How fast personal deals are matched: 100,000 subscribers with interests against 1,000 running deals.

Generates, from a fixed seed, RETAILERS retailers with the demo catalog's category tree and brands, DEALS
running deals (four in five on one product, the rest on a category with 5 to 40 products) and USERS
subscribers: each picked one to three retailers, most chose categories and some brands, a maximum price
or a muted category, has room for one to three messages under their cap, and some already had a few of the
deals. A fifth wished products that are on sale, half are in groups with friends, a third bought before;
friends' wishes and purchases rank deals higher (:mod:`deals.matching`).

Measures, in one process:

- matching: building the index over the deals, then ranking every subscriber's fitting deals (the work
  of a deals round between reading the database and claiming the messages): target <= 10 s;
- the process's peak resident memory (ru_maxrss), with the generated subscribers, deals and signals, the
  index and every pick: target <= 500 MB; the resident memory just before matching is printed beside it.

Prints the figures with their targets; exits 1 when a target is missed.

    .venv/bin/python -m bench.deals [--users 100000] [--deals 1000]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from catalog.vocabulary import BRANDS, CATEGORIES
from deals.matching import DealFacts, DealIndex, Item, Pick, Profile, Signals, match

TARGET_SECONDS = 10.0
TARGET_PEAK_MB = 500.0
RETAILERS = 20
SEED = 2026
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PRICES = (2500, 5000, 10000, 20000)


@dataclass(frozen=True, slots=True)
class World:
    """The generated subscribers, deals and what ranks them."""

    deals: list[DealFacts]
    profiles: list[Profile]
    delivered: dict[int, set[int]]
    signals: dict[int, Signals]
    engaged: dict[int, set[int]]


def _tree() -> tuple[dict[str, int], dict[int, tuple[int, ...]], list[int], list[int]]:
    """Number the demo categories; give each one's path to the top, the leaves and the top level."""
    ids = {category.slug: number for number, category in enumerate(CATEGORIES, start=1)}
    paths: dict[int, tuple[int, ...]] = {}
    for category in CATEGORIES:
        parent = paths[ids[category.parent]] if category.parent else ()
        paths[ids[category.slug]] = (ids[category.slug], *parent)
    leaves = [ids[category.slug] for category in CATEGORIES if category.kind is not None]
    top = [ids[category.slug] for category in CATEGORIES if category.parent is None]
    return ids, paths, leaves, top


def generate(users: int, deal_count: int, seed: int = SEED) -> World:
    """Generate the subscribers and deals (the same seed gives the same world)."""
    rng = random.Random(seed)
    _, paths, leaves, top = _tree()
    brands = list(range(1, len(BRANDS) + 1))
    children: dict[int, list[int]] = {}
    for category, path in paths.items():
        if len(path) > 1:
            children.setdefault(path[1], []).append(category)
    product_ids = iter(range(1, 10**9))
    deals: list[DealFacts] = []
    for deal_id in range(1, deal_count + 1):
        retailer = rng.randint(1, RETAILERS)
        if rng.random() < 0.8:
            leaf = rng.choice(leaves)
            items = [Item(next(product_ids), rng.choice(brands), paths[leaf], rng.randint(500, 30000), "EUR")]
            own = leaf
        else:
            own = rng.choice([*top, *children])
            under = [leaf for leaf in leaves if own in paths[leaf]]
            items = [
                Item(
                    next(product_ids),
                    rng.choice(brands),
                    paths[rng.choice(under)],
                    rng.randint(500, 30000),
                    "EUR",
                )
                for _ in range(rng.randint(5, 40))
            ]
        items.sort(key=lambda item: item.price_cents)
        deals.append(
            DealFacts(
                id=deal_id,
                retailer_id=retailer,
                category_id=own,
                percent=rng.choice((5, 10, 15, 20, 25, 30, 40, 50)),
                ends_at=NOW + timedelta(hours=rng.randint(2, 24 * 14)),
                items=tuple(items),
            )
        )
    on_sale = [item.product_id for deal in deals for item in deal.items]
    interests = [*leaves, *children, *top]
    profiles: list[Profile] = []
    delivered: dict[int, set[int]] = {}
    signals: dict[int, Signals] = {}
    engaged: dict[int, set[int]] = {}
    groups = [
        list(range(start, min(start + rng.randint(3, 8), users + 1))) for start in range(1, users // 2, 6)
    ]
    friends: dict[int, frozenset[int]] = {}
    for members in groups:
        for member in members:
            friends[member] = frozenset(members) - {member}
    for user_id in range(1, users + 1):
        retailers = frozenset(rng.sample(range(1, RETAILERS + 1), rng.choice((1, 1, 2, 3))))
        categories = (
            frozenset(rng.sample(interests, rng.choice((0, 1, 1, 2, 3))))
            if rng.random() < 0.7
            else frozenset()
        )
        chosen_brands = (
            frozenset(rng.sample(brands, rng.choice((1, 2)))) if rng.random() < 0.3 else frozenset()
        )
        profiles.append(
            Profile(
                user_id=user_id,
                retailer_ids=retailers,
                category_ids=categories,
                brand_ids=chosen_brands,
                muted_category_ids=frozenset({rng.choice(leaves)}) if rng.random() < 0.1 else frozenset(),
                max_price_cents=rng.choice(PRICES) if rng.random() < 0.5 else None,
                room=rng.randint(1, 3),
            )
        )
        if rng.random() < 0.3:
            delivered[user_id] = set(rng.sample(range(1, deal_count + 1), rng.randint(1, 3)))
        wished = frozenset(rng.sample(on_sale, rng.randint(1, 5))) if rng.random() < 0.2 else frozenset()
        bought = frozenset(rng.sample(on_sale, rng.randint(1, 3))) if rng.random() < 0.33 else frozenset()
        for product in wished | bought:
            engaged.setdefault(product, set()).add(user_id)
        if wished or bought or user_id in friends:
            signals[user_id] = Signals(
                wished=wished,
                friends=friends.get(user_id, frozenset()),
                bought_categories=frozenset(rng.sample(interests, len(bought))),
                bought_brands=frozenset(rng.sample(brands, min(len(bought), 2))),
            )
    return World(deals, profiles, delivered, signals, engaged)


def run(world: World) -> tuple[dict[int, list[Pick]], float]:
    """Build the index and rank every subscriber's deals; give the picks and the seconds it took."""
    started = time.perf_counter()
    index = DealIndex(world.deals, world.engaged)
    picks = match(index, world.profiles, delivered=world.delivered, signals=world.signals)
    return picks, time.perf_counter() - started


def resident_mb() -> float:
    """Return this process's resident memory now (VmRSS), in megabytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def peak_mb() -> float:
    """Return the process's peak resident memory so far, in megabytes (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(met: bool) -> str:
    """Say whether a target was met."""
    return "met" if met else "MISSED"


def check(world: World, picks: dict[int, list[Pick]]) -> None:
    """Make sure the picks keep the rules: room, nothing delivered twice, only the retailers picked."""
    by_id = {deal.id: deal for deal in world.deals}
    rooms = {profile.user_id: profile for profile in world.profiles}
    for user_id, chosen in picks.items():
        profile = rooms[user_id]
        assert len(chosen) <= profile.room
        assert not {pick.deal_id for pick in chosen} & world.delivered.get(user_id, set())
        assert all(by_id[pick.deal_id].retailer_id in profile.retailer_ids for pick in chosen)


def main(users: int, deal_count: int) -> bool:
    """Run the benchmark and print its figures; return whether every target was met."""
    started = time.perf_counter()
    world = generate(users, deal_count)
    generated = time.perf_counter() - started
    gc.collect()
    before = resident_mb()
    picks, seconds = run(world)
    peak = peak_mb()
    check(world, picks)
    messages = sum(len(chosen) for chosen in picks.values())
    wished = sum(pick.wished for chosen in picks.values() for pick in chosen)
    products = sum(len(deal.items) for deal in world.deals)
    checks = [seconds <= TARGET_SECONDS, peak <= TARGET_PEAK_MB]
    print(
        f"world: {users:,} subscribers, {deal_count:,} running deals on {products:,} products, "
        f"{RETAILERS} retailers (generated in {generated:.1f} s)"
    )
    print(
        f"matched: {len(picks):,} subscribers get {messages:,} messages now ({wished:,} on their wishlists)"
    )
    print(f"matching: {seconds:.2f} s (target <= {TARGET_SECONDS:.0f} s): {verdict(checks[0])}")
    print(
        f"memory: peak RSS {peak:.0f} MB, {before:.0f} MB of it before matching "
        f"(target <= {TARGET_PEAK_MB:.0f} MB): {verdict(checks[1])}"
    )
    met = all(checks)
    print("targets met" if met else "TARGETS MISSED")
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--deals", type=int, default=1000)
    arguments = parser.parse_args()
    raise SystemExit(0 if main(arguments.users, arguments.deals) else 1)
