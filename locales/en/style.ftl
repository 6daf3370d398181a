## Style advice: quiz, profile, outfits

style-quiz-occasion = What are you dressing for?
style-quiz-styles = Which styles do you like? (pick any)
style-quiz-avoid-colours = Which colours do you never wear? (pick any)
style-quiz-top-size = Your size for tops?
style-quiz-bottom-size = Your trouser size (German size or jeans waist)?
style-quiz-shoe-size = Your shoe size (EU)?
style-quiz-budget = How much may an outfit cost? You can also type an amount.
style-quiz-progress = <i>Question { $step } of { $steps }</i>
style-quiz-next = Next ▶
style-quiz-skip = Skip
style-quiz-type-amount = ✍️ Type an amount
style-quiz-amount-prompt = What is the most an outfit may cost? Reply with an amount, for example 180 €.
style-quiz-amount-invalid = I can't read “{ $text }” as an amount. Write for example 180 or 149.90 €.
style-quiz-saved = ✅ Your style profile is saved.

style-occasion-wedding = Wedding
style-occasion-office = Office
style-occasion-party = Party
style-occasion-date = Date
style-occasion-dinner = Dinner out
style-occasion-everyday = Everyday
style-occasion-travel = Travel
style-occasion-sport = Sport
style-occasion-hiking = Hiking

style-look-casual = Casual
style-look-business = Business
style-look-festive = Festive
style-look-sporty = Sporty
style-look-elegant = Elegant
style-look-outdoor = Outdoor
style-look-cosy = Cosy
style-look-classic = Classic
style-look-minimalist = Minimalist

style-colour-black = Black
style-colour-white = White
style-colour-grey = Grey
style-colour-navy = Navy
style-colour-blue = Blue
style-colour-red = Red
style-colour-pink = Pink
style-colour-beige = Beige
style-colour-brown = Brown
style-colour-green = Green
style-colour-olive = Olive
style-colour-burgundy = Burgundy
style-colour-camel = Camel
style-colour-yellow = Yellow
style-colour-cream = Cream

style-budget-100 = up to €100
style-budget-150 = up to €150
style-budget-200 = up to €200
style-budget-300 = up to €300
style-budget-500 = up to €500
style-budget-any = No limit

style-profile =
    <b>Your style profile</b>
    Occasion: { $occasion }
    Styles: { $styles }
    Colours you don't wear: { $avoid }
    Sizes: tops { $top }, trousers { $bottom }, shoes { $shoes }
    Budget: { $budget }
style-profile-none = –
style-profile-edit = ✏️ Start over
style-profile-delete = 🗑 Delete profile
style-profile-outfits = ✨ Outfit ideas
style-profile-deleted = Your style profile has been deleted.
style-reminder = You haven't finished the style quiz yet. With your profile I can suggest outfits in your sizes and budget.
style-reminder-continue = Continue

outfit-reason-occasion = For the occasion “{ $occasion }”: “{ $style }” style, colour scheme { $colour }.
outfit-reason-occasion-accent = For the occasion “{ $occasion }”: “{ $style }” style, { $colour } with a touch of { $accent }.
outfit-reason-anchor = Goes with your piece: “{ $style }” style, colour scheme { $colour }.
outfit-reason-anchor-accent = Goes with your piece: “{ $style }” style, { $colour } with a touch of { $accent }.
outfit-reason-style = All in “{ $style }” style, colour scheme { $colour }.
outfit-reason-style-accent = All in “{ $style }” style: { $colour } with a touch of { $accent }.
outfit-title = ✨ <b>Outfit { $number }</b> – { $total }
outfit-item = • { $title } ({ $colour }{ $size }) – { $price }
outfit-none = I can't put together a complete outfit in stock for that right now{ $budget ->
        [none] {""}
       *[other] {" "}within { $budget }
    }. Try a bigger budget or another occasion.
outfit-pairing-unknown = What kind of piece is it? Write for example “What goes with my blue jeans?”.
style-private-only = Style advice happens in a private chat with me: /style
outfit-sizes-hint = 💡 Tip: take the style quiz with /style and I will pick everything in your sizes.
