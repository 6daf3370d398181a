## In Gruppen: Umfragen, Wochen-Top, Empfehlungen, Freunde einladen, Guthaben

command-poll = Umfrage zwischen geteilten Produkten
command-top = Was die Gruppe diese Woche mochte
command-invite = Freunde einladen und Prämie bekommen
command-credits = Dein Guthaben

poll-group-only = Umfragen gibt es in Gruppen: schreib dort /poll.
poll-too-few = Teilt erst mindestens { $min } Produkte in der Gruppe (über @-Suche), dann könnt ihr abstimmen.
poll-pick = Welche Produkte sollen in die Umfrage? Tippe sie an (2 bis 10).
poll-start-button = 📊 Umfrage starten
poll-question = Welches nehmen wir?
poll-started = 📊 Die Umfrage läuft 24 Stunden.
poll-closed-no-votes = Die Umfrage ist vorbei – niemand hat abgestimmt.
poll-winner = 🏆 Gewonnen hat dieses Produkt mit { $votes } { $votes ->
        [one] Stimme
       *[other] Stimmen
    } ({ $voters } { $voters ->
        [one] Person hat
       *[other] Personen haben
    } abgestimmt):

top-group-only = /top zeigt in einer Gruppe, was sie diese Woche mochte.
top-title = <b>🏆 Die Woche in dieser Gruppe</b>
top-liked = <b>Meiste 👍</b>
top-wished = <b>Meistgewünscht</b>
top-bought = <b>Meistgekauft</b>
top-none = – noch nichts –
top-line = { $number }. { $title } ({ $count })

card-recommend = 💌 Empfehlen
recommend-nobody = Hier ist noch niemand, dem du es empfehlen kannst.
recommend-pick = { $name }, wem möchtest du das empfehlen?
recommend-note-or-skip = Schreib eine kurze Notiz dazu (als Antwort unten) oder sende ohne Notiz.
recommend-skip = Ohne Notiz senden
recommend-note-prompt = 💌 Deine Notiz zur Empfehlung:
recommend-received = 💌 { $name } empfiehlt dir das (aus „{ $group }“):
recommend-received-note = 💌 { $name } empfiehlt dir das (aus „{ $group }“): „{ $note }“
recommend-sent = 💌 Empfehlung an { $name } ist unterwegs.
recommend-not-started = { $name } hat noch nie mit mir geschrieben, deshalb darf ich keine private Nachricht schicken. { $name } kann @{ $bot } einmal starten, dann klappt es.

invite-private-only = Deinen Einladungslink gibt es im privaten Chat mit mir: schreib mir /invite.
invite-text = 🎁 Dein persönlicher Einladungslink:
    { $link }

    Wer darüber startet und zum ersten Mal bestellt, bringt euch beiden je { $reward } Guthaben.
    Eingeladen: { $invited } · Prämie verdient: { $rewarded }
referral-reward-inviter = 🎁 Dein eingeladener Freund hat zum ersten Mal bestellt: { $amount } Guthaben für dich!
referral-reward-invited = 🎁 Willkommensprämie für deine erste Bestellung: { $amount } Guthaben!

credits-private-only = Dein Guthaben siehst du im privaten Chat mit mir: schreib mir /credits.
credits-empty = Du hast noch kein Guthaben. Mit /invite lädst du Freunde ein und bekommst eine Prämie.
credits-balance = 💰 Dein Guthaben: <b>{ $amount }</b>
credits-line = { $amount } · { $reason }
recommend-note-expired = Ich weiß nicht mehr, wem du das empfehlen wolltest. Tippe auf der Produktkarte bitte noch einmal auf „💌 Empfehlen“.
