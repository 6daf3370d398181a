## Kaufrunde – English texts. Same keys in every language; HTML as Telegram understands it.

-bot = Kaufrunde

start-greeting =
    Hi { $name }! 👋 I'm <b>{ -bot }</b>, your shopping companion on Telegram.

    With me you shop together with friends: find products, vote on them in your group, share wishlists, pool group orders and pay right in the chat.

    What would you like to do?
start-greeting-group =
    Hello everyone! 👋 I'm <b>{ -bot }</b>. Mention me with a wish, for example “@{ $bot } red sneakers”, and I'll show you matching products. What you put in the group order is under /cart – one of you pays for everything, or each for their own share.
    I also give advice in private: /help

menu-help = ❓ Help
menu-language = 🌐 Language
menu-style = ✨ Style advice
menu-privacy = 🔒 My data

help-text =
    <b>How { -bot } works</b>

    Just tell me what you're looking for, e.g. “red sneakers under 80 €”, “winter jacket size M” or “outfit for a wedding up to 200 €”. A barcode number or a photo of a barcode shows you the product.

    /start – greeting and menu
    /help – this help
    /cart – cart and checkout (in groups: the shared order)
    /orders – your orders, tracking and pickup
    /voucher CODE – redeem a voucher
    /language – choose a language (Deutsch or English)
    /style – style quiz, your style profile and outfit ideas
    /privacy – what I store about you, export and deletion
    /wishlist – your wishlist (in groups: the group's and shared lists)
    /deals – personal deals: shops, interests, how often, quiet hours
    /invite – invite friends, /credits – your credit

    <b>In groups</b>
    /poll – a poll between shared products (or /poll sneakers)
    /top – what you liked this week
    /idea – propose a product idea, /ideas – your ideas
    /groupbuy – a group buy: the more join, the cheaper

    In any chat, type @{ $bot } and a product to share it with friends.
    In groups I respond to commands and when someone mentions me.

language-choose = Which language should I speak?
language-set = Got it, from now on I'll speak English. 🇬🇧
language-name-de = 🇩🇪 Deutsch
language-name-en = 🇬🇧 English

privacy-overview =
    <b>Your data at { -bot }</b>

    What I store about you:
    • your Telegram name ({ $name }), your Telegram ID and your language ({ $language })
    • your time zone ({ $timezone })
    • which groups with me you are a member of ({ $groups ->
        [one] one group
       *[other] { $groups } groups
    })
    • your consents: personal deals { $deals }, offers from retailers { $broadcasts }
    • when you first and last used me
    • your searches of the last 30 days, your style profile, your cart, your credit and your reviews
    • what you do in groups: votes, polls, recommendations, wishlists and gifts, ideas, group buys
    • your choices for personal deals and which deals reached you
    • your orders
    • if you work for a retailer: what you did in its name

    You can export all of it as a file or delete it for good. Orders stay in the retailer's books, but no longer linked to you.
privacy-on = on
privacy-off = off
privacy-export = 📦 Export my data
privacy-delete = 🗑 Delete my data
privacy-export-caption = Here is all the data I have stored about you.
privacy-delete-confirm =
    Do you really want to delete all your data? This cannot be undone.

    The retailer keeps your orders for its books (ten years, as the law requires), no longer linked to you and without your address. An order still on its way keeps its address and chat until it has arrived.
privacy-delete-yes = Yes, delete everything
privacy-delete-no = Cancel
privacy-deleted = Your data has been deleted. If you write to me again, I'll start from scratch.
privacy-delete-cancelled = Fine, everything stays as it is.
privacy-private-only = I only show your data in a private chat. Message me directly: /privacy

unknown-command = I don't know the command { $command }. Type /help to see what I can do.
fallback-text =
    Sorry, I didn't get that yet. 🤔
    Type /help to see what I can do.
fallback-other = I can't do anything with that, sorry. Send me a text message or type /help.
button-outdated = This button is no longer valid.
error-apology = Sorry, something went wrong on my side. 🙈 Please try again in a moment.

command-start = Greeting and menu
command-help = Help and commands
command-language = Choose a language
command-style = Style advice: quiz and outfits
command-privacy = My data: export and deletion
