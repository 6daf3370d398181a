## Stilberatung: Quiz, Profil, Outfits

style-quiz-occasion = Wofür suchst du ein Outfit?
style-quiz-styles = Welche Stile magst du? (mehrere möglich)
style-quiz-avoid-colours = Welche Farben trägst du nie? (mehrere möglich)
style-quiz-top-size = Deine Größe bei Oberteilen?
style-quiz-bottom-size = Deine Hosengröße (Konfektionsgröße oder Jeansweite)?
style-quiz-shoe-size = Deine Schuhgröße (EU)?
style-quiz-budget = Wie viel darf ein Outfit kosten? Du kannst auch einen Betrag eintippen.
style-quiz-progress = <i>Frage { $step } von { $steps }</i>
style-quiz-next = Weiter ▶
style-quiz-skip = Überspringen
style-quiz-type-amount = ✍️ Betrag eintippen
style-quiz-amount-prompt = Wie viel darf ein Outfit höchstens kosten? Antworte mit einem Betrag, zum Beispiel 180 €.
style-quiz-amount-invalid = „{ $text }“ verstehe ich nicht als Betrag. Schreib zum Beispiel 180 oder 149,90 €.
style-quiz-saved = ✅ Dein Stilprofil ist gespeichert.

style-occasion-wedding = Hochzeit
style-occasion-office = Büro
style-occasion-party = Party
style-occasion-date = Date
style-occasion-dinner = Festliches Essen
style-occasion-everyday = Alltag
style-occasion-travel = Reise
style-occasion-sport = Sport
style-occasion-hiking = Wandern

style-look-casual = Lässig
style-look-business = Business
style-look-festive = Festlich
style-look-sporty = Sportlich
style-look-elegant = Elegant
style-look-outdoor = Outdoor
style-look-cosy = Gemütlich
style-look-classic = Klassisch
style-look-minimalist = Minimalistisch

style-colour-black = Schwarz
style-colour-white = Weiß
style-colour-grey = Grau
style-colour-navy = Marineblau
style-colour-blue = Blau
style-colour-red = Rot
style-colour-pink = Rosa
style-colour-beige = Beige
style-colour-brown = Braun
style-colour-green = Grün
style-colour-olive = Olivgrün
style-colour-burgundy = Bordeauxrot
style-colour-camel = Camel
style-colour-yellow = Gelb
style-colour-cream = Cremeweiß

style-budget-100 = bis 100 €
style-budget-150 = bis 150 €
style-budget-200 = bis 200 €
style-budget-300 = bis 300 €
style-budget-500 = bis 500 €
style-budget-any = Egal

style-profile =
    <b>Dein Stilprofil</b>
    Anlass: { $occasion }
    Stile: { $styles }
    Farben, die du nicht trägst: { $avoid }
    Größen: Oberteile { $top }, Hosen { $bottom }, Schuhe { $shoes }
    Budget: { $budget }
style-profile-none = –
style-profile-edit = ✏️ Neu ausfüllen
style-profile-delete = 🗑 Profil löschen
style-profile-outfits = ✨ Outfit-Ideen
style-profile-deleted = Dein Stilprofil ist gelöscht.
style-reminder = Du hast das Stil-Quiz noch nicht fertig. Mit deinem Profil schlage ich dir Outfits in deinen Größen und deinem Budget vor.
style-reminder-continue = Weitermachen

outfit-reason-occasion = Für den Anlass „{ $occasion }“: Stil „{ $style }“, Farbwelt { $colour }.
outfit-reason-occasion-accent = Für den Anlass „{ $occasion }“: Stil „{ $style }“, { $colour } mit Akzent in { $accent }.
outfit-reason-anchor = Passt zu deinem Teil: Stil „{ $style }“, Farbwelt { $colour }.
outfit-reason-anchor-accent = Passt zu deinem Teil: Stil „{ $style }“, { $colour } mit Akzent in { $accent }.
outfit-reason-style = Stimmig im Stil „{ $style }“, Farbwelt { $colour }.
outfit-reason-style-accent = Stimmig im Stil „{ $style }“: { $colour } mit Akzent in { $accent }.
outfit-title = ✨ <b>Outfit { $number }</b> – { $total }
outfit-item = • { $title } ({ $colour }{ $size }) – { $price }
outfit-none = Dafür finde ich gerade kein komplettes Outfit auf Lager{ $budget ->
        [none] {""}
       *[other] {" "}bis { $budget }
    }. Versuch es mit mehr Budget oder einem anderen Anlass.
outfit-pairing-unknown = Was für ein Teil ist das? Schreib zum Beispiel „Was passt zu meiner blauen Jeans?“.
style-private-only = Die Stilberatung gibt es im privaten Chat mit mir: /style
outfit-sizes-hint = 💡 Tipp: Mach das Stil-Quiz mit /style, dann wähle ich alles in deinen Größen aus.
