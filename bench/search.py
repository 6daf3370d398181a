"""How fast and how well search finds products in a big catalog, against a naive fuzzy search.

Generates PRODUCTS synthetic products (catalog.synthetic) and QUERIES shopper queries, half German, half
English, a third with a typo, whose right answers the generator knows. Measures, in one process:

- the index build from the generated rows (turning rows into items, then indexing): target <= 5 s;
- parse + search per query, p50 and p95: target p95 <= 10 ms;
- the process's resident memory after the build, with everything the benchmark holds: target <= 300 MB;
- recall@10: of the first ten results (or of all right answers when there are fewer), the share that
  truly match, averaged over the queries;
- the naive baseline: rapidfuzz ``process.extract(query, titles, scorer=fuzz.WRatio, limit=10)`` over
  every title in both languages (titles and query lower-cased, titles once up front), its p95 and
  recall@10. It takes about a quarter of a second per query, so it runs on every BASELINE_EVERY-th
  query, and search is compared with it on those same queries. Target: search's p95 at least 10x
  lower, at equal or better recall@10.

Prints every figure with its target; exits 1 when a target is missed.

    .venv/bin/python -m bench.search [--products 100000] [--queries 1000] [--baseline-every 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz, process

from catalog import synthetic
from catalog.query import Lexicon, parse
from catalog.search import Index, Item, ItemVariant

TARGET_BUILD_SECONDS = 5.0
TARGET_P95_MS = 10.0
TARGET_RSS_MB = 300.0
TARGET_SPEEDUP = 10.0
SEED = 2026


@dataclass(frozen=True, slots=True)
class Figures:
    """Latencies (milliseconds) and recall@10 of one way of searching over a set of queries."""

    latencies: list[float]
    recalls: list[float]

    @property
    def p50(self) -> float:
        """Return the median latency."""
        return statistics.median(self.latencies)

    @property
    def p95(self) -> float:
        """Return the 95th percentile latency."""
        ordered = sorted(self.latencies)
        return ordered[max(0, int(len(ordered) * 0.95) - 1)]

    @property
    def recall(self) -> float:
        """Return the mean recall@10."""
        return statistics.fmean(self.recalls)


def recall_at_10(found: Sequence[str], expected: frozenset[str]) -> float:
    """Return the share of the first ten found SKUs that are right, of at most ten right answers."""
    return len(set(found[:10]) & expected) / min(10, len(expected))


def resident_mb() -> float:
    """Return this process's resident memory (VmRSS) in megabytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def item(number: int, row: Mapping[str, str], shared: dict[tuple[str, ...], Any]) -> Item:
    """Turn a synthetic row into an index item; equal values share one object, as they would when read
    from a database with few distinct colours, sizes, categories and prices."""

    def once(*raw: str, make: Callable[[], Any]) -> Any:
        found = shared.get(raw)
        if found is None:
            found = shared[raw] = make()
        return found

    split = synthetic.SEPARATOR
    in_stock = "1" if row["stock"] != "0" else ""
    return Item(
        product_id=number,
        sku=row["sku"],
        title_de=once(row["title_de"], make=lambda: row["title_de"]),
        title_en=once(row["title_en"], make=lambda: row["title_en"]),
        brand=once("brand", row["brand"], make=lambda: row["brand"]),
        category_path=once("path", row["category"], make=lambda: tuple(row["category"].split("/"))),
        gender=row["gender"] or None,
        price=once("price", row["price"], make=lambda: Decimal(row["price"])),
        currency=row["currency"],
        variants=once(
            "variants",
            row["colours"],
            row["sizes"],
            in_stock,
            make=lambda: tuple(
                ItemVariant(colour, size, bool(in_stock))
                for colour in row["colours"].split(split)
                for size in row["sizes"].split(split)
            ),
        ),
        styles=once("styles", row["styles"], make=lambda: tuple(row["styles"].split(split))),
        occasions=once("occasions", row["occasions"], make=lambda: tuple(row["occasions"].split(split))),
        materials=once("material", row["material"], make=lambda: (row["material"],)),
        season=row["season"],
    )


def build(products: int) -> tuple[Index, list[Item], float]:
    """Generate the rows again (the same seed gives the same rows) and index them; give the index, the
    items and the seconds spent turning rows into items and indexing (generating them not counted)."""
    shared: dict[tuple[str, ...], Any] = {}
    items = []
    spent = 0.0
    for number, row in enumerate(synthetic.products(count=products, seed=SEED), start=1):
        started = time.perf_counter()
        items.append(item(number, row, shared))
        spent += time.perf_counter() - started
    started = time.perf_counter()
    index = Index.build(items)
    return index, items, spent + time.perf_counter() - started


def measure_search(index: Index, queries: Sequence[synthetic.Query]) -> Figures:
    """Parse and search each query; give latencies and recall@10."""
    lexicon = Lexicon.default()
    latencies, recalls = [], []
    for query in queries:
        started = time.perf_counter()
        page = index.search(parse(query.text, lexicon=lexicon), limit=10)
        latencies.append((time.perf_counter() - started) * 1000)
        recalls.append(recall_at_10([hit.sku for hit in page.hits], query.expected))
    return Figures(latencies, recalls)


def measure_baseline(items: Sequence[Item], queries: Sequence[synthetic.Query]) -> Figures:
    """Match each query against every title with WRatio; give latencies and recall@10."""
    titles = [item.title_de.lower() for item in items] + [item.title_en.lower() for item in items]
    owners = [item.sku for item in items] * 2
    latencies, recalls = [], []
    for query in queries:
        started = time.perf_counter()
        found = process.extract(query.text.lower(), titles, scorer=fuzz.WRatio, limit=10)
        latencies.append((time.perf_counter() - started) * 1000)
        skus = list(dict.fromkeys(owners[index] for _, _, index in found))
        recalls.append(recall_at_10(skus, query.expected))
    return Figures(latencies, recalls)


def verdict(met: bool) -> str:
    """Say whether a target was met."""
    return "met" if met else "MISSED"


def main(products: int, count: int, baseline_every: int) -> bool:
    """Run the benchmark and print its figures; return whether every target was met."""
    rows = list(synthetic.products(count=products, seed=SEED))
    queries = synthetic.queries(rows, count=count, seed=SEED)
    del rows
    gc.collect()
    index, items, build_seconds = build(products)
    gc.collect()
    rss = resident_mb()
    ours = measure_search(index, queries)
    sample = queries[::baseline_every]
    ours_on_sample = Figures(ours.latencies[::baseline_every], ours.recalls[::baseline_every])
    naive = measure_baseline(items, sample)
    speedup = naive.p95 / ours_on_sample.p95

    checks = [
        build_seconds <= TARGET_BUILD_SECONDS,
        ours.p95 <= TARGET_P95_MS,
        rss <= TARGET_RSS_MB,
        speedup >= TARGET_SPEEDUP and ours_on_sample.recall >= naive.recall,
    ]
    typos = sum(query.typo for query in queries)
    print(f"catalog: {products:,} products; {count:,} queries (de and en, {typos} with a typo)")
    print(
        f"index build: {build_seconds:.2f} s (target <= {TARGET_BUILD_SECONDS:.0f} s): {verdict(checks[0])}"
    )
    print(
        f"parse + search: p50 {ours.p50:.2f} ms, p95 {ours.p95:.2f} ms "
        f"(target p95 <= {TARGET_P95_MS:.0f} ms): {verdict(checks[1])}"
    )
    print(
        f"memory (RSS): {rss:.0f} MB after the build (target <= {TARGET_RSS_MB:.0f} MB): {verdict(checks[2])}"
    )
    print(f"recall@10: {ours.recall:.3f} over all {count:,} queries")
    print(
        f"baseline (WRatio over {2 * len(items):,} titles, {len(sample)} queries): "
        f"p50 {naive.p50:.1f} ms, p95 {naive.p95:.1f} ms, recall@10 {naive.recall:.3f}"
    )
    print(
        f"search on those: p95 {ours_on_sample.p95:.2f} ms, recall@10 {ours_on_sample.recall:.3f}; "
        f"{speedup:.0f}x faster (target >= {TARGET_SPEEDUP:.0f}x, recall as good): {verdict(checks[3])}"
    )
    met = all(checks)
    print("targets met" if met else "TARGETS MISSED")
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--baseline-every", type=int, default=5)
    arguments = parser.parse_args()
    raise SystemExit(0 if main(arguments.products, arguments.queries, arguments.baseline_every) else 1)
