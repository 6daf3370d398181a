"""Understanding shopping requests: German and English free text becomes search filters.

"rote Sneaker unter 80 €", "Winterjacke Größe M bis 150 Euro", "black dress for a wedding" or "was passt
zu meiner blauen Jeans?" become a :class:`Query`: category, colours, size, price bounds, brand, occasion,
gender, styles, materials, the remaining keywords, and whether the shopper wants products, an outfit or
something to go with what they already own. A request is read in this order:

1. The text is folded to lowercase ASCII, umlauts as ae/oe/ue and ß as ss, so "Größe" and "Groesse",
   "weiß" and "weiss", "Mütze" and "Muetze" are the same word.
2. Phrases that say what the shopper wants ("was passt zu", "what goes with", "style me", "Outfit") set
   the intent.
3. Sizes after a marker ("Größe 42", "Gr. M", "size W32", "in XL") and unmistakable ones anywhere ("XL",
   "W32", "40x40", an upper-case "M") are taken out, then prices ("unter 80,50 €", "zwischen 50 und
   100 €", "ab 30 Euro", "under $80"); a currency only marks an amount as a price.
4. The remaining words are looked up in the :class:`Lexicon`: the longest phrase first ("winter jacket",
   "T-Shirt"), then without German and English endings ("roten" → "rot", "Jacken" → "Jacke", "dresses"
   → "dress"), then as a German compound of a material, colour, season, occasion or gender and a
   category ("Wollpullover", "Sommerkleid", "Damenschuhe"). A word found none of these ways is corrected
   to the nearest word the lexicon knows (rapidfuzz, optimal string alignment): a three-letter word
   only by a missing letter ("gry" → "grey"), one edit up to seven letters, two from eight, and a word
   of up to five letters keeps its first letter, so short words cannot drift into other words. A
   misspelt word before an amount or a size is mended first ("undr 80" → "under 80").
5. A bare number that is a known size is the size ("Sneaker 42"); what is left are the keywords, which
   search matches against product titles.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel
from sqlalchemy import select

from catalog import vocabulary
from catalog.models import GENDERS, Brand, Category, Variant
from core.db import Session

Field = Literal[
    "category",
    "colour",
    "material",
    "style",
    "occasion",
    "gender",
    "brand",
    "season",
    "keyword",
    "stop",
    "not",
]
Intent = Literal["search", "outfit", "pairing"]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Query:
    """A shopping request as filters, soft preferences and keywords."""

    text: str
    category: str | None = None
    colors: tuple[str, ...] = ()
    size: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    brand: str | None = None
    occasion: str | None = None
    gender: str | None = None
    styles: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    intent: Intent = "search"

    def filters_json(self) -> dict[str, object]:
        """Return the filters as the search command prints them (prices as decimal strings)."""
        return {
            "category": self.category,
            "colors": list(self.colors),
            "size": self.size,
            "min_price": None if self.min_price is None else str(self.min_price),
            "max_price": None if self.max_price is None else str(self.max_price),
            "brand": self.brand,
            "occasion": self.occasion,
        }


# --- Words ---------------------------------------------------------------------------------------------

_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS", "’": "'"}
)
_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"'s\b")
# Endings of German adjectives and nouns and of English plurals, longest first.
_ENDINGS = ("en", "er", "es", "em", "e", "n", "s")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_UMLAUTS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lower-case ``text``, writing umlauts as ae/oe/ue, ß as ss and accented letters plain."""
    return _ascii(text).lower()


def words(text: str) -> list[str]:
    """Split text into folded words; hyphens separate, a possessive 's goes ("Women's" → "women")."""
    return _WORD.findall(_POSSESSIVE.sub("", fold(text)))


def _lemmas(word: str) -> list[str]:
    return [
        word[: -len(ending)] for ending in _ENDINGS if word.endswith(ending) and len(word) > len(ending) + 2
    ]


def stem(word: str) -> str:
    """Strip German and English endings until none is left ("Sneakers" → "sneak", "Jacken" → "jack")."""
    while not word.endswith("ss"):
        shorter = _lemmas(word)
        if not shorter:
            break
        word = shorter[0]
    return word


def size_key(size: str) -> str:
    """Normalise a size as catalog and queries compare it ("xl" → "XL", "2xl" → "XXL", "w32" → "W32")."""
    text = " ".join(fold(size).replace(",", ".").split())
    if text in {"einheitsgroesse", "onesize"}:
        return "one size"
    doubled = re.fullmatch(r"([2-5])xl", text)
    if doubled:
        text = "x" * int(doubled[1]) + "l"
    waist = re.fullmatch(r"w(\d{2})(?:\s*/?\s*l\d{2})?", text)
    if waist:
        return f"W{waist[1]}"
    return text.upper() if re.fullmatch(r"x*[sml]", text) else text


def category_keys(path: Sequence[str]) -> tuple[str, ...]:
    """Return the slugs of a category path as shoppers name them: without the department's gender.

    "women" › "women-shoes" › "women-sneakers" becomes "women", "shoes", "sneakers": a request for
    sneakers finds the sneakers of both departments, and whom they are for is a filter of its own.
    """
    if not path or path[0] not in GENDERS:
        return tuple(path)
    prefix = f"{path[0]}-"
    return (path[0], *(slug.removeprefix(prefix) for slug in path[1:]))


# --- The lexicon ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Meaning:
    """What a word or phrase says: a field of the query and its value."""

    field: Field
    value: str


@dataclass(frozen=True, slots=True)
class CategoryName:
    """A category as the lexicon reads it: slug, parent's slug and names."""

    slug: str
    parent: str | None
    name_de: str
    name_en: str


_STOPWORDS = (
    # German
    "ich suche such suchen brauche brauch moechte haette haett gern gerne bitte zeig zeige zeigt mir mich "
    "mein meine meiner meinen meinem meines dein deine ein eine einen einem einer eines der die das den dem "
    "des und oder mit fuer fuers zu zum zur im in an am auf aus von vom bei nach etwas was welche welcher "
    "welches gibt es habt ihr hast du sind ist wir neue neuen sachen ding dinge teil teile "
    "groesse groessen gr euro eur guenstig guenstige billig preiswert unter bis ab max maximal "
    "outfit outfits look style styling "
    # English
    "i im need want looking look for show me my a an the some any and or with to of on at by from please "
    "find get buy new size sizes cheap affordable under below over up dollar dollars usd chf gbp pounds"
)
_NEGATIONS = "ohne kein keine keinen keiner nicht without no not"


_UMLAUT_PAIRS = re.compile(r"ae|oe|ue")
_ONE_LETTER = {"ae": "ä", "oe": "ö", "ue": "ü"}


def _compact(word: str) -> str:
    """Write folded umlauts as one letter again, so a missing or mistyped "ü" is one edit, not two."""
    return _UMLAUT_PAIRS.sub(lambda pair: _ONE_LETTER[pair[0]], word)


def _edits(length: int) -> int:
    # A three-letter word may only have lost a letter ("gry" → "grey"); see _Spelling.nearest.
    return 0 if length < 3 else 1 if length < 8 else 2


class _Spelling:
    """Words to correct typos to; each is also compared in its compact form (umlauts as one letter)."""

    def __init__(self, known: Iterable[str], *, languages: Mapping[str, str], weak: Collection[str]) -> None:
        forms: dict[str, str] = {}
        for word in sorted(known):
            forms.setdefault(word, word)
            forms.setdefault(_compact(word), word)
        self._keys = list(forms)
        self._words = list(forms.values())
        self._languages = languages
        self._weak = weak

    def nearest(self, word: str, locale: str | None) -> str | None:
        """Return the known word nearest to ``word`` or to its base form, or None when none is near.

        A filler word takes no endings, so a base form is never corrected to one. Fewest edits win, then
        the same first letter, a word over a filler word, the word over its base form, the fewest
        insertions and deletions ("greey" is "grey", not "green"), a word of ``locale``, and last the
        alphabet.
        """
        best: tuple[tuple[int, bool, bool, bool, int, bool, int], str] | None = None
        for form in (word, *_lemmas(word)):
            for typed in {form, _compact(form)}:
                edits = _edits(len(typed))
                if not edits:
                    continue
                for key, distance, index in process.extract(
                    typed, self._keys, scorer=OSA.distance, score_cutoff=edits, limit=None
                ):
                    choice = self._words[index]
                    if (
                        (len(typed) <= 5 and key[0] != typed[0])
                        or (len(typed) == 3 and form == word and len(key) != 4)
                        or (form != word and choice in self._weak)
                    ):
                        continue
                    rank = (
                        int(distance),
                        key[0] != typed[0],
                        choice in self._weak,
                        form != word,
                        int(Indel.distance(typed, key)),
                        self._languages.get(choice, "") not in ("", locale),
                        index,
                    )
                    if best is None or rank < best[0]:
                        best = (rank, choice)
        return None if best is None else best[1]


class Lexicon:
    """Everything the parser recognises, from the vocabulary and the catalog's categories and brands."""

    def __init__(
        self, *, categories: Sequence[CategoryName], brands: Sequence[str], sizes: Iterable[str]
    ) -> None:
        self._phrases: dict[tuple[str, ...], tuple[Meaning, ...]] = {}
        self._languages: dict[str, str] = {}
        self._modifiers: dict[str, Meaning] = {}
        self._parents: dict[str, str | None] = {}
        self.sizes = frozenset(size_key(size) for size in sizes)
        self._add_categories(categories)
        for brand in brands:
            self._add(brand, Meaning("brand", brand), "")
        self._add_vocabulary()
        for word in _STOPWORDS.split():
            self._add(word, Meaning("stop", ""), "")
        for word in _NEGATIONS.split():
            self._add(word, Meaning("not", ""), "")
        self._longest = max(len(key) for key in self._phrases)
        self._stopwords = {key[0] for key, meanings in self._phrases.items() if meanings[0].field == "stop"}
        self._spelling = _Spelling(
            (word for word in self._languages if len(word) >= 3 and not word.isdigit()),
            languages=self._languages,
            weak=self._stopwords,
        )

    @classmethod
    def default(cls) -> Lexicon:
        """Build the lexicon of the vocabulary's categories, brands and sizes (no database needed)."""
        return cls(
            categories=[
                CategoryName(node.slug, node.parent, node.name_de, node.name_en)
                for node in vocabulary.CATEGORIES
            ],
            brands=[brand.name for brand in vocabulary.BRANDS],
            sizes=[size for sizes in vocabulary.SIZES.values() for size in sizes],
        )

    # Building ----------------------------------------------------------------------------------------

    def _add(self, text: str, meaning: Meaning, language: str) -> None:
        """Register a word or phrase; the first meaning registered for it wins."""
        key = tuple(words(text))
        if not key:
            return
        self._phrases.setdefault(key, (meaning,))
        for word in key:
            known = self._languages.setdefault(word, language)
            if known != language:
                self._languages[word] = ""

    def _add_categories(self, categories: Sequence[CategoryName]) -> None:
        parents = {category.slug: category.parent for category in categories}

        def path(slug: str) -> tuple[str, ...]:
            chain = [slug]
            while (parent := parents.get(chain[0])) is not None and parent not in chain:
                chain.insert(0, parent)
            return tuple(chain)

        names: list[tuple[str, CategoryName]] = []
        for category in categories:
            keys = category_keys(path(category.slug))
            if len(keys) == 1 and keys[0] in GENDERS:
                for text in (category.name_de, category.name_en):
                    self._add(text, Meaning("gender", keys[0]), "")
                continue
            parent = keys[-2] if len(keys) > 1 and keys[-2] not in GENDERS else None
            self._parents.setdefault(keys[-1], parent)
            names.append((keys[-1], category))
        for slug, words_ in vocabulary.CATEGORY_WORDS.items():
            if slug in self._parents:
                for text in words_:
                    self._add(text, Meaning("category", slug), "")
        for gender, texts in vocabulary.GENDER_WORDS.items():
            for text in texts:
                self._add(text, Meaning("gender", gender), "")
        for gender, prefixes in vocabulary.GENDER_PREFIXES.items():
            self._modify(prefixes, Meaning("gender", gender))
        kinds = {
            leaf.kind: category_keys([node.slug for node in vocabulary.category_path(leaf)])[-1]
            for leaf in vocabulary.LEAVES
        }
        for kind in vocabulary.KINDS.values():
            leaf = kinds.get(kind.key)
            if leaf is None or leaf not in self._parents:
                continue
            term = kind.term
            for language, texts in (
                ("de", (term.de, term.de_plural, *(noun.de for noun in kind.nouns))),
                ("en", (term.en, term.en_plural, *(noun.en for noun in kind.nouns))),
            ):
                for text in texts:
                    # "T-Shirt" is also typed "TShirt" and "T Shirt".
                    self._add(text, Meaning("category", leaf), language)
                    self._add(text.replace("-", ""), Meaning("category", leaf), language)
        for slug, category in names:
            for language, name in (("de", category.name_de), ("en", category.name_en)):
                self._add(name, Meaning("category", slug), language)
                for part in re.split(r"\s*(?:&|,|/|\bund\b|\band\b)\s*", name):
                    self._add(part, Meaning("category", slug), language)

    def _modify(self, prefixes: Iterable[str], meaning: Meaning) -> None:
        for prefix in prefixes:
            self._modifiers.setdefault("".join(words(prefix)), meaning)

    def _add_vocabulary(self) -> None:
        for colour in vocabulary.COLOURS.values():
            meaning = Meaning("colour", colour.name)
            self._add(colour.name, meaning, "en")
            self._add(colour.adjective.de, meaning, "de")
            self._modify((colour.adjective.de,), meaning)
        for name, texts in vocabulary.COLOUR_WORDS.items():
            for text in texts:
                self._add(text, Meaning("colour", name), "")
        for material in vocabulary.MATERIALS.values():
            meaning = Meaning("material", material.key)
            self._add(material.de, meaning, "de")
            self._add(material.en, meaning, "en")
            self._modify((material.de, material.prefix or material.de), meaning)
        for key, texts in vocabulary.MATERIAL_WORDS.items():
            for text in texts:
                self._add(text, Meaning("material", key), "")
        for key, prefixes in vocabulary.MATERIAL_PREFIXES.items():
            self._modify(prefixes, Meaning("material", key))
        for occasion, texts in vocabulary.OCCASION_WORDS.items():
            for text in texts:
                self._add(text, Meaning("occasion", occasion), "")
        for occasion, (german, english) in vocabulary.OCCASIONS.items():
            self._add(german.split()[-1], Meaning("occasion", occasion), "de")
            self._add(english, Meaning("occasion", occasion), "en")
        for occasion, prefixes in vocabulary.OCCASION_PREFIXES.items():
            self._modify(prefixes, Meaning("occasion", occasion))
        for style in vocabulary.STYLES:
            self._add(style, Meaning("style", style), "en")
        for style, texts in vocabulary.STYLE_WORDS.items():
            for text in texts:
                self._add(text, Meaning("style", style), "")
        for adjective in vocabulary.ADJECTIVES.values():
            self._add(adjective.de, Meaning("keyword", adjective.en), "de")
            self._add(adjective.en, Meaning("keyword", adjective.en), "en")
        for season, texts in vocabulary.SEASON_WORDS.items():
            for text in texts:
                self._add(text, Meaning("season", season), "")
            self._modify(texts[:1], Meaning("season", season))

    # Looking up --------------------------------------------------------------------------------------

    def within(self, slug: str, ancestor: str) -> bool:
        """Tell whether category ``slug`` is ``ancestor`` or lies below it."""
        seen: str | None = slug
        while seen is not None:
            if seen == ancestor:
                return True
            seen = self._parents.get(seen)
        return False

    def _lookup(self, key: tuple[str, ...]) -> tuple[Meaning, ...] | None:
        found = self._phrases.get(key)
        if found is None:
            for lemma in _lemmas(key[-1]):
                found = self._phrases.get((*key[:-1], lemma))
                if found is not None:
                    break
        return found

    def _compound(self, word: str) -> tuple[Meaning, ...] | None:
        """Read a German compound of modifiers and a category ("Sommerkleid", "Damenlederjacke")."""
        for cut in range(len(word) - 3, 2, -1):
            modifier = self._modifiers.get(word[:cut])
            if modifier is None:
                continue
            head = self._meanings((word[cut:],))
            if head is not None and any(meaning.field == "category" for meaning in head):
                return (modifier, *head)
        return None

    def _meanings(self, key: tuple[str, ...]) -> tuple[Meaning, ...] | None:
        """Return what a phrase means; a category also says the material, occasion or gender it is
        compounded or written with ("Lederjacke" and "leather jacket" are both of leather)."""
        found = self._lookup(key)
        if found is None:
            return self._compound(key[0]) if len(key) == 1 else None
        if found[0].field != "category":
            return found
        if len(key) == 1:
            parts = self._compound(key[0]) or ()
        else:
            parts = tuple(meaning for word in key[:-1] for meaning in self._phrases.get((word,), ()))
        return found + tuple(meaning for meaning in parts if meaning.field in _COMPOUNDED)

    def _match(self, tokens: Sequence[str], start: int) -> tuple[tuple[Meaning, ...] | None, int]:
        """Find the longest phrase at ``start``; give its meanings (None if unknown) and its length."""
        for length in range(min(self._longest, len(tokens) - start), 0, -1):
            found = self._meanings(tuple(tokens[start : start + length]))
            if found is not None:
                return found, length
        return None, 1

    def _knows(self, word: str) -> bool:
        return word in self._languages or any(
            lemma in self._languages and lemma not in self._stopwords for lemma in _lemmas(word)
        )

    def _nearest(self, word: str, locale: str | None) -> str | None:
        """Return the known word nearest to a misspelt one (or its compound), or None if none is near."""
        nearest = self._spelling.nearest(word, locale)
        if nearest is not None:
            return nearest
        for cut in range(len(word) - 4, 2, -1):
            if word[:cut] in self._modifiers:
                head = self._spelling.nearest(word[cut:], locale)
                if head is not None and self._compound(word[:cut] + head) is not None:
                    return word[:cut] + head
        return None

    def _corrected(self, word: str, locale: str | None) -> str:
        """Return a word as the lexicon knows it: itself, its base form ("roten" → "rot"), its
        correction ("snaeker" → "sneaker"), or unchanged when it is none of these."""
        if word.isdigit() or word in self._languages:
            return word
        for lemma in _lemmas(word):
            # Filler words take no endings: "beie" is a misspelt "beige", not "bei".
            if lemma in self._languages and lemma not in self._stopwords:
                return lemma
        if self._compound(word) is not None:
            return word
        return self._nearest(word, locale) or word


_COMPOUNDED = frozenset({"material", "occasion", "gender"})


async def lexicon(session: Session) -> Lexicon:
    """Build the lexicon of the catalog's categories, brands and sizes, with the vocabulary's words."""
    rows = (
        await session.execute(
            select(
                Category.id, Category.parent_id, Category.slug, Category.name_de, Category.name_en
            ).order_by(Category.id)
        )
    ).all()
    slugs = {row.id: row.slug for row in rows}
    categories = [
        CategoryName(row.slug, slugs.get(row.parent_id) if row.parent_id else None, row.name_de, row.name_en)
        for row in rows
    ]
    brands = await session.scalars(select(Brand.name).order_by(Brand.name))
    sizes = await session.scalars(select(Variant.size).distinct())
    return Lexicon(categories=categories, brands=list(brands), sizes=list(sizes))


# --- Reading a request ---------------------------------------------------------------------------------

_PAIRING = re.compile(
    r"\b(?:(?:was|welche\w*)\s+)?pass\w*\s+(?:(?:gut|am\s+besten)\s+)?(?:zu|dazu)\b"
    r"|\bkombinier\w*\s+(?:mit|zu)\b"
    r"|\b(?:what\s+)?(?:goes|go|matches|match|pairs?)\s+(?:well\s+)?with\b"
    r"|\b(?:what\s+)?to\s+wear\s+with\b"
)
_OUTFIT = re.compile(
    r"\boutfits?\b|\bstyle\s+me\b|\bstyl(?:e|en)?\s+mich\b|\blook\s+fuer\b"
    r"|\bwhat\s+(?:should|shall|can|do)\s+i\s+wear\b|\bwhat\s+to\s+wear\b"
    r"|\bwas\s+(?:soll|kann|sollte)\s+ich\b(?=.*\b(?:anziehen|tragen)\b)|\b(?:anziehen|tragen)\b"
)

_SIZE = (
    r"(?:xxs|xs|xxxl|xxl|xl|[2-5]xl|s|m|l|w\d{2}(?:\s*/\s*l\d{2}|l\d{2})?|\d{2,3}x\d{2,3}"
    r"|\d{2,3}(?:[.,]5)?|one\s+size|einheitsgroesse)"
)
_SIZE_END = r"(?!\w|[.,]\d|\s*(?:€|\$|£|%|eur|dollar|usd|chf|gbp|cm|mm|ml|x\s*\d))"
_MARKED_SIZE = re.compile(
    rf"\b(?:groessen?|konfektionsgroesse|schuhgroesse|gr\.?|size|sz\.?)\s*({_SIZE}){_SIZE_END}"
    rf"|\bin\s+({_SIZE}){_SIZE_END}"
)
_PLAIN_SIZE = re.compile(
    rf"\b(xxs|xs|xxxl|xxl|xl|[2-5]xl|w\d{{2}}(?:\s*/\s*l\d{{2}}|l\d{{2}})?|\d{{2,3}}x\d{{2,3}}|one\s+size"
    rf"|einheitsgroesse){_SIZE_END}"
)
# A capital S, M or L standing alone is a size ("T-Shirt M"); lower-case it is too often something else.
_CAPITAL_SIZE = re.compile(r"(?<![\w.'-])([SML])(?![\w'-])")

_CURRENCY = r"(?:€|\$|£|eur(?:os?)?\b|usd\b|dollars?\b|chf\b|franken\b|gbp\b|pfund\b|pounds?\b)"
_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"


def _amount(name: str) -> str:
    return (
        rf"(?:(?P<{name}_before>{_CURRENCY})\s*)?(?P<{name}>{_NUMBER})(?![\d.,]*\d)(?:\s*,-)?"
        rf"(?:\s*(?P<{name}_after>{_CURRENCY}))?"
    )


_BETWEEN = re.compile(
    rf"\b(?:zwischen|between|von|from)\s*{_amount('low')}\s*(?:und|and|bis|to|-|–)\s*{_amount('high')}"
)
_RANGE = re.compile(rf"{_amount('low')}\s*(?:-|–|bis|to)\s*{_amount('high')}")
_UPPER = re.compile(
    r"(?:\b(?:unter|unterhalb|bis(?:\s+zu)?|max(?:imal|imum)?\.?|hoechstens|weniger\s+als|billiger\s+als"
    r"|guenstiger\s+als|under|below|less\s+than|up\s+to|at\s+most|cheaper\s+than|within)|<=?)\s*"
    + _amount("amount")
)
_LOWER = re.compile(
    r"(?:\b(?:ab|ueber|oberhalb|mindestens|mehr\s+als|min(?:imum)?\.?|from|over|above|more\s+than"
    r"|at\s+least|starting\s+at)|>=?)\s*" + _amount("amount")
)
_BUDGET = re.compile(r"\bbudget\s*(?:von|of|:)?\s*" + _amount("amount"))
_PRICED = re.compile(_amount("amount"))


def _blank(text: str, match: re.Match[str]) -> str:
    start, end = match.span()
    return text[:start] + " " * (end - start) + text[end:]


def _decimal(number: str) -> Decimal:
    parts = re.fullmatch(r"([\d.,]*?)(?:[.,](\d{1,2}))?", number)
    assert parts is not None  # the pattern matches every number _NUMBER matches
    whole = re.sub(r"[.,]", "", parts[1])
    return Decimal(f"{whole}.{parts[2]}" if parts[2] else whole).quantize(_CENT)


def _has_currency(match: re.Match[str], *names: str) -> bool:
    return any(match[f"{name}_{side}"] for name in names for side in ("before", "after"))


# Words that introduce a price or a size; a misspelt one is mended before amounts and sizes are read.
_MARKERS = _Spelling(
    [
        "unter",
        "unterhalb",
        "zwischen",
        "maximal",
        "hoechstens",
        "weniger",
        "billiger",
        "guenstiger",
        "mindestens",
        "oberhalb",
        "ueber",
        "mehr",
        "budget",
        "groesse",
        "groessen",
        "konfektionsgroesse",
        "schuhgroesse",
        "under",
        "below",
        "less",
        "than",
        "most",
        "cheaper",
        "within",
        "between",
        "over",
        "above",
        "more",
        "least",
        "starting",
        "size",
    ],
    languages={},
    weak=(),
)
_BEFORE_AMOUNT = re.compile(r"\b([a-z]{3,})\b(?=\s*[€$£\d]|\s+(?:xxs|xs|xxxl|xxl|xl|s|m|l|w\d{2})\b)")


def _mend_markers(work: str, cased: str, lexicon: Lexicon, locale: str | None) -> tuple[str, str]:
    """Correct misspelt words before an amount or a size ("undr 80" → "under 80", "szie m" → "size m")."""
    for match in reversed(list(_BEFORE_AMOUNT.finditer(work))):
        if lexicon._knows(match[1]):
            continue
        mended = _MARKERS.nearest(match[1], locale)
        if mended is not None:
            start, end = match.span()
            work, cased = work[:start] + mended + work[end:], cased[:start] + mended + cased[end:]
    return work, cased


def _intent(work: str) -> tuple[Intent, str]:
    intent: Intent = "pairing" if _PAIRING.search(work) else "outfit" if _OUTFIT.search(work) else "search"
    for pattern in (_PAIRING, _OUTFIT):
        work = pattern.sub(lambda match: " " * len(match[0]), work)
    return intent, work


def _size(work: str, cased: str) -> tuple[str | None, str]:
    for pattern in (_MARKED_SIZE, _PLAIN_SIZE):
        match = pattern.search(work)
        if match:
            return size_key(next(group for group in match.groups() if group)), _blank(work, match)
    for match in _CAPITAL_SIZE.finditer(cased):
        if work[match.start()] == match[1].lower():
            return match[1], _blank(work, match)
    return None, work


def _prices(work: str) -> tuple[Decimal | None, Decimal | None, str]:
    low = high = None
    between = _BETWEEN.search(work) or next(
        (match for match in _RANGE.finditer(work) if _has_currency(match, "low", "high")), None
    )
    if between:
        low, high = _decimal(between["low"]), _decimal(between["high"])
        work = _blank(work, between)
    if high is None and (upper := _UPPER.search(work)):
        high, work = _decimal(upper["amount"]), _blank(work, upper)
    if low is None and (lower := _LOWER.search(work)):
        low, work = _decimal(lower["amount"]), _blank(work, lower)
    if high is None and low is None:
        budget = _BUDGET.search(work) or next(
            (match for match in _PRICED.finditer(work) if _has_currency(match, "amount")), None
        )
        if budget:
            high, work = _decimal(budget["amount"]), _blank(work, budget)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high, work


@dataclass(slots=True)
class _Reading:
    """The fields of a query as its words are read, left to right."""

    lexicon: Lexicon
    category: str | None = None
    colors: list[str] = field(default_factory=list)
    size: str | None = None
    brand: str | None = None
    occasion: str | None = None
    gender: str | None = None
    styles: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    def take(self, meanings: tuple[Meaning, ...], phrase: Sequence[str]) -> None:
        """Fill the fields a phrase speaks of; the first brand, occasion and gender named count."""
        for meaning in meanings:
            value = meaning.value
            if meaning.field == "category":
                self._category(value, phrase)
            elif meaning.field == "colour":
                _append(self.colors, value)
            elif meaning.field == "material":
                _append(self.materials, value)
            elif meaning.field == "style":
                _append(self.styles, value)
            elif meaning.field in ("season", "keyword"):
                _append(self.keywords, value)
            elif meaning.field == "occasion":
                self.occasion = self.occasion or value
            elif meaning.field == "gender":
                self.gender = self.gender or value
            elif meaning.field == "brand":
                self.brand = self.brand or value

    def _category(self, slug: str, phrase: Sequence[str]) -> None:
        """Keep the most specific category named; an unrelated second one is only a keyword."""
        if self.category is None or self.lexicon.within(slug, self.category):
            self.category = slug
        elif not self.lexicon.within(self.category, slug):
            for word in phrase:
                _append(self.keywords, word)


def _append(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def parse(text: str, *, lexicon: Lexicon, locale: str | None = None) -> Query:
    """Read a shopping request in German, English or both; ``locale`` settles ties between the two."""
    cased = _ascii(text)
    work = cased.lower()
    if len(work) != len(cased):
        cased = work
    work, cased = _mend_markers(work, cased, lexicon, locale)
    intent, work = _intent(work)
    size, work = _size(work, cased)
    low, high, work = _prices(work)
    tokens = [lexicon._corrected(word, locale) if len(word) > 1 else word for word in words(work)]
    reading = _Reading(lexicon, size=size)
    negated = False
    start = 0
    while start < len(tokens):
        meanings, length = lexicon._match(tokens, start)
        phrase = tokens[start : start + length]
        start += length
        if meanings is not None and all(meaning.field == "stop" for meaning in meanings):
            continue
        if meanings is not None and meanings[0].field == "not":
            negated = True
        elif negated:
            negated = False
        elif meanings is not None:
            reading.take(meanings, phrase)
        elif phrase[0].isdigit():
            if reading.size is None and phrase[0] in lexicon.sizes:
                reading.size = phrase[0]
        elif len(phrase[0]) > 1:
            _append(reading.keywords, phrase[0])
    return Query(
        text=text,
        category=reading.category,
        colors=tuple(reading.colors),
        size=reading.size,
        min_price=low,
        max_price=high,
        brand=reading.brand,
        occasion=reading.occasion,
        gender=reading.gender,
        styles=tuple(reading.styles),
        materials=tuple(reading.materials),
        keywords=tuple(reading.keywords),
        intent=intent,
    )
