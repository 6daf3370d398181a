## Broadcasts: retailers write to their subscribers

broadcast-private-only = Broadcasts are written in our private chat: send me /broadcast there.
broadcast-retailers-only = Broadcasts are for retailer accounts. An invite code makes you a member of a retailer (/retailer).
broadcast-no-draft = You have no broadcast in the works. Start one with /broadcast.

broadcast-ask-text = ✍️ Send me the text of your broadcast as a reply to this message. Format it as in Telegram or with HTML tags like b, i, u, s, a href and code.
broadcast-ask-photo = 📷 Send me the photo as a reply to this message.
broadcast-ask-product = 🛍 Reply with the SKU of the product the button should lead to.

broadcast-draft-title = 📣 <b>Broadcast #{ $id } (draft)</b>
broadcast-draft-no-text = <i>No text yet</i>
broadcast-draft-photo-yes = 📷 With a photo
broadcast-draft-photo-no = 📷 No photo
broadcast-draft-product = 🛍 Button to the product: { $title }
broadcast-draft-no-product = 🛍 No product button
broadcast-draft-segment = 🎯 To: { $segment } – { $count ->
        [one] one person
       *[other] { $count } people
    }

broadcast-button-text = ✏️ Text
broadcast-button-photo = 📷 Photo
broadcast-button-photo-remove = 📷 Remove photo
broadcast-button-product = 🛍 Product
broadcast-button-product-remove = 🛍 Remove product
broadcast-button-segment = 🎯 Recipients
broadcast-button-interest = 💡 By interest …
broadcast-button-preview = 👁 Preview to me
broadcast-button-now = 🚀 Send now
broadcast-button-in-hour = ⏰ In an hour
broadcast-button-tomorrow = ⏰ Tomorrow 10:00
broadcast-button-cancel = ✖️ Cancel
broadcast-button-back = ↩️ Back
broadcast-button-stop = ⏹ Stop

broadcast-pick-segment = 🎯 Who should get the broadcast? It only reaches people who want offers from you.
broadcast-pick-interest = 💡 Which interest? It goes to everyone who chose this category (or one above or below it).
broadcast-segment-all = 👥 All subscribers
broadcast-segment-language = 🗣 Everyone in { $language }
broadcast-segment-interest = 💡 Interest: { $interest }
broadcast-segment-buyers = 🛒 People who bought from you
broadcast-segment-groupbuy = 👥 People who joined one of your group buys
broadcast-segment-groupbuy-one = 👥 People who joined group buy #{ $id }
broadcast-language-de = German
broadcast-language-en = English

broadcast-preview-sent = This is what your recipients will see.
broadcast-scheduled = ⏰ Broadcast #{ $id } goes out on { $when }. You will see its progress here.
broadcast-cancelled = ✖️ Broadcast #{ $id } is called off; nothing that was not sent yet goes out.
broadcast-discarded = ✖️ Draft #{ $id } discarded.

broadcast-progress-title = 📣 <b>Broadcast #{ $id }</b>
broadcast-progress-starting = 🚀 Going out to { $total ->
        [one] one person
       *[other] { $total } people
    } now …
broadcast-progress-sending = ✅ { $done } of { $total } sent · ❌ { $failed } undeliverable
broadcast-progress-eta = ⏱ About { $left } to go
broadcast-progress-done = 📣 <b>Broadcast #{ $id } is out</b> ({ $total } recipients)
broadcast-progress-stopped = ⏹ <b>Broadcast #{ $id } stopped</b> ({ $total } recipients)
broadcast-stats-delivery = ✅ Delivered: { $sent } · ❌ Failed: { $failed } · 🚫 Blocked the bot: { $blocked }
broadcast-stats-unknown = ❔ Unknown: { $unknown } (interrupted while sending; never sent a second time)
broadcast-stats-cancelled = ⏹ Not sent any more: { $cancelled }
broadcast-stats-results = 👆 Clicks: { $clicks } · 🛒 Purchases within 7 days: { $purchases }

broadcasts-title = 📣 <b>Broadcasts of { $retailer }</b>
broadcasts-none = No broadcasts yet. Write the first with /broadcast.
broadcasts-line = #{ $id } · { $when } · { $status } · { $sent }/{ $total } delivered · 👆 { $clicks } · 🛒 { $purchases }
broadcast-status-draft = draft
broadcast-status-scheduled = scheduled
broadcast-status-sending = sending
broadcast-status-done = sent
broadcast-status-cancelled = called off

broadcast-recipient-product = 🛍 See the product
broadcast-recipient-unsubscribe = 🔕 No more offers from this shop
broadcast-unsubscribed = Done: you will get no more offers from { $retailer }. You can change that in /deals at any time.

broadcast-error-unknown = This broadcast does not exist (any more).
broadcast-error-not-draft = The broadcast is already on its way or scheduled and cannot be changed.
broadcast-error-finished = The broadcast is already finished.
broadcast-error-text-empty = The broadcast needs a text.
broadcast-error-text-long = The text is too long at { $length } characters: { $limit } at most, 1024 with a photo.
broadcast-error-product = You have no active product “{ $sku }”.
broadcast-error-segment = There is no such segment: use all, language, interest, buyers or groupbuy.
broadcast-error-segment-language = A language segment needs a code like “de” or “en”.
broadcast-error-segment-interest = The interest must be a known category or brand (category:ID or brand:ID).
broadcast-error-segment-groupbuy = That group buy is not one of your products'.
broadcast-error-send-at = The time must lie in the future, at most 60 days ahead.
broadcast-error-nobody = Nobody is in this segment yet. Pick another one.
