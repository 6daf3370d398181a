## Persönliche Angebote: zustimmen, auswählen, die Angebotsnachrichten und /deal für Händler

command-deals = Persönliche Angebote: zustimmen und auswählen

deals-private-only = Persönliche Angebote richte ich nur im privaten Chat ein. Schreib mir direkt: /deals
deals-title = 🏷 <b>Persönliche Angebote</b>
deals-status-off = Du bekommst keine persönlichen Angebote. Schalte sie ein und wähle Läden und was dich interessiert – ich schicke nur, was passt, nie öfter als du erlaubst und nie in deinen Ruhezeiten.
deals-status-no-retailer = Eingeschaltet, aber noch kein Laden gewählt: wähle unter 🏪 Läden mindestens einen.
deals-status-on = ✅ Eingeschaltet. Jede Angebotsnachricht hat Knöpfe, um ihre Kategorie stummzuschalten oder aufzuhören.
deals-line-retailers = 🏪 Läden: { $value }
deals-line-categories = 🗂 Kategorien: { $value }
deals-line-muted = 🔕 Stumm: { $value }
deals-line-brands = 🏷 Marken: { $value }
deals-line-price = 💶 Preis: { $value }
deals-line-cap = 📬 Wie oft: { $value }
deals-line-quiet = 🌙 Ruhezeiten: { $value } ({ $zone })
deals-line-language = 🗣 Sprache: { $value }
deals-none-chosen = noch keiner
deals-all = alle
deals-price-any = jeder Preis
deals-price-up-to = bis { $price }
deals-cap-day = { $count ->
        [one] höchstens eine Nachricht am Tag
       *[other] höchstens { $count } Nachrichten am Tag
    }
deals-cap-week = { $count ->
        [one] höchstens eine Nachricht pro Woche
       *[other] höchstens { $count } Nachrichten pro Woche
    }
deals-quiet-span = { $start }–{ $end }
deals-quiet-none = keine
deals-turn-on = ✅ Ja, schick mir Angebote
deals-turn-off = ✋ Keine Angebote mehr
deals-button-retailers = 🏪 Läden
deals-button-categories = 🗂 Kategorien
deals-button-brands = 🏷 Marken
deals-button-price = 💶 Preis
deals-button-cap = 📬 Wie oft
deals-button-quiet = 🌙 Ruhezeiten
deals-button-zone = 🌍 Zeitzone
deals-button-language = 🗣 Sprache
deals-button-back = ⬅️ Zurück
deals-switched-on = Persönliche Angebote sind eingeschaltet.
deals-switched-off = Persönliche Angebote sind ausgeschaltet.
deals-retailers-title = 🏪 Welche Läden dürfen dir Angebote schicken?
deals-retailers-hint = Wähle mindestens einen – erst dann kommen Angebote.
deals-categories-top = 🗂 Welche Kategorien interessieren dich? Nichts gewählt: alle.
deals-categories-title = 🗂 { $name }: Was davon interessiert dich?
deals-category-all-of = ganz { $name }
deals-category-open = { $name } ›
deals-brands-title = 🏷 Welche Marken interessieren dich? Nichts gewählt: alle.
deals-price-title = 💶 Bis zu welchem Preis sollen Angebote sein?
deals-cap-title = 📬 Wie viele Angebotsnachrichten höchstens?
deals-quiet-title = 🌙 Wann soll ich Angebote bis zum Morgen zurückhalten? (Sendungsnachrichten, die warten können, halten sich auch daran.)
deals-zone-title = 🌍 Deine Zeitzone ist { $zone }. Ruhezeiten und Uhrzeiten richten sich danach.
deals-language-title = 🗣 In welcher Sprache sollen Angebote kommen?
deals-muted = 🔕 Keine Angebote mehr für { $category }. Mit /deals machst du das rückgängig.
deals-stopped = ✋ Du bekommst keine persönlichen Angebote mehr. Mit /deals schaltest du sie wieder ein.
deals-over = Dieses Angebot ist vorbei.
deals-products-title = 🏷 <b>In diesem Angebot</b>
deals-product-line = { $number }. { $title } – <b>{ $price }</b> statt { $regular }

deals-headline = 🏷 <b>−{ $percent } %</b> bis { $until }
deals-headline-category = 🏷 <b>−{ $percent } % auf { $count ->
        [one] ein Produkt
       *[other] { $count } Produkte
    } in { $category }</b> bis { $until }
deals-card-title = <b>{ $title }</b>
deals-card-price = <b>{ $price }</b> statt <s>{ $regular }</s>
deals-drop = 📉 <b>{ $title }</b> von deiner Wunschliste ist jetzt günstiger: <b>{ $price }</b> statt { $previous }.
deals-drop-gift = 📉 Dein Geschenk <b>{ $title }</b> ist jetzt günstiger: <b>{ $price }</b> statt { $previous }.
deals-drop-deal = 🏷 −{ $percent } % bis { $until }
deals-in-stock = ✅ Auf Lager
deals-sold-out = Gerade ausverkauft
deals-buy = 🛒 In den Warenkorb
deals-details = 🔎 Details
deals-all-products = 🏷 Alle { $count }
deals-mute = 🔕 Nichts mehr aus { $category }
deals-stop = ✋ Keine Angebote

deals-error-unknown-user = Schreib mir bitte zuerst /start.
deals-error-unknown-retailer = Diesen Laden kenne ich nicht.
deals-error-unknown-category = Diese Kategorie kenne ich nicht.
deals-error-unknown-brand = Diese Marke kenne ich nicht.
deals-error-max-price = Der Höchstpreis muss über null liegen.
deals-error-cap = Wähle zwischen 1 und { $max } Nachrichten am Tag oder pro Woche.
deals-error-quiet-hours = Ruhezeiten brauchen eine Anfangs- und eine End-Stunde (0–23), die sich unterscheiden.
deals-error-time-zone = Die Zeitzone { $zone } kenne ich nicht.

deal-retailers-only = Angebote legen nur Händler an.
deal-no-account = Du handelst für keinen einzelnen Laden, darum weiß ich nicht, wessen Angebot das wäre.
deal-usage =
    Angebot anlegen: <code>/deal SKU -20% 7d</code> für ein Produkt oder <code>/deal women-shoes -15% 3d</code> für eine Kategorie (Name oder Kürzel); Dauer in Stunden (h), Tagen (d) oder Wochen (w).
    <code>/deal</code> zeigt deine Angebote, <code>/deal end 12</code> beendet Angebot 12 sofort.
deal-none = Kein Angebot läuft oder ist geplant.
deal-list-title = 🏷 <b>Deine Angebote</b>
deal-line = #{ $id } · −{ $percent } % · { $name } ({ $sku }) · { $status } · { $starts } – { $ends } · { $count ->
        [one] ein Produkt
       *[other] { $count } Produkte
    }
deal-status-scheduled = geplant
deal-status-running = läuft
deal-status-ended = beendet
deal-status-cancelled = abgesagt
deal-end-button = ⏹ #{ $id } beenden
deal-created = ✅ Angebot angelegt – die Preise sind jetzt gesenkt:
    { $line }
deal-ended = ⏹ Angebot beendet, es gelten wieder die regulären Preise:
    { $line }
deal-ended-short = Angebot #{ $id } ist vorbei.
deal-error-percent = Der Rabatt ist eine ganze Prozentzahl von { $min } bis { $max }, z. B. -20%.
deal-error-duration = Wie lange soll es laufen? Z. B. 24h, 7d oder 2w.
deal-error-subject = Nenne ein Produkt (seine SKU) oder eine Kategorie.
deal-error-unknown-subject = Keines deiner aktiven Produkte hat die SKU „{ $subject }“, und keine Kategorie deiner Produkte heißt so.
deal-error-ambiguous = „{ $subject }“ sind mehrere Kategorien; nenne eine davon: { $choices }
deal-error-unknown-category = Diese Kategorie kenne ich nicht.
deal-error-start-past = Ein Angebot kann nicht in der Vergangenheit beginnen.
deal-error-start-far = Ein Angebot lässt sich höchstens { $days } Tage im Voraus planen.
deal-error-length = Ein Angebot läuft mindestens eine Stunde und höchstens { $days } Tage.
deal-error-nothing-covered = Keines deiner aktiven Produkte würde günstiger (Produkte, deren Varianten eigene Preise haben, bleiben außen vor).
deal-error-overlap = Angebot #{ $id } gilt zu der Zeit schon für einige dieser Produkte.
deal-error-unknown = Dieses Angebot kenne ich nicht.
