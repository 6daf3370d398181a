## Bewertungen: lesen, melden, ausblenden

card-reviews = 💬 Bewertungen
command-reviews = Gemeldete Bewertungen prüfen (Händler:innen)
reviews-title = 💬 <b>Bewertungen</b>
reviews-friends = 👥 Von Freund:innen:
reviews-others = 🛍 Von weiteren Käufer:innen:
reviews-line = { $number }. { $stars }★ <b>{ $name }</b>: „{ $text }“
reviews-line-stars = { $number }. { $stars }★ <b>{ $name }</b>
reviews-none = Zu diesem Produkt gibt es keine sichtbaren Bewertungen.
reviews-report-button = ⚠️ Melden { $number }
reviews-report-ask = ⚠️ Warum meldest du diese Bewertung?
review-reason-insult = beleidigend
review-reason-spam = Spam
review-reason-wrong = falsches Produkt
reviews-reported = Danke! Die Bewertung ist gemeldet, wir sehen sie uns an.
reviews-reported-before = Du hast diese Bewertung schon gemeldet.
reviews-queue-title = 🚩 <b>Gemeldete Bewertungen</b>
reviews-queue-reports = { $reports ->
    [one] ⚠️ 1 Meldung
   *[other] ⚠️ { $reports } Meldungen
  }: { $reasons }
reviews-queue-empty = Keine gemeldeten Bewertungen. 🎉
reviews-hide-button = 🙈 Ausblenden { $number }
reviews-hidden = 🙈 Ausgeblendet – die Bewertung erscheint auf keiner Karte mehr.
reviews-hidden-before = Diese Bewertung war schon ausgeblendet.
reviews-retailers-only = Das können nur Händler:innen.
reviews-queue-private-only = Gemeldete Bewertungen zeige ich nur im privaten Chat.
