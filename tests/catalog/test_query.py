"""Understanding shopping requests: German and English, typos, plurals, umlauts, compounds and prices."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from catalog import demo, query
from catalog.query import Lexicon, Query, parse
from catalog.vocabulary import BRANDS, CATEGORIES
from core.clock import Clock
from core.db import Session

LEXICON = Lexicon.default()

# Each request with the fields it should set; every field not named must stay empty.
CASES: list[tuple[str, dict[str, Any]]] = [
    # Prices, German and English, currency words and symbols before or after the amount
    ("rote Sneaker unter 80 €", {"category": "sneakers", "colors": ("red",), "max_price": "80"}),
    ("Winterjacke Größe M bis 150 Euro", {"category": "winter-jackets", "size": "M", "max_price": "150"}),
    ("zwischen 50 und 100 €", {"min_price": "50", "max_price": "100"}),
    ("Kleid zwischen 50 und 100 Euro", {"category": "dresses", "min_price": "50", "max_price": "100"}),
    ("max 80", {"max_price": "80"}),
    ("Tasche max. 80€", {"category": "bags", "max_price": "80"}),
    ("ab 30 Euro", {"min_price": "30"}),
    ("Schal ab 30 Euro", {"category": "scarves", "min_price": "30"}),
    ("unter 80,50 €", {"max_price": "80.50"}),
    ("under $80", {"max_price": "80"}),
    ("sneakers below €60", {"category": "sneakers", "max_price": "60"}),
    ("jeans up to 90 eur", {"category": "jeans", "max_price": "90"}),
    ("Mantel von 100 bis 200 Euro", {"category": "jackets-coats", "min_price": "100", "max_price": "200"}),
    ("between $50 and $120 boots", {"category": "boots", "min_price": "50", "max_price": "120"}),
    ("Hemd 30-50 €", {"category": "shirts", "min_price": "30", "max_price": "50"}),
    ("Pullover über 100 €", {"category": "knitwear", "min_price": "100"}),
    ("dress over 100", {"category": "dresses", "min_price": "100"}),
    ("lamp at least 40 euros", {"category": "lamps", "min_price": "40"}),
    ("Vase weniger als 25 €", {"category": "vases", "max_price": "25"}),
    ("Bluse bis zu 60 €", {"category": "blouses", "max_price": "60"}),
    ("Kissen für 20 €", {"category": "cushions", "max_price": "20"}),
    ("Anzug unter 1.000 €", {"category": "suits", "max_price": "1000"}),
    ("bag less than 49.90", {"category": "bags", "max_price": "49.90"}),
    ("gürtel höchstens 40 euro", {"category": "belts", "max_price": "40"}),
    ("T-Shirt mindestens 20 Euro", {"category": "t-shirts", "min_price": "20"}),
    ("Teller 80,- €", {"category": "plates", "max_price": "80"}),
    # Sizes after a marker, and unmistakable ones anywhere
    ("Gr. 42", {"size": "42"}),
    ("in XL", {"size": "XL"}),
    ("Sneaker Größe 42", {"category": "sneakers", "size": "42"}),
    ("sneakers size 42 from Sohlenfuchs", {"category": "sneakers", "size": "42", "brand": "Sohlenfuchs"}),
    ("T-Shirt M", {"category": "t-shirts", "size": "M"}),
    ("Hemd in L", {"category": "shirts", "size": "L"}),
    ("t-shirt in m", {"category": "t-shirts", "size": "M"}),
    ("jeans w32", {"category": "jeans", "size": "W32"}),
    ("Jeans W32/L34", {"category": "jeans", "size": "W32"}),
    ("Pulli 2XL", {"category": "knitwear", "size": "XXL"}),
    ("Kissen 40x40", {"category": "cushions", "size": "40x40"}),
    ("Damen Stiefel Gr 38", {"category": "boots", "gender": "women", "size": "38"}),
    ("Sneaker 43", {"category": "sneakers", "size": "43"}),
    ("Groesse s Bluse", {"category": "blouses", "size": "S"}),
    ("size xs dress", {"category": "dresses", "size": "XS"}),
    ("Schuhgröße 41 Stiefel", {"category": "boots", "size": "41"}),
    ("Mütze one size", {"category": "hats", "size": "one size"}),
    # Colours and their German endings
    ("rote Sneaker", {"category": "sneakers", "colors": ("red",)}),
    ("die roten Kleider", {"category": "dresses", "colors": ("red",)}),
    ("rotes Kleid", {"category": "dresses", "colors": ("red",)}),
    ("roter Pullover", {"category": "knitwear", "colors": ("red",)}),
    ("weiße Bluse", {"category": "blouses", "colors": ("white",)}),
    ("weisse Bluse", {"category": "blouses", "colors": ("white",)}),
    ("Hemd weiss", {"category": "shirts", "colors": ("white",)}),
    ("schwarzer Mantel", {"category": "jackets-coats", "colors": ("black",)}),
    ("marineblaue Hose", {"category": "trousers", "colors": ("navy",)}),
    ("dunkelblaue Jeans", {"category": "jeans", "colors": ("navy",)}),
    ("grey sweater", {"category": "knitwear", "colors": ("grey",)}),
    ("gray sweater", {"category": "knitwear", "colors": ("grey",)}),
    ("navy blue blazer", {"category": "blazers", "colors": ("navy",)}),
    ("olivgrüne Regenjacke", {"category": "rain-jackets", "colors": ("olive",)}),
    ("bordeauxroter Schal", {"category": "scarves", "colors": ("burgundy",)}),
    ("camelfarbener Mantel", {"category": "jackets-coats", "colors": ("camel",)}),
    ("cremeweiße Decke", {"category": "blankets", "colors": ("cream",)}),
    ("schwarz-weiße Sneaker", {"category": "sneakers", "colors": ("black", "white")}),
    ("rosa Kleid", {"category": "dresses", "colors": ("pink",)}),
    ("beige Hose", {"category": "trousers", "colors": ("beige",)}),
    ("pinke Tasse", {"category": "mugs", "colors": ("pink",)}),
    ("khaki trousers", {"category": "trousers", "colors": ("olive",)}),
    ("off-white cushion", {"category": "cushions", "colors": ("cream",)}),
    # Plurals
    ("Sneakers", {"category": "sneakers"}),
    ("Jacken", {"category": "jackets-coats"}),
    ("dresses", {"category": "dresses"}),
    ("Röcke", {"category": "skirts"}),
    ("scarves", {"category": "scarves"}),
    ("Hemden", {"category": "shirts"}),
    ("Tassen", {"category": "mugs"}),
    ("mugs", {"category": "mugs"}),
    ("boots", {"category": "boots"}),
    ("Mäntel", {"category": "jackets-coats"}),
    # Umlauts typed as ae, oe, ue and ss
    ("Groesse M Muetze weiss", {"category": "hats", "size": "M", "colors": ("white",)}),
    ("Roecke", {"category": "skirts"}),
    ("Guertel", {"category": "belts"}),
    ("Muetzen", {"category": "hats"}),
    ("Bettwaesche weiss", {"category": "bedding", "colors": ("white",)}),
    ("gruene Sneaker", {"category": "sneakers", "colors": ("green",)}),
    ("Maentel", {"category": "jackets-coats"}),
    # Typos
    ("snaeker", {"category": "sneakers"}),
    ("sneeker", {"category": "sneakers"}),
    ("Lederjake", {"category": "leather-jackets", "materials": ("leather",)}),
    ("Pullvoer", {"category": "knitwear"}),
    ("Tshirt", {"category": "t-shirts"}),
    ("schwatze Stiefel", {"category": "boots", "colors": ("black",)}),
    ("rtoe Kleider", {"category": "dresses", "colors": ("red",)}),
    ("dresess", {"category": "dresses"}),
    ("Sohlenfuhcs sneakers", {"category": "sneakers", "brand": "Sohlenfuchs"}),
    ("blaue jaens", {"category": "jeans", "colors": ("blue",)}),
    ("wintr jacket", {"category": "winter-jackets"}),
    ("lether bag", {"category": "bags", "materials": ("leather",)}),
    ("Mutze", {"category": "hats"}),
    ("Grtel", {"category": "belts"}),
    ("gry jeans", {"category": "jeans", "colors": ("grey",)}),
    ("greey scarf", {"category": "scarves", "colors": ("grey",)}),
    ("beie Kerzen", {"category": "candles", "colors": ("beige",)}),
    ("t-shirts udner 30", {"category": "t-shirts", "max_price": "30"}),
    ("sweater szie m", {"category": "knitwear", "size": "M"}),
    # Short words are exact or nothing: no wild corrections
    ("Hut", {"category": "hats"}),
    ("Rock", {"category": "skirts"}),
    ("red cap", {"category": "hats", "colors": ("red",)}),
    ("Box", {"keywords": ("box",)}),
    ("Set", {"keywords": ("set",)}),
    # German compounds of a material, colour, season, occasion or gender and a category
    ("Lederjacke", {"category": "leather-jackets", "materials": ("leather",)}),
    ("leather jacket", {"category": "leather-jackets", "materials": ("leather",)}),
    ("Wollpullover", {"category": "knitwear", "materials": ("wool",)}),
    ("Winterjacke", {"category": "winter-jackets"}),
    ("Sommerkleid", {"category": "dresses", "keywords": ("summer",)}),
    ("Seidenschal", {"category": "scarves", "materials": ("silk",)}),
    ("Leinenhemd", {"category": "shirts", "materials": ("linen",)}),
    ("Damenschuhe", {"category": "shoes", "gender": "women"}),
    ("Herrenhemd", {"category": "shirts", "gender": "men"}),
    ("Hochzeitskleid", {"category": "dresses", "occasion": "wedding"}),
    ("Jeansjacke", {"category": "jackets-coats", "materials": ("denim",)}),
    ("Glasvase", {"category": "vases", "materials": ("glass",)}),
    ("Kaschmirschal", {"category": "scarves", "materials": ("cashmere",)}),
    ("Winterstiefel", {"category": "boots", "keywords": ("winter",)}),
    ("Samtkissen", {"category": "cushions", "materials": ("velvet",)}),
    ("Wildlederstiefel", {"category": "boots", "materials": ("suede",)}),
    ("Damenlederjacke", {"category": "leather-jackets", "gender": "women", "materials": ("leather",)}),
    ("Rotwein", {"keywords": ("rotwein",)}),
    # Brands, as the catalog spells them
    ("Sohlenfuchs Sneaker", {"category": "sneakers", "brand": "Sohlenfuchs"}),
    ("Jacke von Fjordlicht", {"category": "jackets-coats", "brand": "Fjordlicht"}),
    ("mugs by Scherbenglück", {"category": "mugs", "brand": "Scherbenglück"}),
    ("scherbenglueck teller", {"category": "plates", "brand": "Scherbenglück"}),
    ("Nadelstreif suit", {"category": "suits", "brand": "Nadelstreif"}),
    # Occasions, styles, materials, gender
    ("black dress for a wedding", {"category": "dresses", "colors": ("black",), "occasion": "wedding"}),
    ("Kleid für eine Hochzeit", {"category": "dresses", "occasion": "wedding"}),
    ("elegantes Kleid", {"category": "dresses", "styles": ("elegant",)}),
    ("sportliche Sneaker", {"category": "sneakers", "styles": ("sporty",)}),
    ("klassischer Mantel", {"category": "jackets-coats", "styles": ("classic",)}),
    ("casual shirt for the office", {"category": "shirts", "styles": ("casual",), "occasion": "office"}),
    ("Wanderschuhe", {"category": "shoes", "occasion": "hiking"}),
    ("warme Jacke", {"category": "jackets-coats", "keywords": ("warm",)}),
    ("leichte Sommerjacke", {"category": "jackets-coats", "keywords": ("lightweight", "summer")}),
    ("gestreiftes T-Shirt", {"category": "t-shirts", "keywords": ("striped",)}),
    ("Bluse aus Seide", {"category": "blouses", "materials": ("silk",)}),
    ("cotton t-shirt", {"category": "t-shirts", "materials": ("cotton",)}),
    ("Sneaker ohne Leder", {"category": "sneakers"}),
    ("Herren Sneaker", {"category": "sneakers", "gender": "men"}),
    ("women's t-shirts", {"category": "t-shirts", "gender": "women"}),
    ("Sneaker für Damen", {"category": "sneakers", "gender": "women"}),
    ("mens jeans", {"category": "jeans", "gender": "men"}),
    ("Damen", {"gender": "women"}),
    ("Turnschuhe", {"category": "sneakers"}),
    ("trainers", {"category": "sneakers"}),
    ("Schuhe Sneaker", {"category": "sneakers"}),
    ("Sneaker und Kleid", {"category": "sneakers", "keywords": ("kleid",)}),
    ("Oxford Hemd", {"category": "shirts", "keywords": ("oxford",)}),
    ("Geschenk für Oma", {"keywords": ("geschenk", "oma")}),
    ("", {}),
    # What the shopper wants: products, an outfit, or what goes with something
    ("Outfit fürs Büro bis 150 Euro", {"intent": "outfit", "occasion": "office", "max_price": "150"}),
    ("Style me for a wedding, 200 €", {"intent": "outfit", "occasion": "wedding", "max_price": "200"}),
    ("budget 200 wedding outfit", {"intent": "outfit", "occasion": "wedding", "max_price": "200"}),
    ("Was soll ich zur Party anziehen?", {"intent": "outfit", "occasion": "party"}),
    ("what should I wear to a date", {"intent": "outfit", "occasion": "date"}),
    ("was passt zu meiner blauen Jeans?", {"intent": "pairing", "category": "jeans", "colors": ("blue",)}),
    ("what goes with my black boots", {"intent": "pairing", "category": "boots", "colors": ("black",)}),
    (
        "Welche Schuhe passen zu einem Anzug?",
        {"intent": "pairing", "category": "shoes", "keywords": ("anzug",)},
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text or "empty" for text, _ in CASES])
def test_requests_become_filters(text: str, expected: dict[str, Any]) -> None:
    parsed = parse(text, lexicon=LEXICON)

    wanted = Query(text=text)
    for name, value in expected.items():
        if name in ("min_price", "max_price"):
            value = Decimal(value)
        wanted = _replace(wanted, name, value)
    assert parsed == wanted


def _replace(query: Query, name: str, value: object) -> Query:
    fields = {field: getattr(query, field) for field in Query.__dataclass_fields__}
    fields[name] = value
    return Query(**fields)


def test_the_table_covers_a_hundred_requests_in_both_languages() -> None:
    assert len(CASES) >= 100
    assert any("ü" in text or "ö" in text for text, _ in CASES)
    assert {"outfit", "pairing"} <= {expected.get("intent") for _, expected in CASES}


def test_filters_print_as_the_search_command_shows_them() -> None:
    parsed = parse(
        "rote Sneaker Gr. 42 zwischen 50 und 80,50 € von Sohlenfuchs für die Party", lexicon=LEXICON
    )

    assert parsed.filters_json() == {
        "category": "sneakers",
        "colors": ["red"],
        "size": "42",
        "min_price": "50.00",
        "max_price": "80.50",
        "brand": "Sohlenfuchs",
        "occasion": "party",
    }


def test_the_locale_settles_a_typo_as_near_to_a_german_word_as_to_an_english_one() -> None:
    # "deckr" is one letter away from "Decke" (a blanket) and from "decor".
    assert parse("deckr", lexicon=LEXICON, locale="de").category == "blankets"
    assert parse("deckr", lexicon=LEXICON, locale="en").category == "home"


def test_slugs_lose_the_departments_gender() -> None:
    assert query.category_keys(("women", "women-shoes", "women-sneakers")) == ("women", "shoes", "sneakers")
    assert query.category_keys(("accessories", "bags")) == ("accessories", "bags")
    assert {category.slug for category in CATEGORIES if category.parent is None} >= {"women", "men"}


def test_stems_join_the_forms_of_a_word() -> None:
    assert query.stem("sneakers") == query.stem("sneaker")
    assert query.stem("jacken") == query.stem("jacke")
    assert query.stem("dresses") == query.stem("dress")
    assert query.stem("kleider") == query.stem("kleid")


async def test_the_lexicon_of_the_database_knows_its_brands_and_categories(
    session: Session, media_dir: Path, clock: Clock
) -> None:
    await demo.load(session, media_dir=media_dir, now=clock.now())

    words = await query.lexicon(session)

    for brand in BRANDS:
        assert parse(f"Sneaker von {brand.name}", lexicon=words).brand == brand.name
    assert parse("Lederjacke Gr. S", lexicon=words) == parse("Lederjacke Gr. S", lexicon=LEXICON)
    assert "W32" in words.sizes and "40x40" in words.sizes
