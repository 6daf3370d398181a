## Sammelbestellungen: gemeinsam kaufen, der Preis sinkt mit der Stückzahl

command-groupbuy = Gemeinsam kaufen: je mehr mitmachen, desto günstiger

groupbuy-group-only = Sammelbestellungen gibt es in Gruppen: schreib dort /groupbuy.
groupbuy-none-offered = Noch kein Artikel hat Preise für Sammelbestellungen.
groupbuy-pick-product = 👥 Was wollen wir gemeinsam kaufen? Je mehr Stück die Gruppe nimmt, desto günstiger.
groupbuy-product-button = { $title } – bis { $price }
groupbuy-tier-line = { $marker } ab { $units } Stück: je { $price }
groupbuy-pick-deadline =
    👥 Sammelbestellung: <b>{ $title }</b>
    { $tiers }
    Sie kommt ab { $min } Stück zustande. Wie lange soll die Gruppe Zeit zum Mitmachen haben?
groupbuy-days = { $days ->
        [one] 24 Stunden
       *[other] { $days } Tage
    }
groupbuy-opened = 👥 { $name } hat eine Sammelbestellung für { $title } gestartet.

groupbuy-progress-title = 👥 <b>Sammelbestellung: { $title }</b>
groupbuy-progress-units = 📦 { $units } Stück von { $people } { $people ->
        [one] Person
       *[other] Personen
    } · jetzt je { $price }
groupbuy-progress-next = ⬇️ Noch { $missing } Stück, dann sinkt der Preis auf { $price }
groupbuy-progress-min-missing = 🎯 Noch { $missing } Stück bis zum Minimum von { $min }
groupbuy-progress-min-reached = 🎯 Minimum von { $min } erreicht – sie kommt zustande
groupbuy-progress-left = 🔢 Noch { $left } Stück frei
groupbuy-progress-full = 🔒 Alle Stück sind vergeben – die Warteliste ist offen ({ $waiting } warten)
groupbuy-progress-waiting = ⏳ { $waiting } auf der Warteliste
groupbuy-progress-time-left = ⏰ Noch { $left } (bis { $deadline })
groupbuy-progress-payment = ✅ Sie kommt zustande: { $units } Stück zu je { $price }. Alle haben ihre Rechnung; bezahlt sind { $paid } von { $units }.
groupbuy-progress-done = ✅ Fertig: { $paid } Stück gemeinsam gekauft, zu je { $price }.
groupbuy-progress-cancelled = ❌ Nur { $units } der nötigen { $min } Stück sind zusammengekommen. Die Sammelbestellung fällt aus – niemand zahlt.
groupbuy-join-button = 🙋 Mitmachen / ändern
groupbuy-close-button = 🔒 Jetzt abschließen

groupbuy-written-privately = Ich habe dir privat geschrieben.
groupbuy-start-privately = Starte erst einen Chat mit mir – dann kannst du mitmachen.
groupbuy-pick-variant = 👥 <b>{ $title }</b>: welche Ausführung möchtest du?
groupbuy-pick-quantity = 👥 <b>{ $title }</b> ({ $variant }): wie viele? Gerade je { $price }{ $next }.
groupbuy-pick-quantity-next = ; noch { $missing } Stück, dann je { $price }
groupbuy-pick-quantity-now = Bisher bist du mit { $quantity } dabei.
groupbuy-joined = ✅ Du bist dabei: { $quantity }× { $title } ({ $variant }), gerade je { $price }. Der Preis steht zum Schluss ({ $deadline }) fest; dann bekommst du deine Rechnung.
groupbuy-change-button = ✏️ Ändern
groupbuy-leave-button = 🚪 Aussteigen
groupbuy-sold-out = 🔒 Ausverkauft: nur noch { $available } Stück frei.
groupbuy-take-button = { $available } nehmen
groupbuy-queue-button = ⏳ Warteliste für { $quantity }
groupbuy-queued = ⏳ Du bist Nummer { $position } auf der Warteliste für { $quantity }× { $title } ({ $variant }). Wird etwas frei, rückst du nach, und ich sage dir Bescheid.
groupbuy-left = Du bist aus der Sammelbestellung für { $title } ausgestiegen.
groupbuy-moved-up = 🎉 Es ist etwas frei geworden: du bist jetzt mit { $quantity } Stück bei der Sammelbestellung für { $title } dabei.
groupbuy-cancelled = ❌ Die Sammelbestellung für { $title } hat ihr Minimum von { $min } Stück nicht erreicht und fällt aus. Du zahlst nichts.
groupbuy-lapsed = ⌛ Die Zahlungsfrist für { $title } ist abgelaufen; deine Stücke wurden freigegeben.
groupbuy-waiting-ended = Die Sammelbestellung für { $title } ist vorbei; für dich ist diesmal nichts frei geworden.
groupbuy-invoice-note = 👥 Die Sammelbestellung für { $title } kommt zustande, zu je { $price }. Hier ist deine Rechnung – bitte bezahle bis { $pay_by }.
groupbuy-invoice-moved-up = 🎉 Bei der Sammelbestellung für { $title } ist etwas frei geworden: es gehört dir, zu je { $price }, wenn du bis { $pay_by } bezahlst.

groupbuy-error-tiers = Diese Preise verstehe ich nicht. Schreib sie so: 1-4:50 5-9:42 10+:35 (höchstens { $max } Staffeln).
groupbuy-error-tiers-order = Jede Staffel beginnt, wo die vorige endet, und ist günstiger, z. B. 1-4:50 5-9:42 10+:35.
groupbuy-error-tiers-start = Die erste Staffel beginnt bei 1 Stück, und jeder Preis liegt über null.
groupbuy-error-limits = Das Minimum ist mindestens 1, und das Maximum liegt nicht unter dem Minimum.
groupbuy-error-unknown-product = Einen Artikel mit der Nummer { $sku } kenne ich nicht.
groupbuy-error-deadline = Wähle, wie lange die Sammelbestellung läuft: 24 Stunden, 3 oder 7 Tage.
groupbuy-error-not-member = Mitmachen können nur Mitglieder dieser Gruppe.
groupbuy-error-no-tiers = Für diesen Artikel gibt es keine Preise für Sammelbestellungen.
groupbuy-error-already-open = Für diesen Artikel läuft in dieser Gruppe schon eine Sammelbestellung – mach dort mit.
groupbuy-error-unknown = Diese Sammelbestellung finde ich nicht mehr.
groupbuy-error-closed = Diese Sammelbestellung ist abgeschlossen.
groupbuy-error-quantity = Wähle zwischen 1 und { $max } Stück.
groupbuy-error-already-in = Du bist schon dabei – ändere stattdessen deine Menge.
groupbuy-error-not-in = Du bist bei dieser Sammelbestellung nicht dabei.
groupbuy-error-leave-closed = Die Sammelbestellung ist abgeschlossen; dein Anteil steht jetzt auf deiner Rechnung.
groupbuy-error-not-opener = Vorzeitig abschließen kann nur, wer die Sammelbestellung gestartet hat.
groupbuy-error-not-full = Vorzeitig abschließen geht erst, wenn alle Stück vergeben sind.
groupbuy-error-unavailable = Diesen Artikel gibt es nicht mehr.

groupbuy-tiers-usage = So geht es als Händler: /tiers ARTIKELNUMMER 1-4:50 5-9:42 10+:35 min 5 max 20 (min: nötige Stück, max: dein Kontingent; beides optional).
groupbuy-tiers-set =
    ✅ Preise für Sammelbestellungen von <b>{ $title }</b>:
    { $tiers }
    Kommt ab { $min } Stück zustande{ $max }. Mitglieder können jetzt mit /groupbuy eine Sammelbestellung starten.
groupbuy-tiers-max = , höchstens { $max } Stück
groupbuys-title = 👥 <b>Sammelbestellungen</b>
groupbuys-none = Noch keine Sammelbestellungen.
groupbuys-line = #{ $id } { $title } · { $status } · { $units } Stück von { $people } Personen · je { $price }
groupbuy-status-open = läuft
groupbuy-status-payment = wird bezahlt
groupbuy-status-done = fertig
groupbuy-status-cancelled = ausgefallen
groupbuy-participant-line = { $name }: { $quantity }× { $variant } – { $state }
groupbuy-no-participants = Noch macht niemand mit.
groupbuy-share-joined = dabei, bis { $deadline }
groupbuy-share-waiting = Warteliste, Nummer { $position }
groupbuy-share-to-pay = Rechnung offen, zahlbar bis { $pay_by }
groupbuy-share-paid = bezahlt
groupbuy-share-left = ausgestiegen
groupbuy-share-lapsed = nicht rechtzeitig bezahlt
groupbuy-share-cancelled = ausgefallen, nichts zu zahlen
orders-groupbuys-title = 👥 <b>Deine Sammelbestellungen</b>
orders-groupbuy-line = { $title } · { $quantity }× · { $state }
