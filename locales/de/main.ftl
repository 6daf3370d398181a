## Kaufrunde – deutsche Texte. Schlüssel gleich in allen Sprachen; HTML wie Telegram es versteht.

-bot = Kaufrunde

start-greeting =
    Hallo { $name }! 👋 Ich bin <b>{ -bot }</b> – dein Einkaufsbegleiter für Telegram.

    Mit mir kaufst du gemeinsam mit Freund:innen ein: Produkte finden, in der Gruppe abstimmen, Wunschlisten teilen, Sammelbestellungen bündeln und direkt im Chat bezahlen.

    Was möchtest du tun?
start-greeting-group =
    Hallo zusammen! 👋 Ich bin <b>{ -bot }</b>. Erwähnt mich mit einem Wunsch, zum Beispiel „@{ $bot } rote Sneaker“, dann zeige ich euch passende Produkte. Was ihr in die Gruppenbestellung legt, seht ihr mit /cart – bezahlen kann eine:r für alle oder jede:r für sich.
    Privat berate ich euch auch: /help

menu-help = ❓ Hilfe
menu-language = 🌐 Sprache
menu-style = ✨ Stilberatung
menu-privacy = 🔒 Meine Daten

help-text =
    <b>So funktioniert { -bot }</b>

    Schreib mir einfach, was du suchst – zum Beispiel „rote Sneaker unter 80 €“, „Winterjacke Größe M“ oder „Outfit für eine Hochzeit bis 200 €“. Eine Barcode-Nummer oder ein Foto vom Barcode zeigt dir das Produkt.

    /start – Begrüßung und Menü
    /help – diese Hilfe
    /cart – Warenkorb und Kasse (in Gruppen: die gemeinsame Bestellung)
    /orders – deine Bestellungen, Sendungsverfolgung und Abholung
    /voucher CODE – Gutschein einlösen
    /language – Sprache wählen (Deutsch oder English)
    /style – Stil-Quiz, dein Stilprofil und Outfit-Ideen
    /privacy – was ich über dich speichere, Export und Löschung
    /wishlist – deine Wunschliste (in Gruppen: die der Gruppe und geteilte Listen)
    /deals – persönliche Angebote: Läden, Interessen, wie oft, Ruhezeiten
    /invite – Freund:innen einladen, /credits – dein Guthaben

    <b>In Gruppen</b>
    /poll – Umfrage zwischen geteilten Produkten (oder /poll Sneaker)
    /top – was euch diese Woche gefallen hat
    /idea – eine Produktidee vorschlagen, /ideas – eure Ideen
    /groupbuy – eine Sammelbestellung: je mehr mitmachen, desto günstiger

    In jedem Chat kannst du @{ $bot } und ein Produkt tippen, um es mit Freund:innen zu teilen.
    In Gruppen reagiere ich auf Befehle und wenn mich jemand erwähnt.

language-choose = Welche Sprache soll ich sprechen?
language-set = Alles klar, ab jetzt spreche ich Deutsch. 🇩🇪
language-name-de = 🇩🇪 Deutsch
language-name-en = 🇬🇧 English

privacy-overview =
    <b>Deine Daten bei { -bot }</b>

    Ich speichere über dich:
    • deinen Telegram-Namen ({ $name }), deine Telegram-ID und deine Sprache ({ $language })
    • deine Zeitzone ({ $timezone })
    • in welchen Gruppen mit mir du Mitglied bist ({ $groups ->
        [one] eine Gruppe
       *[other] { $groups } Gruppen
    })
    • deine Einwilligungen: persönliche Angebote { $deals }, Angebote von Händlern { $broadcasts }
    • wann du mich zuerst und zuletzt genutzt hast
    • deine Suchanfragen der letzten 30 Tage, dein Stilprofil, deinen Warenkorb, dein Guthaben und deine Bewertungen
    • was du in Gruppen tust: Stimmen, Umfragen, Empfehlungen, Wunschlisten und Geschenke, Ideen, Sammelbestellungen
    • deine Wünsche für persönliche Angebote und welche Angebote dich erreicht haben
    • deine Bestellungen
    • wenn du für einen Händler arbeitest: was du in seinem Namen getan hast

    Du kannst alles als Datei exportieren oder endgültig löschen. Bestellungen bleiben für die Buchhaltung des Händlers erhalten, aber ohne Verbindung zu dir.
privacy-on = an
privacy-off = aus
privacy-export = 📦 Daten exportieren
privacy-delete = 🗑 Daten löschen
privacy-export-caption = Hier sind alle Daten, die ich über dich gespeichert habe.
privacy-delete-confirm =
    Möchtest du wirklich alle deine Daten löschen? Das kann nicht rückgängig gemacht werden.

    Deine Bestellungen bewahrt der Händler für seine Buchhaltung auf (zehn Jahre, so verlangt es das Gesetz) – ohne Verbindung zu dir und ohne deine Adresse. Eine Bestellung, die noch unterwegs ist, behält Adresse und Chat, bis sie angekommen ist.
privacy-delete-yes = Ja, alles löschen
privacy-delete-no = Abbrechen
privacy-deleted = Deine Daten sind gelöscht. Wenn du mir wieder schreibst, fange ich ganz neu an.
privacy-delete-cancelled = Gut, es bleibt alles, wie es ist.
privacy-private-only = Deine Daten zeige ich dir nur im privaten Chat. Schreib mir direkt: /privacy

unknown-command = Den Befehl { $command } kenne ich nicht. Mit /help siehst du, was ich kann.
fallback-text =
    Das habe ich leider noch nicht verstanden. 🤔
    Mit /help siehst du, was ich kann.
fallback-other = Damit kann ich leider nichts anfangen. Schick mir eine Textnachricht oder tippe /help.
button-outdated = Diese Schaltfläche ist nicht mehr gültig.
error-apology = Entschuldigung, da ist bei mir etwas schiefgegangen. 🙈 Bitte versuch es gleich noch einmal.

command-start = Begrüßung und Menü
command-help = Hilfe und Befehle
command-language = Sprache wählen
command-style = Stilberatung: Quiz und Outfits
command-privacy = Meine Daten: Export und Löschung
