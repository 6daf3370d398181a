## Shopping together: votes, polls, recommendations, reviews

vote-counted-up = 👍 Your vote is counted.
vote-counted-down = 👎 Your vote is counted.
vote-taken-back = Your vote is taken back.
vote-error-value = That is not a valid vote.
vote-error-unknown-post = I don't know this card any more.
poll-error-options = A poll needs { $min } to { $max } different products.
poll-error-unknown-product = One of the products no longer exists.
poll-error-closes-in-past = The poll must end in the future.
poll-error-unknown = I don't know this poll.
recommend-error-self = You can't recommend something to yourself.
recommend-error-note-too-long = Your note can be at most { $max } characters long.
recommend-error-not-in-group = You can only recommend to members of this group you're in yourself.
recommend-error-unknown-product = This product no longer exists.
recommend-error-duplicate = You already recommended this to them today.
review-report-error-reason = Please give a short reason (at most { $max } characters).
review-report-error-own = You can't report your own review.
review-error-unknown = This review doesn't exist.

## Wishlists, ideas, referral rewards
wishlist-error-unknown = This wishlist doesn't exist.
wishlist-error-unknown-item = This item is no longer on the list.
wishlist-error-not-allowed = You can't see or change this wishlist.
wishlist-error-own-wishlist = This is your own wishlist – let yourself be surprised!
wishlist-error-all-claimed = Every unit has already been claimed.
wishlist-error-not-claimed = You haven't claimed anything here.
wishlist-error-unknown-product = This product doesn't exist.
wishlist-error-quantity = Quantity 1 to { $max }.
wishlist-error-priority = Priority 1, 2 or 3.
wishlist-error-note-too-long = Note at most { $max } characters.
wishlist-error-title = Title 1 to { $max } characters.
wishlist-alert-price-drop = { $title } is cheaper now: { $price } instead of { $previous_price }.
wishlist-alert-price-drop-gift = The gift you claimed, { $title }, is cheaper now: { $price } instead of { $previous_price }.
wishlist-alert-back-in-stock = { $title } is back in stock.
wishlist-alert-back-in-stock-gift = The gift you claimed, { $title }, is back in stock.
idea-error-unknown = This idea doesn't exist.
idea-error-not-allowed = Only the group can see this idea.
idea-error-text = Describe the idea in 1 to { $max } characters.
idea-error-comment = Comment 1 to { $max } characters.
idea-error-unknown-product = This product doesn't exist.
idea-error-already-adopted = This idea has already become another product.
credits-reason-referral = Reward: friend invited
credits-reason-referral-returned = Reward taken back (return)
credits-reason-idea = Reward: your idea became a product
credits-reason-voucher = Voucher { $code }
credits-reason-order = Order { $number }
credits-reason-other = Credit
