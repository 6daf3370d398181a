"""The words the demo and the synthetic catalogs are made of, and how they combine into products.

Titles follow German grammar: an adjective before a noun without an article takes the strong ending of
the noun's gender ("Roter Mantel", "Rote Lederjacke", "Rotes Kleid", "Rote Sneaker"), a material
prefix forms a compound noun that keeps the head's gender ("Leder" + "Jacke" = "Lederjacke").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Gender = Literal["m", "f", "n", "pl"]
Case = Literal["nom", "dat"]

# Strong endings: an adjective with no article in front of the noun.
_STRONG_ENDINGS: dict[Case, dict[Gender, str]] = {
    "nom": {"m": "er", "f": "e", "n": "es", "pl": "e"},
    "dat": {"m": "em", "f": "er", "n": "em", "pl": "en"},
}


@dataclass(frozen=True, slots=True)
class Adjective:
    """An adjective: its German stem (declined by gender and case) and its English form."""

    de: str
    en: str
    declinable: bool = True
    styles: tuple[str, ...] = ()

    def german(self, gender: Gender, case: Case = "nom") -> str:
        """Return the strong form for a noun of ``gender`` in ``case`` ("rot" → "rotes" for a neuter)."""
        return self.de + _STRONG_ENDINGS[case][gender] if self.declinable else self.de


@dataclass(frozen=True, slots=True)
class Colour:
    """A colour: its lowercase English name (stored on variants), its German adjective, its RGB."""

    name: str
    adjective: Adjective
    rgb: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Material:
    """A material: German noun and gender, the prefix of compound nouns, English name, a quality."""

    key: str
    de: str
    gender: Gender
    prefix: str | None
    en: str
    quality: Adjective
    season: str | None = None

    def made_of(self) -> tuple[str, str]:
        """Return "aus weichem Leder" / "made of soft leather"."""
        return (
            f"aus {self.quality.german(self.gender, 'dat')} {self.de}",
            f"made of {self.quality.en} {self.en}",
        )


@dataclass(frozen=True, slots=True)
class Noun:
    """A product noun; ``compounds`` when a material prefix may join it ("Woll" + "Mantel")."""

    de: str
    gender: Gender
    en: str
    compounds: bool = False
    fit: str | None = None
    shape: str | None = None
    materials: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Term:
    """The word shoppers use for a kind of product, singular and plural in both languages."""

    de: str
    de_plural: str
    gender: Gender
    en: str
    en_plural: str


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of product and everything needed to invent one: nouns, materials, colours, prices."""

    key: str
    term: Term
    nouns: tuple[Noun, ...]
    shape: str
    price: tuple[int, int]
    materials: tuple[str, ...]
    adjectives: tuple[str, ...]
    styles: tuple[str, ...]
    occasions: tuple[str, ...]
    colours: tuple[str, ...]
    detail: tuple[str, str]
    season: str = "all"
    max_colours: int = 2
    fits: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CategoryNode:
    """A node of the category tree; leaves name the kind of their products, gender and size scheme."""

    slug: str
    name_de: str
    name_en: str
    parent: str | None = None
    kind: str | None = None
    gender: str | None = None
    sizes: str = "one"


@dataclass(frozen=True, slots=True)
class Brand:
    """An invented brand and the kinds of products it makes."""

    name: str
    slug: str
    kinds: tuple[str, ...]


def _colour(name: str, de: str, rgb: tuple[int, int, int], *, declinable: bool = True) -> Colour:
    return Colour(name, Adjective(de, name, declinable), rgb)


COLOURS: dict[str, Colour] = {
    colour.name: colour
    for colour in (
        _colour("black", "schwarz", (38, 38, 42)),
        _colour("white", "weiß", (246, 245, 240)),
        _colour("grey", "grau", (142, 145, 150)),
        _colour("navy", "marineblau", (36, 50, 82)),
        _colour("blue", "blau", (58, 110, 178)),
        _colour("red", "rot", (196, 48, 52)),
        # "rosa" and "beige" take no endings in standard German: "ein rosa Kleid".
        _colour("pink", "rosa", (236, 150, 176), declinable=False),
        _colour("beige", "beige", (218, 200, 170), declinable=False),
        _colour("brown", "braun", (118, 80, 54)),
        _colour("green", "grün", (52, 122, 82)),
        _colour("olive", "olivgrün", (112, 116, 60)),
        _colour("burgundy", "bordeauxrot", (120, 30, 50)),
        _colour("camel", "camelfarben", (196, 152, 100)),
        _colour("yellow", "gelb", (238, 196, 64)),
        _colour("cream", "cremeweiß", (241, 233, 214)),
    )
}

STYLES = ("casual", "business", "festive", "sporty", "elegant", "outdoor", "cosy", "classic", "minimalist")

# Occasion → how a description names it: "Ideal für den Alltag und das Büro."
OCCASIONS: dict[str, tuple[str, str]] = {
    "wedding": ("Hochzeiten", "weddings"),
    "office": ("das Büro", "the office"),
    "party": ("Partys", "parties"),
    "everyday": ("den Alltag", "everyday wear"),
    "sport": ("den Sport", "sport"),
    "hiking": ("Wanderungen", "hiking"),
    "date": ("ein Date", "a date"),
    "travel": ("Reisen", "travel"),
    "home": ("gemütliche Stunden zu Hause", "cosy hours at home"),
    "dinner": ("ein festliches Abendessen", "a festive dinner"),
}

SEASON_SENTENCES: dict[str, tuple[str, str]] = {
    "winter": ("Hält auch an kalten Tagen warm.", "Keeps you warm on cold days."),
    "summer": ("Angenehm leicht an warmen Tagen.", "Pleasantly light on warm days."),
}

FIT_WORDS: dict[str, tuple[str, str]] = {
    "slim": ("Schmale Passform.", "Slim fit."),
    "regular": ("Gerade Passform.", "Regular fit."),
    "relaxed": ("Lockere Passform.", "Relaxed fit."),
    "oversized": ("Weite Oversize-Passform.", "Oversized fit."),
}

ADJECTIVES: dict[str, Adjective] = {
    adjective.de: adjective
    for adjective in (
        Adjective("klassisch", "classic", styles=("classic",)),
        Adjective("lässig", "relaxed", styles=("casual",)),
        Adjective("leicht", "lightweight"),
        Adjective("warm", "warm", styles=("cosy",)),
        Adjective("elegant", "elegant", styles=("elegant",)),
        Adjective("sportlich", "sporty", styles=("sporty",)),
        Adjective("weich", "soft", styles=("cosy",)),
        Adjective("zeitlos", "timeless", styles=("classic",)),
        Adjective("schlicht", "simple", styles=("minimalist",)),
        Adjective("gemütlich", "cosy", styles=("cosy",)),
        Adjective("kuschelig", "snug", styles=("cosy",)),
        Adjective("wasserdicht", "waterproof", styles=("outdoor",)),
        Adjective("gefüttert", "lined"),
        Adjective("festlich", "festive", styles=("festive",)),
        Adjective("robust", "rugged", styles=("outdoor",)),
        Adjective("modern", "modern"),
        Adjective("handgemacht", "handmade"),
        Adjective("gestreift", "striped", styles=("casual",)),
        Adjective("bequem", "comfortable", styles=("casual",)),
        Adjective("luftig", "airy"),
    )
}


def _material(
    key: str,
    de: str,
    gender: Gender,
    prefix: str | None,
    en: str,
    quality: tuple[str, str],
    season: str | None = None,
) -> Material:
    return Material(key, de, gender, prefix, en, Adjective(*quality), season)


MATERIALS: dict[str, Material] = {
    material.key: material
    for material in (
        _material("cotton", "Baumwolle", "f", "Baumwoll", "cotton", ("rein", "pure")),
        _material("linen", "Leinen", "n", "Leinen", "linen", ("luftig", "airy"), "summer"),
        _material("wool", "Wolle", "f", "Woll", "wool", ("warm", "warm"), "winter"),
        _material("merino", "Merinowolle", "f", "Merino", "merino wool", ("fein", "fine"), "winter"),
        _material("cashmere", "Kaschmir", "m", "Kaschmir", "cashmere", ("weich", "soft"), "winter"),
        _material("silk", "Seide", "f", "Seiden", "silk", ("glänzend", "lustrous")),
        _material("viscose", "Viskose", "f", "Viskose", "viscose", ("fließend", "flowing")),
        _material("denim", "Denim", "m", None, "denim", ("robust", "sturdy")),
        _material("leather", "Leder", "n", "Leder", "leather", ("weich", "soft")),
        _material("suede", "Wildleder", "n", "Wildleder", "suede", ("weich", "soft")),
        _material("polyester", "Polyester", "n", None, "polyester", ("recycelt", "recycled")),
        _material("corduroy", "Cord", "m", "Cord", "corduroy", ("fein", "fine"), "winter"),
        _material("canvas", "Canvas", "n", "Canvas-", "canvas", ("robust", "sturdy")),
        _material("velvet", "Samt", "m", "Samt", "velvet", ("weich", "soft")),
        _material("satin", "Satin", "m", "Satin", "satin", ("glänzend", "lustrous")),
        _material("ceramic", "Keramik", "f", "Keramik", "ceramic", ("glasiert", "glazed")),
        _material("stoneware", "Steingut", "n", "Steingut", "stoneware", ("robust", "sturdy")),
        _material("porcelain", "Porzellan", "n", "Porzellan", "porcelain", ("fein", "fine")),
        _material("glass", "Glas", "n", "Glas", "glass", ("mundgeblasen", "hand-blown")),
        _material("brass", "Messing", "n", "Messing", "brass", ("gebürstet", "brushed")),
        _material("soy-wax", "Sojawachs", "n", "Sojawachs", "soy wax", ("natürlich", "natural")),
        _material("beeswax", "Bienenwachs", "n", "Bienenwachs", "beeswax", ("natürlich", "natural")),
    )
}

SIZES: dict[str, tuple[str, ...]] = {
    "one": ("one size",),
    "letters-women": ("XS", "S", "M", "L", "XL"),
    "letters-men": ("S", "M", "L", "XL", "XXL"),
    "de-women": ("34", "36", "38", "40", "42", "44"),
    "de-men": ("46", "48", "50", "52", "54", "56"),
    "jeans-women": ("W26", "W28", "W30", "W32", "W34"),
    "jeans-men": ("W30", "W32", "W34", "W36", "W38"),
    "shoes-women": ("36", "37", "38", "39", "40", "41"),
    "shoes-men": ("40", "41", "42", "43", "44", "45", "46"),
    "belts": ("85", "90", "95", "100", "105"),
    "cushions": ("40x40", "50x50"),
    "blankets": ("130x170", "150x200"),
    "bedding": ("135x200", "155x220"),
}

_FASHION_COLOURS = ("black", "white", "grey", "navy", "blue", "red", "green", "beige")
_HOME_COLOURS = ("cream", "white", "grey", "beige", "green", "olive", "navy", "pink", "yellow", "blue")

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "tshirt",
            Term("T-Shirt", "T-Shirts", "n", "T-shirt", "T-shirts"),
            (Noun("T-Shirt", "n", "T-shirt", compounds=True), Noun("Poloshirt", "n", "polo shirt")),
            "tshirt",
            (15, 45),
            ("cotton", "linen"),
            ("klassisch", "lässig", "leicht", "schlicht", "gestreift", "sportlich"),
            ("casual", "sporty", "minimalist"),
            ("everyday", "sport", "travel"),
            (*_FASHION_COLOURS, "pink", "yellow"),
            ("Mit Rundhalsausschnitt und gerader Passform.", "Crew neck and a straight cut."),
            max_colours=4,
            fits=("regular", "slim", "oversized"),
        ),
        Kind(
            "shirt",
            Term("Hemd", "Hemden", "n", "shirt", "shirts"),
            (
                Noun("Hemd", "n", "shirt", compounds=True),
                Noun("Oxfordhemd", "n", "Oxford shirt", materials=("cotton",)),
                Noun("Businesshemd", "n", "business shirt", materials=("cotton",)),
            ),
            "shirt",
            (30, 90),
            ("cotton", "linen"),
            ("klassisch", "schlicht", "leicht", "elegant", "modern"),
            ("business", "classic", "casual"),
            ("office", "wedding", "date", "everyday"),
            ("white", "blue", "navy", "pink", "grey", "black"),
            ("Mit Kentkragen und durchgehender Knopfleiste.", "Kent collar and a full button placket."),
            max_colours=3,
            fits=("slim", "regular"),
        ),
        Kind(
            "blouse",
            Term("Bluse", "Blusen", "f", "blouse", "blouses"),
            (
                Noun("Bluse", "f", "blouse", compounds=True),
                Noun("Hemdbluse", "f", "shirt blouse"),
                Noun("Schluppenbluse", "f", "tie-neck blouse"),
            ),
            "blouse",
            (30, 90),
            ("cotton", "silk", "viscose", "linen"),
            ("elegant", "leicht", "luftig", "klassisch", "schlicht"),
            ("elegant", "business", "casual"),
            ("office", "date", "everyday", "party"),
            ("white", "cream", "pink", "navy", "black", "green", "red", "blue"),
            ("Fällt weich und lässt sich gut kombinieren.", "Drapes softly and is easy to combine."),
        ),
        Kind(
            "knitwear",
            Term("Pullover", "Pullover", "m", "sweater", "sweaters"),
            (
                Noun("Pullover", "m", "sweater", compounds=True),
                Noun("Strickpullover", "m", "knit sweater"),
                Noun("Rollkragenpullover", "m", "turtleneck sweater"),
                Noun("Cardigan", "m", "cardigan"),
            ),
            "sweater",
            (40, 150),
            ("wool", "merino", "cashmere", "cotton"),
            ("warm", "weich", "klassisch", "gemütlich", "kuschelig", "zeitlos"),
            ("cosy", "casual", "classic"),
            ("everyday", "office", "travel", "date"),
            ("grey", "beige", "navy", "cream", "burgundy", "green", "camel", "black"),
            ("Fein gestrickt, mit Rippbündchen.", "Finely knitted, with ribbed cuffs."),
            season="winter",
            fits=("regular", "relaxed", "oversized"),
        ),
        Kind(
            "jeans",
            Term("Jeans", "Jeans", "f", "jeans", "jeans"),
            (
                Noun("Slim-Fit-Jeans", "f", "slim-fit jeans", fit="slim"),
                Noun("Straight-Fit-Jeans", "f", "straight-fit jeans", fit="regular"),
                Noun("Relaxed-Fit-Jeans", "f", "relaxed-fit jeans", fit="relaxed"),
            ),
            "jeans",
            (50, 130),
            ("denim",),
            ("klassisch", "modern", "robust", "bequem"),
            ("casual",),
            ("everyday", "date", "travel"),
            ("blue", "navy", "black", "grey"),
            (
                "Fünf Taschen, mit etwas Stretch für Bewegungsfreiheit.",
                "Five pockets, with a little stretch.",
            ),
        ),
        Kind(
            "trousers",
            Term("Hose", "Hosen", "f", "trousers", "trousers"),
            (
                Noun("Hose", "f", "trousers", compounds=True),
                Noun("Chino", "f", "chinos", materials=("cotton",)),
                Noun("Bundfaltenhose", "f", "pleated trousers"),
                Noun("Stoffhose", "f", "tailored trousers"),
            ),
            "trousers",
            (40, 120),
            ("cotton", "linen", "corduroy", "wool"),
            ("klassisch", "lässig", "leicht", "elegant", "bequem"),
            ("business", "casual", "classic", "elegant"),
            ("office", "everyday", "wedding", "travel"),
            ("beige", "navy", "black", "grey", "olive", "brown", "camel"),
            ("Mit Bügelfalte und Seitentaschen.", "With a pressed crease and side pockets."),
            fits=("slim", "regular", "relaxed"),
        ),
        Kind(
            "dress",
            Term("Kleid", "Kleider", "n", "dress", "dresses"),
            (
                Noun("Kleid", "n", "dress", compounds=True),
                Noun("Etuikleid", "n", "sheath dress"),
                Noun("Wickelkleid", "n", "wrap dress"),
                Noun("Maxikleid", "n", "maxi dress"),
                Noun("Cocktailkleid", "n", "cocktail dress"),
                Noun("Blusenkleid", "n", "shirt dress"),
            ),
            "dress",
            (45, 180),
            ("viscose", "cotton", "silk", "linen"),
            ("elegant", "festlich", "leicht", "luftig", "klassisch", "schlicht"),
            ("elegant", "festive", "casual"),
            ("wedding", "party", "date", "office", "everyday", "dinner"),
            ("black", "red", "navy", "green", "pink", "burgundy", "beige", "blue", "yellow"),
            ("Tailliert geschnitten, mit verdecktem Reißverschluss.", "Fitted waist and a concealed zip."),
        ),
        Kind(
            "skirt",
            Term("Rock", "Röcke", "m", "skirt", "skirts"),
            (
                Noun("Rock", "m", "skirt", compounds=True),
                Noun("Midirock", "m", "midi skirt"),
                Noun("Plisseerock", "m", "pleated skirt"),
                Noun("Bleistiftrock", "m", "pencil skirt"),
            ),
            "skirt",
            (30, 100),
            ("viscose", "cotton", "wool", "leather"),
            ("elegant", "klassisch", "leicht", "schlicht"),
            ("elegant", "business", "casual"),
            ("office", "party", "date", "everyday"),
            ("black", "navy", "camel", "burgundy", "green", "beige", "pink"),
            ("Mit elastischem Bund und schöner Länge.", "Elastic waistband and a flattering length."),
        ),
        Kind(
            "winter-jacket",
            Term("Winterjacke", "Winterjacken", "f", "winter jacket", "winter jackets"),
            (
                Noun("Winterjacke", "f", "winter jacket"),
                Noun("Daunenjacke", "f", "down jacket"),
                Noun("Steppjacke", "f", "quilted jacket"),
                Noun("Parka", "m", "parka", shape="parka"),
                Noun("Mantel", "m", "coat", compounds=True, shape="coat", materials=("wool", "cashmere")),
            ),
            "puffer",
            (90, 320),
            ("polyester",),
            ("warm", "gefüttert", "klassisch", "sportlich", "leicht"),
            ("outdoor", "casual", "classic", "cosy"),
            ("everyday", "hiking", "travel"),
            ("black", "navy", "olive", "camel", "grey", "burgundy", "beige", "green"),
            ("Mit hohem Kragen und warmer Füllung.", "High collar and a warm filling."),
            season="winter",
            max_colours=1,
        ),
        Kind(
            "leather-jacket",
            Term("Lederjacke", "Lederjacken", "f", "leather jacket", "leather jackets"),
            (
                Noun("Lederjacke", "f", "leather jacket", materials=("leather",)),
                Noun("Bikerjacke", "f", "biker jacket"),
                Noun("Jacke", "f", "jacket", compounds=True),
                Noun("Blouson", "m", "bomber jacket"),
            ),
            "biker",
            (150, 450),
            ("leather", "suede"),
            ("klassisch", "lässig", "zeitlos", "modern", "robust"),
            ("casual", "classic", "elegant"),
            ("everyday", "date", "party"),
            ("black", "brown", "camel", "burgundy", "olive"),
            ("Mit Reißverschlusstaschen und gestepptem Futter.", "Zip pockets and a quilted lining."),
            max_colours=1,
        ),
        Kind(
            "rain-jacket",
            Term("Regenjacke", "Regenjacken", "f", "rain jacket", "rain jackets"),
            (
                Noun("Regenjacke", "f", "rain jacket"),
                Noun("Regenmantel", "m", "raincoat", shape="coat"),
                Noun("Windbreaker", "m", "windbreaker"),
                Noun("Funktionsjacke", "f", "outdoor jacket"),
            ),
            "raincoat",
            (60, 220),
            ("polyester",),
            ("wasserdicht", "leicht", "sportlich", "robust"),
            ("outdoor", "sporty", "casual"),
            ("hiking", "travel", "everyday", "sport"),
            ("yellow", "navy", "red", "green", "black", "olive", "blue"),
            ("Mit verstellbarer Kapuze und verschweißten Nähten.", "Adjustable hood and taped seams."),
            max_colours=1,
        ),
        Kind(
            "blazer",
            Term("Blazer", "Blazer", "m", "blazer", "blazers"),
            (Noun("Blazer", "m", "blazer", compounds=True), Noun("Sakko", "n", "jacket", compounds=True)),
            "blazer",
            (80, 260),
            ("wool", "linen", "cotton", "velvet"),
            ("klassisch", "elegant", "schlicht", "modern", "leicht", "festlich"),
            ("business", "elegant", "classic", "festive"),
            ("office", "wedding", "dinner", "date"),
            ("navy", "black", "grey", "beige", "camel", "burgundy", "green"),
            ("Mit Reverskragen und Zweiknopfverschluss.", "Notch lapels and a two-button front."),
            max_colours=1,
            fits=("slim", "regular"),
        ),
        Kind(
            "suit",
            Term("Anzug", "Anzüge", "m", "suit", "suits"),
            (
                Noun("Anzug", "m", "suit", compounds=True),
                Noun("Businessanzug", "m", "business suit"),
                Noun("Hochzeitsanzug", "m", "wedding suit"),
                Noun("Dreiteiler", "m", "three-piece suit"),
            ),
            "suit",
            (180, 450),
            ("wool", "linen"),
            ("klassisch", "elegant", "festlich", "modern", "schlicht"),
            ("business", "elegant", "festive", "classic"),
            ("wedding", "office", "dinner"),
            ("navy", "grey", "black", "beige", "blue"),
            ("Sakko und Hose aus einem Stoff, fein verarbeitet.", "Jacket and trousers cut from one cloth."),
            max_colours=1,
            fits=("slim", "regular"),
        ),
        Kind(
            "sneaker",
            Term("Sneaker", "Sneaker", "m", "sneaker", "sneakers"),
            (
                Noun("Sneaker", "m", "sneaker", compounds=True),
                Noun("Laufschuh", "m", "running shoe"),
                Noun("Retro-Sneaker", "m", "retro sneaker"),
            ),
            "sneaker",
            (50, 160),
            ("leather", "suede", "canvas"),
            ("sportlich", "lässig", "klassisch", "leicht", "bequem"),
            ("sporty", "casual"),
            ("everyday", "sport", "travel"),
            (*_FASHION_COLOURS, "pink"),
            (
                "Mit gepolsterter Innensohle und griffiger Laufsohle.",
                "Cushioned insole and a grippy outsole.",
            ),
        ),
        Kind(
            "boot",
            Term("Stiefel", "Stiefel", "m", "boot", "boots"),
            (
                Noun("Stiefel", "m", "boot", compounds=True),
                Noun("Stiefelette", "f", "ankle boot"),
                Noun("Chelsea-Boot", "m", "Chelsea boot"),
                Noun("Schnürstiefel", "m", "lace-up boot"),
            ),
            "boot",
            (80, 260),
            ("leather", "suede"),
            ("robust", "warm", "gefüttert", "klassisch", "elegant", "wasserdicht"),
            ("outdoor", "classic", "casual", "elegant"),
            ("everyday", "hiking", "travel"),
            ("black", "brown", "camel", "grey", "burgundy", "olive"),
            ("Mit rutschfester Profilsohle.", "Non-slip treaded sole."),
            season="winter",
            max_colours=1,
        ),
        Kind(
            "dress-shoe",
            Term("Anzugschuh", "Anzugschuhe", "m", "dress shoe", "dress shoes"),
            (
                Noun("Oxford-Schuh", "m", "Oxford shoe"),
                Noun("Derby-Schuh", "m", "Derby shoe"),
                Noun("Loafer", "m", "loafer"),
                Noun("Budapester", "m", "brogue"),
            ),
            "dress-shoe",
            (90, 260),
            ("leather", "suede"),
            ("klassisch", "elegant", "festlich", "zeitlos"),
            ("business", "elegant", "festive", "classic"),
            ("wedding", "office", "dinner"),
            ("black", "brown", "burgundy", "navy"),
            ("Rahmengenäht, mit Ledersohle.", "Welted, with a leather sole."),
            max_colours=1,
        ),
        Kind(
            "bag",
            Term("Tasche", "Taschen", "f", "bag", "bags"),
            (
                Noun("Tasche", "f", "bag", compounds=True),
                Noun("Umhängetasche", "f", "crossbody bag"),
                Noun("Shopper", "m", "tote bag"),
                Noun("Rucksack", "m", "backpack"),
                Noun("Clutch", "f", "clutch"),
                Noun("Weekender", "m", "weekender"),
            ),
            "bag",
            (40, 240),
            ("leather", "canvas", "suede"),
            ("klassisch", "elegant", "lässig", "robust", "schlicht", "modern"),
            ("casual", "elegant", "business", "classic"),
            ("everyday", "office", "travel", "party"),
            ("black", "brown", "camel", "beige", "navy", "burgundy", "green", "red"),
            ("Mit Innenfach mit Reißverschluss.", "With a zipped inner pocket."),
        ),
        Kind(
            "scarf",
            Term("Schal", "Schals", "m", "scarf", "scarves"),
            (
                Noun("Schal", "m", "scarf", compounds=True),
                Noun("Strickschal", "m", "knit scarf"),
                Noun("Tuch", "n", "shawl", compounds=True),
            ),
            "scarf",
            (20, 140),
            ("wool", "cashmere", "silk", "merino", "cotton"),
            ("warm", "weich", "kuschelig", "leicht", "elegant", "gestreift"),
            ("cosy", "elegant", "casual"),
            ("everyday", "travel", "dinner"),
            ("grey", "camel", "burgundy", "navy", "red", "cream", "green", "beige", "black", "pink"),
            ("Großzügig geschnitten, mit feinen Fransen.", "Generously sized, with fine fringes."),
        ),
        Kind(
            "belt",
            Term("Gürtel", "Gürtel", "m", "belt", "belts"),
            (
                Noun("Gürtel", "m", "belt", compounds=True),
                Noun("Flechtgürtel", "m", "braided belt"),
                Noun("Wendegürtel", "m", "reversible belt"),
            ),
            "belt",
            (25, 90),
            ("leather", "suede"),
            ("klassisch", "schlicht", "elegant", "robust"),
            ("classic", "business", "casual"),
            ("office", "everyday", "wedding"),
            ("black", "brown", "camel", "navy"),
            ("Mit gebürsteter Metallschnalle.", "Brushed metal buckle."),
            max_colours=1,
        ),
        Kind(
            "hat",
            Term("Mütze", "Mützen", "f", "hat", "hats"),
            (
                Noun("Mütze", "f", "beanie", compounds=True),
                Noun("Strickmütze", "f", "knit beanie"),
                Noun("Hut", "m", "hat", shape="hat", materials=("wool",)),
                Noun("Fischerhut", "m", "bucket hat", shape="hat", materials=("cotton",)),
            ),
            "beanie",
            (15, 80),
            ("wool", "cotton", "cashmere", "merino"),
            ("warm", "kuschelig", "lässig", "sportlich", "klassisch"),
            ("casual", "cosy", "sporty", "outdoor"),
            ("everyday", "hiking", "sport", "travel"),
            ("grey", "navy", "black", "camel", "burgundy", "cream", "green", "yellow", "red"),
            ("Bequem und formstabil.", "Comfortable and keeps its shape."),
        ),
        Kind(
            "cushion",
            Term("Kissen", "Kissen", "n", "cushion", "cushions"),
            (
                Noun("Kissen", "n", "cushion", compounds=True),
                Noun("Dekokissen", "n", "decorative cushion"),
                Noun("Zierkissen", "n", "throw pillow"),
            ),
            "cushion",
            (15, 60),
            ("velvet", "linen", "cotton", "wool"),
            ("weich", "gemütlich", "kuschelig", "modern", "gestreift", "schlicht"),
            ("cosy", "minimalist", "classic"),
            ("home",),
            (*_HOME_COLOURS, "burgundy", "camel"),
            ("Mit Füllung und verdecktem Reißverschluss.", "Filled, with a concealed zip."),
            max_colours=3,
        ),
        Kind(
            "blanket",
            Term("Decke", "Decken", "f", "blanket", "blankets"),
            (
                Noun("Decke", "f", "blanket", compounds=True),
                Noun("Kuscheldecke", "f", "throw"),
                Noun("Tagesdecke", "f", "bedspread"),
                Noun("Strickdecke", "f", "knitted blanket"),
            ),
            "blanket",
            (30, 180),
            ("wool", "cotton", "cashmere", "merino"),
            ("weich", "warm", "kuschelig", "gemütlich", "gestreift"),
            ("cosy",),
            ("home",),
            (*_HOME_COLOURS, "camel", "burgundy"),
            ("Groß genug für zwei auf dem Sofa.", "Large enough for two on the sofa."),
        ),
        Kind(
            "bedding",
            Term("Bettwäsche", "Bettwäsche", "f", "bedding", "bedding"),
            (Noun("Bettwäsche", "f", "bedding", compounds=True), Noun("Bettwäsche-Set", "n", "bedding set")),
            "bedding",
            (50, 180),
            ("cotton", "linen", "satin"),
            ("weich", "luftig", "gemütlich", "schlicht", "gestreift"),
            ("cosy", "minimalist"),
            ("home",),
            ("white", "cream", "grey", "beige", "navy", "green", "pink", "blue"),
            ("Bezug und Kissenbezug, mit Reißverschluss.", "Duvet cover and pillowcase, with zips."),
            max_colours=1,
        ),
        Kind(
            "lamp",
            Term("Lampe", "Lampen", "f", "lamp", "lamps"),
            (
                Noun("Tischlampe", "f", "table lamp"),
                Noun("Stehlampe", "f", "floor lamp"),
                Noun("Leuchte", "f", "lamp", compounds=True),
                Noun("Leselampe", "f", "reading lamp"),
            ),
            "lamp",
            (35, 240),
            ("brass", "ceramic", "glass"),
            ("modern", "klassisch", "schlicht", "elegant", "zeitlos"),
            ("minimalist", "classic", "elegant"),
            ("home",),
            ("black", "white", "cream", "green", "navy", "grey", "pink", "yellow"),
            ("Mit Stoffschirm und warmweißem Licht.", "Fabric shade and warm white light."),
            max_colours=1,
        ),
        Kind(
            "vase",
            Term("Vase", "Vasen", "f", "vase", "vases"),
            (
                Noun("Vase", "f", "vase", compounds=True),
                Noun("Bodenvase", "f", "floor vase"),
                Noun("Blumenvase", "f", "flower vase"),
            ),
            "vase",
            (20, 120),
            ("glass", "ceramic", "porcelain", "stoneware"),
            ("modern", "schlicht", "elegant", "handgemacht", "zeitlos"),
            ("minimalist", "elegant"),
            ("home", "wedding"),
            ("white", "cream", "blue", "green", "pink", "grey", "black", "yellow", "beige"),
            ("Jedes Stück ein Unikat.", "Every piece is unique."),
            max_colours=1,
        ),
        Kind(
            "mug",
            Term("Tasse", "Tassen", "f", "mug", "mugs"),
            (
                Noun("Tasse", "f", "mug", compounds=True),
                Noun("Kaffeebecher", "m", "coffee mug"),
                Noun("Teetasse", "f", "teacup"),
            ),
            "mug",
            (8, 30),
            ("ceramic", "porcelain", "stoneware"),
            ("handgemacht", "schlicht", "modern", "gestreift", "klassisch"),
            ("minimalist", "cosy"),
            ("home", "everyday"),
            _HOME_COLOURS,
            ("Spülmaschinenfest, fasst 350 ml.", "Dishwasher safe, holds 350 ml."),
            max_colours=3,
        ),
        Kind(
            "plate",
            Term("Teller", "Teller", "m", "plate", "plates"),
            (
                Noun("Teller", "m", "plate", compounds=True),
                Noun("Speiseteller", "m", "dinner plate"),
                Noun("Frühstücksteller", "m", "side plate"),
                Noun("Suppenteller", "m", "soup plate"),
            ),
            "plate",
            (10, 40),
            ("porcelain", "stoneware", "ceramic"),
            ("handgemacht", "klassisch", "schlicht", "modern", "elegant"),
            ("minimalist", "classic", "elegant"),
            ("home", "dinner"),
            ("white", "cream", "grey", "blue", "green", "beige", "navy"),
            ("Spülmaschinenfest und stapelbar.", "Dishwasher safe and stackable."),
            max_colours=2,
        ),
        Kind(
            "candle",
            Term("Kerze", "Kerzen", "f", "candle", "candles"),
            (
                Noun("Kerze", "f", "candle", compounds=True),
                Noun("Duftkerze", "f", "scented candle"),
                Noun("Stumpenkerze", "f", "pillar candle"),
                Noun("Stabkerze", "f", "taper candle"),
            ),
            "candle",
            (6, 35),
            ("soy-wax", "beeswax"),
            ("handgemacht", "festlich", "gemütlich", "schlicht"),
            ("cosy", "festive", "minimalist"),
            ("home", "dinner", "wedding"),
            ("cream", "white", "pink", "green", "burgundy", "beige", "yellow", "grey"),
            ("Brennt bis zu 40 Stunden.", "Burns for up to 40 hours."),
            max_colours=3,
        ),
    )
}


def _fashion(
    gender: str, de: str, en: str, letters: str, trousers: str, jeans: str, shoes: str
) -> list[CategoryNode]:
    jackets, shoe_slug, suits = f"{gender}-jackets-coats", f"{gender}-shoes", f"{gender}-suits-blazers"

    def leaf(slug: str, de: str, en: str, kind: str, sizes: str, parent: str = gender) -> CategoryNode:
        return CategoryNode(f"{gender}-{slug}", de, en, parent, kind, gender, sizes)

    if gender == "women":
        tailoring = [
            leaf("blouses", "Blusen", "Blouses", "blouse", letters),
            leaf("dresses", "Kleider", "Dresses", "dress", trousers),
            leaf("skirts", "Röcke", "Skirts", "skirt", trousers),
            leaf("blazers", "Blazer", "Blazers", "blazer", trousers),
        ]
        formal_shoes = []
    else:
        tailoring = [
            leaf("shirts", "Hemden", "Shirts", "shirt", letters),
            CategoryNode(suits, "Anzüge & Sakkos", "Suits & blazers", gender),
            leaf("suits", "Anzüge", "Suits", "suit", trousers, suits),
            leaf("blazers", "Sakkos", "Blazers", "blazer", trousers, suits),
        ]
        formal_shoes = [leaf("dress-shoes", "Anzugschuhe", "Dress shoes", "dress-shoe", shoes, shoe_slug)]
    return [
        CategoryNode(gender, de, en),
        leaf("t-shirts", "T-Shirts", "T-shirts", "tshirt", letters),
        *tailoring,
        leaf("knitwear", "Strick", "Knitwear", "knitwear", letters),
        leaf("jeans", "Jeans", "Jeans", "jeans", jeans),
        leaf("trousers", "Hosen", "Trousers", "trousers", trousers),
        CategoryNode(jackets, "Jacken & Mäntel", "Jackets & coats", gender),
        leaf("winter-jackets", "Winterjacken", "Winter jackets", "winter-jacket", letters, jackets),
        leaf("leather-jackets", "Lederjacken", "Leather jackets", "leather-jacket", letters, jackets),
        leaf("rain-jackets", "Regenjacken", "Rain jackets", "rain-jacket", letters, jackets),
        CategoryNode(shoe_slug, "Schuhe", "Shoes", gender),
        leaf("sneakers", "Sneaker", "Sneakers", "sneaker", shoes, shoe_slug),
        leaf("boots", "Stiefel", "Boots", "boot", shoes, shoe_slug),
        *formal_shoes,
    ]


def _department(
    slug: str, de: str, en: str, gender: str | None, leaves: list[tuple[str, str, str, str, str]]
) -> list[CategoryNode]:
    return [
        CategoryNode(slug, de, en),
        *(
            CategoryNode(leaf, leaf_de, leaf_en, slug, kind, gender, sizes)
            for leaf, leaf_de, leaf_en, kind, sizes in leaves
        ),
    ]


# The tree, every parent before its children.
CATEGORIES: tuple[CategoryNode, ...] = (
    *_fashion("women", "Damen", "Women", "letters-women", "de-women", "jeans-women", "shoes-women"),
    *_fashion("men", "Herren", "Men", "letters-men", "de-men", "jeans-men", "shoes-men"),
    *_department(
        "accessories",
        "Accessoires",
        "Accessories",
        "unisex",
        [
            ("bags", "Taschen", "Bags", "bag", "one"),
            ("scarves", "Schals & Tücher", "Scarves", "scarf", "one"),
            ("belts", "Gürtel", "Belts", "belt", "belts"),
            ("hats", "Mützen & Hüte", "Hats & beanies", "hat", "one"),
        ],
    ),
    *_department(
        "home",
        "Wohnen",
        "Home",
        None,
        [
            ("cushions", "Kissen", "Cushions", "cushion", "cushions"),
            ("blankets", "Decken", "Blankets", "blanket", "blankets"),
            ("bedding", "Bettwäsche", "Bedding", "bedding", "bedding"),
            ("lamps", "Lampen", "Lamps", "lamp", "one"),
            ("vases", "Vasen", "Vases", "vase", "one"),
            ("candles", "Kerzen", "Candles", "candle", "one"),
            ("mugs", "Tassen & Becher", "Mugs & cups", "mug", "one"),
            ("plates", "Teller", "Plates", "plate", "one"),
        ],
    ),
)

CATEGORY_BY_SLUG: dict[str, CategoryNode] = {category.slug: category for category in CATEGORIES}
LEAVES: tuple[CategoryNode, ...] = tuple(category for category in CATEGORIES if category.kind is not None)

# Invented names; none of them is a brand on the market.
BRANDS: tuple[Brand, ...] = (
    Brand("Fjordlicht", "fjordlicht", ("winter-jacket", "rain-jacket", "boot", "hat", "knitwear")),
    Brand("Kieselkamm", "kieselkamm", ("tshirt", "shirt", "knitwear", "trousers", "hat")),
    Brand("Elbfaser", "elbfaser", ("jeans", "tshirt", "trousers", "skirt", "leather-jacket")),
    Brand("Mohnblatt", "mohnblatt", ("dress", "blouse", "skirt", "scarf", "blazer")),
    Brand("Nadelstreif", "nadelstreif", ("suit", "blazer", "shirt", "dress-shoe", "belt")),
    Brand("Lederlinde", "lederlinde", ("leather-jacket", "bag", "belt", "boot", "dress-shoe")),
    Brand("Sohlenfuchs", "sohlenfuchs", ("sneaker", "boot", "dress-shoe")),
    Brand("Windkante", "windkante", ("sneaker", "rain-jacket", "tshirt", "hat")),
    Brand("Wolkenstich", "wolkenstich", ("cushion", "blanket", "bedding", "scarf")),
    Brand("Glutlicht", "glutlicht", ("lamp", "candle", "vase")),
    Brand("Scherbenglück", "scherbenglueck", ("mug", "plate", "vase")),
)

BRANDS_BY_KIND: dict[str, tuple[Brand, ...]] = {
    kind: tuple(brand for brand in BRANDS if kind in brand.kinds) for kind in KINDS
}


def category_path(category: CategoryNode) -> tuple[CategoryNode, ...]:
    """Return the categories from the root down to ``category``."""
    path = [category]
    while path[0].parent is not None:
        path.insert(0, CATEGORY_BY_SLUG[path[0].parent])
    return tuple(path)


def compound(prefix: str, noun: str) -> str:
    """Join a material prefix and a noun into one German noun ("Woll" + "Mantel" → "Wollmantel")."""
    if prefix.endswith("-"):
        return prefix + noun
    if "-" in noun:
        return f"{prefix}-{noun}"
    return prefix + noun.lower()


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def title(
    noun: Noun,
    *,
    material: Material | None = None,
    adjective: Adjective | None = None,
    colour: Colour | None = None,
) -> tuple[str, str]:
    """Name a product in German and English ("Klassische rote Lederjacke", "Classic Red Leather Jacket")."""
    noun_de, noun_en = noun.de, noun.en
    if material is not None and material.prefix is not None and noun.compounds:
        noun_de, noun_en = compound(material.prefix, noun.de), f"{material.en} {noun.en}"
    describing = [word for word in (adjective, colour.adjective if colour else None) if word is not None]
    german = " ".join([*(word.german(noun.gender) for word in describing), noun_de])
    english = " ".join([*(word.en for word in describing), noun_en])
    return _capitalised(german), " ".join(
        "-".join(_capitalised(part) for part in word.split("-")) for word in english.split(" ")
    )


@dataclass(frozen=True, slots=True)
class Design:
    """An invented product: what it is, how it is called, what it is made of and what it costs."""

    category: CategoryNode
    kind: Kind
    noun: Noun
    title_de: str
    title_en: str
    brand: Brand
    material: Material
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    styles: tuple[str, ...]
    occasions: tuple[str, ...]
    season: str
    fit: str | None
    price: Decimal
    compare_at_price: Decimal | None

    @property
    def shape(self) -> str:
        """Return the silhouette that pictures this product."""
        return self.noun.shape or self.kind.shape


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


_SALE_SHARE = 0.2


def _rounded_euros(euros: float) -> int:
    step = 1 if euros < 30 else 5 if euros < 200 else 10
    return max(step, round(euros / step) * step)


def design(rng: random.Random, category: CategoryNode) -> Design:
    """Invent a product of a leaf category; the same random state gives the same product."""
    if category.kind is None:
        raise ValueError(f"{category.slug} is not a leaf category")
    kind = KINDS[category.kind]
    noun = rng.choice(kind.nouns)
    material = MATERIALS[rng.choice(noun.materials or kind.materials)]
    count = 1 if kind.max_colours == 1 or rng.random() < 0.65 else rng.randint(2, kind.max_colours)
    colours = tuple(rng.sample(kind.colours, count))
    # A title without a colour gets an adjective, so no product is called just "Cardigan".
    adjective = ADJECTIVES[rng.choice(kind.adjectives)] if count > 1 or rng.random() < 0.7 else None
    title_de, title_en = title(
        noun, material=material, adjective=adjective, colour=COLOURS[colours[0]] if count == 1 else None
    )
    sizes = SIZES[category.sizes]
    if len(sizes) > 3:
        sizes = sizes[rng.randint(0, 1) : len(sizes) - rng.randint(0, 1)]
    styles = set(rng.sample(kind.styles, min(2, len(kind.styles))))
    if adjective is not None:
        styles.update(adjective.styles)
    occasions = rng.sample(kind.occasions, rng.randint(1, min(3, len(kind.occasions))))
    list_cents = _rounded_euros(rng.randint(*kind.price)) * 100 - rng.choice((1, 5))
    price_cents, compare_at_cents = list_cents, None
    if rng.random() < _SALE_SHARE:
        sale_cents = _rounded_euros(list_cents * rng.uniform(0.6, 0.85) / 100) * 100 - 5
        price_cents, compare_at_cents = min(sale_cents, list_cents - 100), list_cents
    return Design(
        category=category,
        kind=kind,
        noun=noun,
        title_de=title_de,
        title_en=title_en,
        brand=rng.choice(BRANDS_BY_KIND[kind.key]),
        material=material,
        colours=colours,
        sizes=sizes,
        styles=tuple(sorted(styles)),
        occasions=tuple(sorted(occasions)),
        season=material.season or kind.season,
        fit=noun.fit or (rng.choice(kind.fits) if kind.fits else None),
        price=_cents(price_cents),
        compare_at_price=_cents(compare_at_cents) if compare_at_cents is not None else None,
    )


# Words shoppers use beside the catalog's own, for understanding search requests. Categories are keyed by
# their slug without the department's gender prefix ("women-sneakers" and "men-sneakers" → "sneakers"),
# because shoppers name a kind of product and, separately and only sometimes, whom it is for.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "sneakers": ("Turnschuh", "Turnschuhe", "Sportschuh", "Sportschuhe", "trainers", "trainer"),
    "jackets-coats": ("Jacke", "Jacken", "jacket", "jackets", "Mantel", "Mäntel", "coat", "coats"),
    "shoes": ("Schuh", "Schuhe", "shoe", "shoes", "footwear"),
    "knitwear": ("Pulli", "Pullis", "Strickjacke", "jumper", "jumpers", "pullover", "Sweater"),
    "t-shirts": ("Tee", "tees", "Polo", "Polos"),
    "shirts": ("Oberhemd", "Oberhemden"),
    "trousers": ("pants", "slacks", "Chinos"),
    "dresses": ("Abendkleid", "Abendkleider", "gown"),
    "winter-jackets": ("Daunenmantel", "puffer jacket", "puffer", "Anorak"),
    "rain-jackets": ("Windjacke", "Windjacken", "raincoat"),
    "hats": ("Hüte", "Beanie", "Kappe", "cap", "caps"),
    "bags": ("Handtasche", "Handtaschen", "handbag", "purse", "Rucksäcke"),
    "scarves": ("Halstuch", "Tücher"),
    "cushions": ("pillow", "pillows", "Sofakissen"),
    "blankets": ("Plaid", "throws"),
    "mugs": ("Becher", "cup", "cups", "Kaffeetasse", "Kaffeetassen"),
    "bedding": ("Bettbezug", "duvet cover", "Bettzeug"),
    "blazers": ("Jackett", "Jacketts", "sport coat"),
    "boots": ("Stiefeletten",),
    "dress-shoes": ("Halbschuhe", "Businessschuhe", "Oxfords", "brogues"),
    "accessories": ("Accessoire", "accessory"),
    "home": ("Deko", "Wohnaccessoires", "decor", "homeware"),
}

# Colour words beside each colour's own German adjective and English name.
COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    "grey": ("gray", "anthrazit", "hellgrau", "dunkelgrau", "silbergrau"),
    "navy": ("marine", "dunkelblau", "navyblau", "navy blue", "dark blue"),
    "blue": ("hellblau", "light blue", "royalblau", "jeansblau"),
    "red": ("knallrot",),
    "pink": ("rose", "rosé", "altrosa", "pinkfarben"),
    "beige": ("sand", "sandfarben", "nude"),
    "brown": ("dunkelbraun", "schokobraun"),
    "green": ("hellgrün", "dunkelgrün", "grasgrün", "tannengrün"),
    "olive": ("oliv", "khaki", "olive green"),
    "burgundy": ("bordeaux", "weinrot", "dunkelrot", "wine red", "maroon"),
    "camel": ("cognac", "karamell", "caramel"),
    "yellow": ("senfgelb", "zitronengelb", "mustard"),
    "cream": ("creme", "cremefarben", "ecru", "offwhite", "off-white", "elfenbein", "ivory", "wollweiß"),
}

# Material words beside each material's German and English name.
MATERIAL_WORDS: dict[str, tuple[str, ...]] = {
    "leather": ("Echtleder", "Glattleder", "ledern"),
    "suede": ("Veloursleder", "Velours"),
    "wool": ("Schurwolle", "woollen", "woolen"),
    "cashmere": ("Cashmere",),
    "corduroy": ("Kord", "cord"),
    "denim": ("Jeansstoff",),
    "stoneware": ("Steinzeug",),
    "soy-wax": ("Soja", "soy"),
}

# The first halves of German compounds that name a material ("Jeansjacke", "Kordhose").
MATERIAL_PREFIXES: dict[str, tuple[str, ...]] = {
    "denim": ("Jeans",),
    "corduroy": ("Kord",),
    "cashmere": ("Cashmere",),
}

# Words for occasions, and the first halves of German compounds that name one ("Hochzeitskleid").
OCCASION_WORDS: dict[str, tuple[str, ...]] = {
    "wedding": ("Hochzeit", "Hochzeiten", "Trauung", "Standesamt", "Hochzeitsgast", "wedding", "weddings"),
    "office": ("Büro", "Arbeit", "Job", "Meeting", "office", "work"),
    "party": ("Party", "Partys", "Feier", "Fete", "party", "parties", "club"),
    "everyday": ("Alltag", "Freizeit", "everyday", "daily"),
    "sport": ("Sport", "Training", "Fitness", "Fitnessstudio", "gym", "workout", "sports"),
    "hiking": ("Wandern", "Wanderung", "Wanderungen", "Berge", "hiking", "hike", "trekking"),
    "date": ("Date", "Rendezvous", "date night"),
    "travel": ("Reise", "Reisen", "Urlaub", "travel", "trip", "holiday", "holidays", "vacation"),
    "home": ("Zuhause", "zu Hause", "daheim", "at home"),
    "dinner": ("Abendessen", "Dinner", "Restaurant"),
}
OCCASION_PREFIXES: dict[str, tuple[str, ...]] = {
    "wedding": ("Hochzeits",),
    "office": ("Büro",),
    "party": ("Party",),
    "everyday": ("Alltags", "Freizeit"),
    "sport": ("Sport", "Fitness"),
    "hiking": ("Wander",),
    "travel": ("Reise",),
}

# Words that name a style. The adjectives above that only suggest one ("warm", "gestreift") stay plain
# words for search, which finds them in titles.
STYLE_WORDS: dict[str, tuple[str, ...]] = {
    "casual": ("lässig", "leger", "locker", "casual"),
    "business": ("business", "geschäftlich", "formell", "formal", "seriös"),
    "festive": ("festlich", "feierlich", "festive"),
    "sporty": ("sportlich", "sporty", "athletic"),
    "elegant": ("elegant", "schick", "chic", "edel", "smart"),
    "outdoor": ("outdoor", "wetterfest"),
    "cosy": ("gemütlich", "kuschelig", "cosy", "cozy"),
    "classic": ("klassisch", "zeitlos", "classic", "timeless"),
    "minimalist": ("schlicht", "minimalistisch", "minimal", "minimalist"),
}

# Whom a product is for (products.gender), and the compound halves that say it ("Damenschuhe").
GENDER_WORDS: dict[str, tuple[str, ...]] = {
    "women": ("Damen", "Frauen", "Frau", "Dame", "women", "woman", "womens", "ladies", "lady"),
    "men": ("Herren", "Männer", "Mann", "Herr", "men", "mens", "gentlemen"),
    "unisex": ("Unisex",),
}
GENDER_PREFIXES: dict[str, tuple[str, ...]] = {
    "women": ("Damen", "Frauen"),
    "men": ("Herren", "Männer"),
}

# Words for a season (products.season); "Sommer" and "Winter" also begin compounds ("Sommerkleid").
SEASON_WORDS: dict[str, tuple[str, ...]] = {
    "winter": ("Winter", "winterlich", "wintry"),
    "summer": ("Sommer", "sommerlich", "summer", "summery"),
}
