
## Farben (Produktfarben, kleingeschrieben wie im Satz)
colour-black = schwarz
colour-white = weiß
colour-grey = grau
colour-navy = marineblau
colour-blue = blau
colour-red = rot
colour-pink = rosa
colour-beige = beige
colour-brown = braun
colour-green = grün
colour-olive = olivgrün
colour-burgundy = bordeauxrot
colour-camel = camelfarben
colour-yellow = gelb
colour-cream = cremeweiß

## Suche
search-results =
    🔎 { $count ->
        [one] Ein Treffer
       *[other] { $count } Treffer
    } für „{ $query }“{ $pages ->
        [1] {""}
       *[other] {" "}(Seite { $page } von { $pages })
    }
search-understood = <i>Verstanden: { $filters }</i>
search-filter-category = Kategorie { $value }
search-filter-colours = Farbe { $value }
search-filter-size = Größe { $value }
search-filter-brand = Marke { $value }
search-filter-occasion = Anlass { $value }
search-filter-min = ab { $value }
search-filter-max = bis { $value }
search-result-line = { $number }. { $title } – { $price }{ $stock }
search-result-sold-out = {" "}(ausverkauft)
search-none =
    Dazu habe ich leider nichts gefunden. 🤷
    Versuch es mit anderen Worten, zum Beispiel „rote Sneaker unter 80 €“ oder „Winterjacke Größe M“. Mit /help siehst du, was ich sonst noch kann.
search-none-filtered = Mit diesen Wünschen ({ $filters }) habe ich nichts gefunden. Lass eine Bedingung weg, dann zeige ich mehr.
search-previous = ◀ Zurück
search-next = Weiter ▶
search-expired = Diese Suche ist abgelaufen. Schick mir einfach noch einmal, was du suchst.
search-catalog-empty = Der Katalog ist noch leer. Sobald Produkte da sind, kannst du hier suchen.

## Produktkarte
card-price = 💶 { $price }
card-price-sale = 💶 <s>{ $before }</s> <b>{ $price }</b> (−{ $percent } %)
card-colours = 🎨 { $colours }
card-sizes = 📏 Größen: { $sizes }
card-stock-title = 📦 Verfügbarkeit:
card-stock-store = • { $store }: { $quantity ->
        [0] ausverkauft
       *[other] { $quantity } Stück
    }
card-stock-online = • Online: { $quantity ->
        [0] ausverkauft
       *[other] { $quantity } Stück
    }
card-sold-out = ❌ Derzeit überall ausverkauft
card-archived = Dieses Produkt gibt es nicht mehr.
card-similar = 🔁 Ähnliche Artikel
card-share = 📤 Teilen
card-open-in-bot = 🛍 In Kaufrunde ansehen
card-unknown = Dieses Produkt kenne ich nicht (mehr).
similar-title = 🔁 Ähnlich wie „{ $title }“:
similar-none = Ich habe gerade nichts Ähnliches auf Lager.

## Barcode
barcode-not-found = Zum Barcode { $code } kenne ich kein Produkt.
barcode-unreadable = Auf dem Foto konnte ich keinen Barcode erkennen. Fotografiere ihn näher und gerade – oder tippe die Nummer unter den Strichen ab.

## Inline-Modus
inline-hint = Tippe, was du suchst, z. B. „Sneaker rot“
inline-none = Nichts gefunden – andere Worte probieren?
inline-description = { $price } · { $brand }
inline-caption =
    <b>{ $title }</b>
    { $brand }
    💶 { $price }
    🎨 { $colours }
    📏 { $sizes }
card-pair = ✨ Was passt dazu?
card-rating-friends = ⭐ { $friends ->
        [one] 1 Freund:in
       *[other] { $friends } Freund:innen
    }: { $friends_average }★ · alle Käufer:innen: { $average }★ ({ $count })
card-rating = ⭐ Käufer:innen: { $average }★ ({ $count })
card-rating-quote = 💬 „{ $text }“ – { $name } ({ $stars }★)
