## Rundschreiben: Händler schreiben ihren Abonnent:innen

broadcast-private-only = Rundschreiben verfasst du in unserem privaten Chat: schreib mir dort /broadcast.
broadcast-retailers-only = Rundschreiben gibt es für Händler-Konten. Mit einem Einladungscode wirst du Mitglied eines Händlers (/retailer).
broadcast-no-draft = Du hast gerade kein Rundschreiben in Arbeit. Fang mit /broadcast an.

broadcast-ask-text = ✍️ Schreib mir den Text deines Rundschreibens als Antwort auf diese Nachricht. Formatieren kannst du wie in Telegram oder mit HTML-Tags wie b, i, u, s, a href und code.
broadcast-ask-photo = 📷 Schick mir das Foto als Antwort auf diese Nachricht.
broadcast-ask-product = 🛍 Antworte mit der Artikelnummer (SKU) des Artikels, zu dem der Knopf führen soll.

broadcast-draft-title = 📣 <b>Rundschreiben #{ $id } (Entwurf)</b>
broadcast-draft-no-text = <i>Noch kein Text</i>
broadcast-draft-photo-yes = 📷 Mit Foto
broadcast-draft-photo-no = 📷 Ohne Foto
broadcast-draft-product = 🛍 Knopf zum Artikel: { $title }
broadcast-draft-no-product = 🛍 Ohne Artikel-Knopf
broadcast-draft-segment = 🎯 An: { $segment } – { $count ->
        [one] eine Person
       *[other] { $count } Personen
    }

broadcast-button-text = ✏️ Text
broadcast-button-photo = 📷 Foto
broadcast-button-photo-remove = 📷 Foto entfernen
broadcast-button-product = 🛍 Artikel
broadcast-button-product-remove = 🛍 Artikel entfernen
broadcast-button-segment = 🎯 Empfänger
broadcast-button-interest = 💡 Nach Interesse …
broadcast-button-preview = 👁 Vorschau an mich
broadcast-button-now = 🚀 Jetzt senden
broadcast-button-in-hour = ⏰ In einer Stunde
broadcast-button-tomorrow = ⏰ Morgen 10 Uhr
broadcast-button-cancel = ✖️ Abbrechen
broadcast-button-back = ↩️ Zurück
broadcast-button-stop = ⏹ Anhalten

broadcast-pick-segment = 🎯 An wen soll das Rundschreiben gehen? Es erreicht nur Menschen, die Angebote von dir bekommen möchten.
broadcast-pick-interest = 💡 Welches Interesse? Es geht an alle, die diese Kategorie (oder eine darüber oder darunter) gewählt haben.
broadcast-segment-all = 👥 Alle Abonnent:innen
broadcast-segment-language = 🗣 Alle auf { $language }
broadcast-segment-interest = 💡 Interesse: { $interest }
broadcast-segment-buyers = 🛒 Wer schon bei dir gekauft hat
broadcast-segment-groupbuy = 👥 Wer bei einer deiner Sammelbestellungen mitgemacht hat
broadcast-segment-groupbuy-one = 👥 Wer bei Sammelbestellung #{ $id } mitgemacht hat
broadcast-language-de = Deutsch
broadcast-language-en = Englisch

broadcast-preview-sent = So sieht es bei deinen Empfänger:innen aus.
broadcast-scheduled = ⏰ Rundschreiben #{ $id } geht am { $when } raus. Du siehst dann hier, wie weit es ist.
broadcast-cancelled = ✖️ Rundschreiben #{ $id } ist abgesagt; was noch nicht verschickt war, geht nicht mehr raus.
broadcast-discarded = ✖️ Entwurf #{ $id } verworfen.

broadcast-progress-title = 📣 <b>Rundschreiben #{ $id }</b>
broadcast-progress-starting = 🚀 Geht jetzt an { $total ->
        [one] eine Person
       *[other] { $total } Personen
    } …
broadcast-progress-sending = ✅ { $done } von { $total } verschickt · ❌ { $failed } nicht zustellbar
broadcast-progress-eta = ⏱ Noch etwa { $left }
broadcast-progress-done = 📣 <b>Rundschreiben #{ $id } ist raus</b> ({ $total } Empfänger:innen)
broadcast-progress-stopped = ⏹ <b>Rundschreiben #{ $id } angehalten</b> ({ $total } Empfänger:innen)
broadcast-stats-delivery = ✅ Zugestellt: { $sent } · ❌ Fehlgeschlagen: { $failed } · 🚫 Bot blockiert: { $blocked }
broadcast-stats-unknown = ❔ Ungewiss: { $unknown } (beim Senden unterbrochen; wird nie ein zweites Mal geschickt)
broadcast-stats-cancelled = ⏹ Nicht mehr verschickt: { $cancelled }
broadcast-stats-results = 👆 Klicks: { $clicks } · 🛒 Käufe in 7 Tagen: { $purchases }

broadcasts-title = 📣 <b>Rundschreiben von { $retailer }</b>
broadcasts-none = Noch keine Rundschreiben. Mit /broadcast schreibst du das erste.
broadcasts-line = #{ $id } · { $when } · { $status } · { $sent }/{ $total } zugestellt · 👆 { $clicks } · 🛒 { $purchases }
broadcast-status-draft = Entwurf
broadcast-status-scheduled = geplant
broadcast-status-sending = wird verschickt
broadcast-status-done = verschickt
broadcast-status-cancelled = abgesagt

broadcast-recipient-product = 🛍 Zum Artikel
broadcast-recipient-unsubscribe = 🔕 Keine Angebote mehr von diesem Händler
broadcast-unsubscribed = Erledigt: Du bekommst keine Angebote mehr von { $retailer }. In /deals kannst du das jederzeit ändern.

broadcast-error-unknown = Dieses Rundschreiben gibt es nicht (mehr).
broadcast-error-not-draft = Das Rundschreiben ist schon unterwegs oder geplant und lässt sich nicht mehr ändern.
broadcast-error-finished = Das Rundschreiben ist schon fertig.
broadcast-error-text-empty = Das Rundschreiben braucht einen Text.
broadcast-error-text-long = Der Text ist mit { $length } Zeichen zu lang: höchstens { $limit }, mit Foto 1024.
broadcast-error-product = Einen aktiven Artikel „{ $sku }“ hast du nicht.
broadcast-error-segment = Diese Empfängergruppe gibt es nicht: möglich sind all, language, interest, buyers und groupbuy.
broadcast-error-segment-language = Für die Sprache brauche ich ein Kürzel wie „de“ oder „en“.
broadcast-error-segment-interest = Das Interesse muss eine bekannte Kategorie oder Marke sein (category:ID oder brand:ID).
broadcast-error-segment-groupbuy = Diese Sammelbestellung gehört nicht zu deinen Artikeln.
broadcast-error-send-at = Der Zeitpunkt muss in der Zukunft liegen, höchstens 60 Tage voraus.
broadcast-error-nobody = In dieser Empfängergruppe ist noch niemand. Wähle eine andere.
