## Händlerkonten: Händler anlegen, mit einem Einmal-Code beitreten, Mitarbeitende, API-Schlüssel

retailer-private-only = Händlerkonten verwaltest du im privaten Chat mit mir, denn Codes und Schlüssel sind geheim.
retailer-usage =
    So geht /retailer:
    /retailer – dein Händlerkonto und seine Mitglieder
    /retailer R-… – mit einem Einmal-Code einem Händler beitreten
    /retailer invite – ein Code für neue Mitarbeitende (Inhaber:innen)
    /retailer remove NUTZER_ID – Mitarbeitende entfernen (Inhaber:innen)
    /retailer new NAME – einen Händler anlegen (Plattform-Admins)
retailer-none = Du handelst für keinen Händler. Du hast einen Code bekommen? Schick /retailer und den Code, z. B. /retailer R-AbC123.
retailer-admin-overview = Du bist Plattform-Admin und darfst mit den Daten aller Händler arbeiten. Es gibt { $count ->
        [one] einen Händler
       *[other] { $count } Händler
    }. Einen neuen legst du mit /retailer new NAME an.
retailer-error-admin-only = Händler anlegen können nur Plattform-Admins.
retailer-error-admin-no-account = Es gibt mehrere Händler und du gehörst zu keinem. Tritt einem mit seinem Code bei oder lege einen mit /retailer new NAME an.
retailer-error-owner-only = Das kann nur die Inhaberin oder der Inhaber des Händlers.
retailer-error-name = Gib dem Händler einen Namen mit mindestens zwei Zeichen: /retailer new Müller Mode
retailer-error-role = Diese Rolle gibt es nicht.
retailer-error-unknown = Diesen Händler kenne ich nicht.
retailer-error-already-member = Du handelst schon für einen Händler; man kann nur für einen Händler handeln.
retailer-error-code = Dieser Code ist unbekannt, schon benutzt oder abgelaufen. Bitte um einen neuen.
retailer-error-not-member = Mit dieser Nutzer-ID arbeitet niemand für deinen Händler.
retailer-error-remove-owner = Die Inhaberin oder der Inhaber bleibt beim Händler und kann nicht entfernt werden.
retailer-created =
    🏪 Händler <b>{ $name }</b> angelegt.
    Der Einmal-Code für die Inhaberin oder den Inhaber (gültig bis { $until }):
    <code>{ $code }</code>
    Sie oder er schickt mir im privaten Chat /retailer { $code }.
retailer-invited =
    🔑 Ein Einmal-Code für neue Mitarbeitende von <b>{ $name }</b> (gültig bis { $until }):
    <code>{ $code }</code>
    Sie schicken mir im privaten Chat /retailer { $code }.
retailer-joined = ✅ Willkommen! Du handelst jetzt für <b>{ $name }</b> als { $role }. /retailer zeigt das Konto.
retailer-removed = Nutzer:in { $id } arbeitet nicht mehr für deinen Händler.
retailer-account = 🏪 <b>{ $name }</b> – du bist { $role }.
retailer-members-title = Mitglieder:
retailer-member-line = · { $name } ({ $role }, ID { $id })
retailer-members-none = · noch niemand
retailer-keys = API-Schlüssel in Gebrauch: { $count }
retailer-owner-hints = /retailer invite – ein Code für Mitarbeitende · /apikey – ein Schlüssel für die Händler-API
retailer-role-owner = Inhaber:in
retailer-role-staff = Mitarbeiter:in
retailer-role-admin = Plattform-Admin

apikey-usage =
    So geht /apikey:
    /apikey – ein neuer Schlüssel für die Händler-API (wird nur einmal gezeigt)
    /apikey revoke – alle Schlüssel sperren
    /apikey revoke kr_AbC1234 – den Schlüssel sperren, der so beginnt
apikey-created =
    🔐 Ein neuer API-Schlüssel für <b>{ $name }</b>, nur dieses eine Mal zu sehen:
    <code>{ $key }</code>
    Schick ihn als <code>Authorization: Bearer …</code> an { $url } (die Beschreibung steht unter { $url }/openapi.json). Schlüssel in Gebrauch: { $count }. Verloren? Sperr ihn mit /apikey revoke.
apikey-revoked = { $count ->
        [0] Es gab keinen Schlüssel zum Sperren.
        [one] Ein Schlüssel gesperrt: Er funktioniert nicht mehr.
       *[other] { $count } Schlüssel gesperrt: Sie funktionieren nicht mehr.
    }
apikey-error-unknown = Kein Schlüssel in Gebrauch beginnt mit { $prefix }. /retailer zeigt, wie viele Schlüssel in Gebrauch sind.
