## Group buys: buying together at a price that falls with the number of units

command-groupbuy = Buy together: the more join, the cheaper

groupbuy-group-only = Group buys happen in groups: write /groupbuy there.
groupbuy-none-offered = No product has group-buy prices yet.
groupbuy-pick-product = 👥 What shall we buy together? The more units the group takes, the lower the price.
groupbuy-product-button = { $title } – down to { $price }
groupbuy-tier-line = { $marker } from { $units } { $units ->
        [one] unit
       *[other] units
    }: { $price } each
groupbuy-pick-deadline =
    👥 Group buy: <b>{ $title }</b>
    { $tiers }
    It takes place from { $min } units. How long should the group have to join?
groupbuy-days = { $days ->
        [one] 24 hours
       *[other] { $days } days
    }
groupbuy-opened = 👥 { $name } opened a group buy for { $title }.

groupbuy-progress-title = 👥 <b>Group buy: { $title }</b>
groupbuy-progress-units = 📦 { $units } { $units ->
        [one] unit
       *[other] units
    } from { $people } { $people ->
        [one] person
       *[other] people
    } · now { $price } each
groupbuy-progress-next = ⬇️ { $missing } more and the price falls to { $price }
groupbuy-progress-min-missing = 🎯 { $missing } more needed for the minimum of { $min }
groupbuy-progress-min-reached = 🎯 Minimum of { $min } reached – it takes place
groupbuy-progress-left = 🔢 { $left } still available
groupbuy-progress-full = 🔒 All units are taken – the waiting list is open ({ $waiting } waiting)
groupbuy-progress-waiting = ⏳ { $waiting } on the waiting list
groupbuy-progress-time-left = ⏰ { $left } left (until { $deadline })
groupbuy-progress-payment = ✅ It takes place: { $units } units at { $price } each. Everyone has their invoice; paid so far: { $paid } of { $units }.
groupbuy-progress-done = ✅ Done: { $paid } units bought together at { $price } each.
groupbuy-progress-cancelled = ❌ Only { $units } of the { $min } units needed came together. The group buy is cancelled – nobody pays.
groupbuy-join-button = 🙋 Join / change
groupbuy-close-button = 🔒 Close now

groupbuy-written-privately = I've written to you privately.
groupbuy-start-privately = Start a chat with me first – then you can join.
groupbuy-pick-variant = 👥 <b>{ $title }</b>: which one would you like?
groupbuy-pick-quantity = 👥 <b>{ $title }</b> ({ $variant }): how many? Right now { $price } each{ $next }.
groupbuy-pick-quantity-next = ; { $missing } more and it's { $price }
groupbuy-pick-quantity-now = You're in with { $quantity } so far.
groupbuy-joined = ✅ You're in: { $quantity }× { $title } ({ $variant }), right now { $price } each. The price is fixed at the deadline ({ $deadline }); then you'll get your invoice.
groupbuy-change-button = ✏️ Change
groupbuy-leave-button = 🚪 Leave
groupbuy-sold-out = 🔒 Sold out: only { $available } { $available ->
        [one] unit is
       *[other] units are
    } still free.
groupbuy-take-button = Take { $available }
groupbuy-queue-button = ⏳ Waiting list for { $quantity }
groupbuy-queued = ⏳ You're number { $position } on the waiting list for { $quantity }× { $title } ({ $variant }). If units become free, you move up and I'll tell you.
groupbuy-left = You've left the group buy for { $title }.
groupbuy-moved-up = 🎉 Units became free: you're now in the group buy for { $title } with { $quantity }.
groupbuy-cancelled = ❌ The group buy for { $title } did not reach its minimum of { $min } units and is cancelled. You pay nothing.
groupbuy-lapsed = ⌛ The payment deadline for { $title } has passed; your units were given back.
groupbuy-waiting-ended = The group buy for { $title } is over; no units became free for you this time.
groupbuy-invoice-note = 👥 The group buy for { $title } takes place at { $price } each. Here is your invoice – please pay by { $pay_by }.
groupbuy-invoice-moved-up = 🎉 Units became free in the group buy for { $title }: they're yours at { $price } each if you pay by { $pay_by }.

groupbuy-error-tiers = I don't understand these prices. Write them like 1-4:50 5-9:42 10+:35 (at most { $max } tiers).
groupbuy-error-tiers-order = Each tier must start where the one before ends and be cheaper, e.g. 1-4:50 5-9:42 10+:35.
groupbuy-error-tiers-start = The first tier starts at 1 unit, and every price is above zero.
groupbuy-error-limits = The minimum is at least 1, and the maximum is not below the minimum.
groupbuy-error-unknown-product = I don't know a product with the SKU { $sku }.
groupbuy-error-deadline = Choose how long the group buy runs: 24 hours, 3 or 7 days.
groupbuy-error-not-member = Only members of this group can take part.
groupbuy-error-no-tiers = This product has no group-buy prices.
groupbuy-error-already-open = There's already a group buy for this product in this group – join that one.
groupbuy-error-unknown = I can't find this group buy any more.
groupbuy-error-closed = This group buy is closed.
groupbuy-error-quantity = Choose between 1 and { $max } units.
groupbuy-error-already-in = You're already in – change your quantity instead.
groupbuy-error-not-in = You're not in this group buy.
groupbuy-error-leave-closed = The group buy is closed; your share is on its invoice now.
groupbuy-error-not-opener = Only the person who opened the group buy can close it early.
groupbuy-error-not-full = It can only be closed early once all units are taken.
groupbuy-error-unavailable = This product is no longer available.

groupbuy-tiers-usage = As a retailer: /tiers SKU 1-4:50 5-9:42 10+:35 min 5 max 20 (min: the units needed, max: your allocation; both optional).
groupbuy-tiers-set =
    ✅ Group-buy prices for <b>{ $title }</b>:
    { $tiers }
    Takes place from { $min } units{ $max }. Members can now start a group buy with /groupbuy.
groupbuy-tiers-max = , at most { $max } units
groupbuys-title = 👥 <b>Group buys</b>
groupbuys-none = No group buys yet.
groupbuys-line = #{ $id } { $title } · { $status } · { $units } units from { $people } people · { $price } each
groupbuy-status-open = open
groupbuy-status-payment = being paid
groupbuy-status-done = done
groupbuy-status-cancelled = cancelled
groupbuy-participant-line = { $name }: { $quantity }× { $variant } – { $state }
groupbuy-no-participants = Nobody has joined yet.
groupbuy-share-joined = in, until { $deadline }
groupbuy-share-waiting = waiting list, number { $position }
groupbuy-share-to-pay = invoiced, to pay by { $pay_by }
groupbuy-share-paid = paid
groupbuy-share-left = left
groupbuy-share-lapsed = not paid in time
groupbuy-share-cancelled = cancelled, nothing to pay
orders-groupbuys-title = 👥 <b>Your group buys</b>
orders-groupbuy-line = { $title } · { $quantity }× · { $state }
