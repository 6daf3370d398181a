## Personal deals: opting in, choosing, the deal messages, and retailers' /deal

command-deals = Personal deals: opt in and choose

deals-private-only = I only set up personal deals in a private chat. Message me directly: /deals
deals-title = 🏷 <b>Personal deals</b>
deals-status-off = You don't get personal deals. Turn them on and pick the shops and what interests you – I'll only send what fits, never more often than you allow, never in your quiet hours.
deals-status-no-retailer = Turned on, but no shop is picked yet: pick at least one under 🏪 Shops.
deals-status-on = ✅ Turned on. Every deal message has buttons to mute its category or to stop.
deals-line-retailers = 🏪 Shops: { $value }
deals-line-categories = 🗂 Categories: { $value }
deals-line-muted = 🔕 Muted: { $value }
deals-line-brands = 🏷 Brands: { $value }
deals-line-price = 💶 Price: { $value }
deals-line-cap = 📬 How often: { $value }
deals-line-quiet = 🌙 Quiet hours: { $value } ({ $zone })
deals-line-language = 🗣 Language: { $value }
deals-none-chosen = none yet
deals-all = all
deals-price-any = any price
deals-price-up-to = up to { $price }
deals-cap-day = { $count ->
        [one] at most one message a day
       *[other] at most { $count } messages a day
    }
deals-cap-week = { $count ->
        [one] at most one message a week
       *[other] at most { $count } messages a week
    }
deals-quiet-span = { $start }–{ $end }
deals-quiet-none = none
deals-turn-on = ✅ Yes, send me deals
deals-turn-off = ✋ Stop personal deals
deals-button-retailers = 🏪 Shops
deals-button-categories = 🗂 Categories
deals-button-brands = 🏷 Brands
deals-button-price = 💶 Price
deals-button-cap = 📬 How often
deals-button-quiet = 🌙 Quiet hours
deals-button-zone = 🌍 Time zone
deals-button-language = 🗣 Language
deals-button-back = ⬅️ Back
deals-switched-on = Personal deals are on.
deals-switched-off = Personal deals are off.
deals-retailers-title = 🏪 Which shops may send you deals?
deals-retailers-hint = Pick at least one – only then do deals arrive.
deals-categories-top = 🗂 Which categories interest you? Nothing picked: all of them.
deals-categories-title = 🗂 { $name }: which of these interest you?
deals-category-all-of = all of { $name }
deals-category-open = { $name } ›
deals-brands-title = 🏷 Which brands interest you? Nothing picked: all of them.
deals-price-title = 💶 Up to which price should deals be?
deals-cap-title = 📬 How many deal messages at most?
deals-quiet-title = 🌙 When should I keep deals back until morning? (Tracking news that can wait keeps to it too.)
deals-zone-title = 🌍 Your time zone is { $zone }. Quiet hours and times follow it.
deals-language-title = 🗣 Which language should deals come in?
deals-muted = 🔕 No more deals for { $category }. /deals undoes it.
deals-stopped = ✋ You won't get personal deals any more. /deals turns them on again.
deals-over = This deal is over.
deals-products-title = 🏷 <b>In this deal</b>
deals-product-line = { $number }. { $title } – <b>{ $price }</b> instead of { $regular }

deals-headline = 🏷 <b>−{ $percent } %</b> until { $until }
deals-headline-category = 🏷 <b>−{ $percent } % on { $count ->
        [one] one product
       *[other] { $count } products
    } in { $category }</b> until { $until }
deals-card-title = <b>{ $title }</b>
deals-card-price = <b>{ $price }</b> instead of <s>{ $regular }</s>
deals-drop = 📉 <b>{ $title }</b> from your wishlist is cheaper now: <b>{ $price }</b> instead of { $previous }.
deals-drop-gift = 📉 The gift you claimed, <b>{ $title }</b>, is cheaper now: <b>{ $price }</b> instead of { $previous }.
deals-drop-deal = 🏷 −{ $percent } % until { $until }
deals-in-stock = ✅ In stock
deals-sold-out = Sold out at the moment
deals-buy = 🛒 Add to cart
deals-details = 🔎 Details
deals-all-products = 🏷 All { $count }
deals-mute = 🔕 No more { $category }
deals-stop = ✋ Stop deals

deals-error-unknown-user = Please write /start to me first.
deals-error-unknown-retailer = I don't know this shop.
deals-error-unknown-category = I don't know this category.
deals-error-unknown-brand = I don't know this brand.
deals-error-max-price = The highest price must be above zero.
deals-error-cap = Choose between 1 and { $max } messages a day or a week.
deals-error-quiet-hours = Quiet hours need a start and an end hour (0–23) that differ.
deals-error-time-zone = I don't know the time zone { $zone }.

deal-retailers-only = Only retailers create deals.
deal-no-account = You don't act for a single shop, so I don't know whose deal this would be.
deal-usage =
    Create a deal: <code>/deal SKU -20% 7d</code> for a product, or <code>/deal women-shoes -15% 3d</code> for a category (its name or slug); durations in hours (h), days (d) or weeks (w).
    <code>/deal</code> lists your deals, <code>/deal end 12</code> ends deal 12 at once.
deal-none = No deal is running or planned.
deal-list-title = 🏷 <b>Your deals</b>
deal-line = #{ $id } · −{ $percent } % · { $name } ({ $sku }) · { $status } · { $starts } – { $ends } · { $count ->
        [one] one product
       *[other] { $count } products
    }
deal-status-scheduled = planned
deal-status-running = running
deal-status-ended = ended
deal-status-cancelled = cancelled
deal-end-button = ⏹ End #{ $id }
deal-created = ✅ Deal created – prices are lowered now:
    { $line }
deal-ended = ⏹ Deal ended, the regular prices apply again:
    { $line }
deal-ended-short = Deal #{ $id } is over.
deal-error-percent = The discount is a whole percentage from { $min } to { $max }, e.g. -20%.
deal-error-duration = How long should it run? E.g. 24h, 7d or 2w.
deal-error-subject = Name one product (its SKU) or one category.
deal-error-unknown-subject = None of your active products has the SKU “{ $subject }”, and no category of your products is called that.
deal-error-ambiguous = “{ $subject }” is several categories; name one of them: { $choices }
deal-error-unknown-category = I don't know this category.
deal-error-start-past = A deal cannot start in the past.
deal-error-start-far = A deal can be planned at most { $days } days ahead.
deal-error-length = A deal runs at least an hour and at most { $days } days.
deal-error-nothing-covered = None of your active products would get cheaper (products whose variants have prices of their own are left out).
deal-error-overlap = Deal #{ $id } already covers some of these products at that time.
deal-error-unknown = I don't know this deal.
