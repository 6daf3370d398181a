## Retailer accounts: creating a retailer, joining with a one-time code, staff, API keys

retailer-private-only = Retailer accounts are managed in the private chat with me, as codes and keys are secret.
retailer-usage =
    How /retailer works:
    /retailer – your retailer account and its members
    /retailer R-… – join a retailer with a one-time code
    /retailer invite – a code for a new staff member (owners)
    /retailer remove USER_ID – take a staff member off (owners)
    /retailer new NAME – create a retailer (platform administrators)
retailer-none = You don't act for any retailer. Got a code from a retailer? Send /retailer followed by the code, e.g. /retailer R-AbC123.
retailer-admin-overview = You are a platform administrator and may act on every retailer's data. There { $count ->
        [one] is one retailer
       *[other] are { $count } retailers
    }. Create one with /retailer new NAME.
retailer-error-admin-only = Only platform administrators can create retailers.
retailer-error-admin-no-account = There are several retailers and you belong to none of them. Join one with its code, or create one with /retailer new NAME.
retailer-error-owner-only = Only the retailer's owner can do that.
retailer-error-name = Give the retailer a name of at least two characters: /retailer new Müller Mode
retailer-error-role = There is no such role.
retailer-error-unknown = I don't know this retailer.
retailer-error-already-member = You act for a retailer already; a person can act for one retailer only.
retailer-error-code = This code is unknown, used already or expired. Ask for a new one.
retailer-error-not-member = Nobody with this user id works for your retailer.
retailer-error-remove-owner = The owner stays with the retailer and cannot be removed.
retailer-created =
    🏪 Retailer <b>{ $name }</b> created.
    The owner's one-time code (valid until { $until }):
    <code>{ $code }</code>
    The owner sends me /retailer { $code } in a private chat.
retailer-invited =
    🔑 A one-time code for a new staff member of <b>{ $name }</b> (valid until { $until }):
    <code>{ $code }</code>
    They send me /retailer { $code } in a private chat.
retailer-joined = ✅ Welcome! You now act for <b>{ $name }</b> as { $role }. /retailer shows the account.
retailer-removed = User { $id } no longer works for your retailer.
retailer-account = 🏪 <b>{ $name }</b> – you are { $role }.
retailer-members-title = Members:
retailer-member-line = · { $name } ({ $role }, id { $id })
retailer-members-none = · nobody yet
retailer-keys = API keys in use: { $count }
retailer-owner-hints = /retailer invite – a code for staff · /apikey – a key for the retailer API
retailer-role-owner = owner
retailer-role-staff = staff
retailer-role-admin = platform administrator

apikey-usage =
    How /apikey works:
    /apikey – a new key for the retailer API (shown only once)
    /apikey revoke – revoke every key
    /apikey revoke kr_AbC1234 – revoke the key starting with these characters
apikey-created =
    🔐 A new API key for <b>{ $name }</b>, shown only this once:
    <code>{ $key }</code>
    Send it as <code>Authorization: Bearer …</code> to { $url } (the documentation is at { $url }/openapi.json). Keys in use: { $count }. Lost it? Revoke it with /apikey revoke.
apikey-revoked = { $count ->
        [0] There was no key to revoke.
        [one] One key revoked: it no longer works.
       *[other] { $count } keys revoked: they no longer work.
    }
apikey-error-unknown = No key in use starts with { $prefix }. /retailer shows how many keys are in use.
