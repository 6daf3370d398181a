
## Colours (product colours)
colour-black = black
colour-white = white
colour-grey = grey
colour-navy = navy
colour-blue = blue
colour-red = red
colour-pink = pink
colour-beige = beige
colour-brown = brown
colour-green = green
colour-olive = olive
colour-burgundy = burgundy
colour-camel = camel
colour-yellow = yellow
colour-cream = cream

## Search
search-results =
    🔎 { $count ->
        [one] One result
       *[other] { $count } results
    } for “{ $query }”{ $pages ->
        [1] {""}
       *[other] {" "}(page { $page } of { $pages })
    }
search-understood = <i>Understood: { $filters }</i>
search-filter-category = category { $value }
search-filter-colours = colour { $value }
search-filter-size = size { $value }
search-filter-brand = brand { $value }
search-filter-occasion = occasion { $value }
search-filter-min = from { $value }
search-filter-max = up to { $value }
search-result-line = { $number }. { $title } – { $price }{ $stock }
search-result-sold-out = {" "}(sold out)
search-none =
    Sorry, I found nothing for that. 🤷
    Try other words, for example “red sneakers under 80 €” or “winter jacket size M”. Type /help to see what else I can do.
search-none-filtered = Nothing matches all of that ({ $filters }). Leave out one of the conditions and I'll show you more.
search-previous = ◀ Back
search-next = Next ▶
search-expired = This search has expired. Just send me again what you're looking for.
search-catalog-empty = The catalog is still empty. As soon as there are products, you can search here.

## Product card
card-price = 💶 { $price }
card-price-sale = 💶 <s>{ $before }</s> <b>{ $price }</b> (−{ $percent } %)
card-colours = 🎨 { $colours }
card-sizes = 📏 Sizes: { $sizes }
card-stock-title = 📦 Availability:
card-stock-store = • { $store }: { $quantity ->
        [0] sold out
       *[other] { $quantity } in stock
    }
card-stock-online = • Online: { $quantity ->
        [0] sold out
       *[other] { $quantity } in stock
    }
card-sold-out = ❌ Currently sold out everywhere
card-archived = This product is no longer available.
card-similar = 🔁 Similar items
card-share = 📤 Share
card-open-in-bot = 🛍 View in Kaufrunde
card-unknown = I don't know this product (any more).
similar-title = 🔁 Similar to “{ $title }”:
similar-none = I have nothing similar in stock right now.

## Barcode
barcode-not-found = I don't know a product with the barcode { $code }.
barcode-unreadable = I couldn't find a barcode in that photo. Take it closer and straight on, or type the number under the bars.

## Inline mode
inline-hint = Type what you're looking for, e.g. “red sneakers”
inline-none = Nothing found, try other words?
inline-description = { $price } · { $brand }
inline-caption =
    <b>{ $title }</b>
    { $brand }
    💶 { $price }
    🎨 { $colours }
    📏 { $sizes }
card-pair = ✨ What goes with it?
card-rating-friends = ⭐ { $friends ->
        [one] 1 friend
       *[other] { $friends } friends
    }: { $friends_average }★ · all buyers: { $average }★ ({ $count })
card-rating = ⭐ Buyers: { $average }★ ({ $count })
card-rating-quote = 💬 “{ $text }” – { $name } ({ $stars }★)
