## Gemeinsam einkaufen: Abstimmungen, Umfragen, Empfehlungen, Bewertungen

vote-counted-up = 👍 Deine Stimme ist gezählt.
vote-counted-down = 👎 Deine Stimme ist gezählt.
vote-taken-back = Deine Stimme ist zurückgenommen.
vote-error-value = Das ist keine gültige Stimme.
vote-error-unknown-post = Diese Karte kenne ich nicht mehr.
poll-error-options = Eine Umfrage braucht { $min } bis { $max } verschiedene Produkte.
poll-error-unknown-product = Eines der Produkte gibt es nicht mehr.
poll-error-closes-in-past = Die Umfrage muss in der Zukunft enden.
poll-error-unknown = Diese Umfrage kenne ich nicht.
recommend-error-self = Dir selbst kannst du nichts empfehlen.
recommend-error-note-too-long = Deine Notiz darf höchstens { $max } Zeichen lang sein.
recommend-error-not-in-group = Empfehlen geht nur an Mitglieder dieser Gruppe, in der du selbst bist.
recommend-error-unknown-product = Dieses Produkt gibt es nicht mehr.
recommend-error-duplicate = Das hast du dieser Person heute schon empfohlen.
review-report-error-reason = Bitte nenne kurz einen Grund (höchstens { $max } Zeichen).
review-report-error-own = Deine eigene Bewertung kannst du nicht melden.
review-error-unknown = Diese Bewertung gibt es nicht.

## Wunschlisten, Ideen, Empfehlungsprämien
wishlist-error-unknown = Diese Wunschliste gibt es nicht.
wishlist-error-unknown-item = Diesen Wunsch gibt es nicht mehr.
wishlist-error-not-allowed = Diese Wunschliste kannst du nicht sehen oder ändern.
wishlist-error-own-wishlist = Das ist deine eigene Wunschliste – lass dich überraschen!
wishlist-error-all-claimed = Alle Stück sind schon vergeben.
wishlist-error-not-claimed = Du hast hier nichts reserviert.
wishlist-error-unknown-product = Diesen Artikel gibt es nicht.
wishlist-error-quantity = Menge 1 bis { $max }.
wishlist-error-priority = Priorität 1, 2 oder 3.
wishlist-error-note-too-long = Notiz höchstens { $max } Zeichen.
wishlist-error-title = Titel 1 bis { $max } Zeichen.
wishlist-alert-price-drop = { $title } ist jetzt günstiger: { $price } statt { $previous_price }.
wishlist-alert-price-drop-gift = Dein Geschenk { $title } ist jetzt günstiger: { $price } statt { $previous_price }.
wishlist-alert-back-in-stock = { $title } ist wieder da.
wishlist-alert-back-in-stock-gift = Dein Geschenk { $title } ist wieder da.
idea-error-unknown = Diese Idee gibt es nicht.
idea-error-not-allowed = Diese Idee ist nur für die Gruppe sichtbar.
idea-error-text = Beschreibe die Idee in 1 bis { $max } Zeichen.
idea-error-comment = Kommentar 1 bis { $max } Zeichen.
idea-error-unknown-product = Diesen Artikel gibt es nicht.
idea-error-already-adopted = Die Idee wurde schon als anderer Artikel umgesetzt.
credits-reason-referral = Prämie: Freund geworben
credits-reason-referral-returned = Prämie zurückgebucht (Rückgabe)
credits-reason-idea = Prämie: deine Idee wurde umgesetzt
credits-reason-voucher = Gutschein { $code }
credits-reason-order = Bestellung { $number }
credits-reason-other = Gutschrift
