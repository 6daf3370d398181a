## In groups: polls, the week's top, recommendations, inviting friends, credit

command-poll = Poll between shared products
command-top = What the group liked this week
command-invite = Invite friends and earn a reward
command-credits = Your credit

poll-group-only = Polls are for groups: write /poll there.
poll-too-few = Share at least { $min } products in the group first (through @ search), then you can vote.
poll-pick = Which products go into the poll? Tap them (2 to 10).
poll-start-button = 📊 Start poll
poll-question = Which one do we take?
poll-started = 📊 The poll is open for 24 hours.
poll-closed-no-votes = The poll is over – nobody voted.
poll-winner = 🏆 The winner, with { $votes } { $votes ->
        [one] vote
       *[other] votes
    } ({ $voters } { $voters ->
        [one] person
       *[other] people
    } voted):

top-group-only = /top shows in a group what it liked this week.
top-title = <b>🏆 This group's week</b>
top-liked = <b>Most 👍</b>
top-wished = <b>Most wished</b>
top-bought = <b>Most bought</b>
top-none = – nothing yet –
top-line = { $number }. { $title } ({ $count })

card-recommend = 💌 Recommend
recommend-nobody = There is nobody here yet to recommend it to.
recommend-pick = { $name }, who would you like to recommend this to?
recommend-note-or-skip = Write a short note (as a reply below) or send it without a note.
recommend-skip = Send without a note
recommend-note-prompt = 💌 Your note for the recommendation:
recommend-received = 💌 { $name } recommends this to you (from “{ $group }”):
recommend-received-note = 💌 { $name } recommends this to you (from “{ $group }”): “{ $note }”
recommend-sent = 💌 Your recommendation to { $name } is on its way.
recommend-not-started = { $name } has never written to me, so I may not send a private message. Once { $name } starts @{ $bot }, it works.

invite-private-only = Your invite link is in your private chat with me: send me /invite.
invite-text = 🎁 Your personal invite link:
    { $link }

    Whoever starts through it and orders for the first time earns each of you { $reward } in credit.
    Invited: { $invited } · Reward earned: { $rewarded }
referral-reward-inviter = 🎁 The friend you invited placed their first order: { $amount } in credit for you!
referral-reward-invited = 🎁 A welcome reward for your first order: { $amount } in credit!

credits-private-only = Your credit is shown in your private chat with me: send me /credits.
credits-empty = You have no credit yet. With /invite you invite friends and earn a reward.
credits-balance = 💰 Your credit: <b>{ $amount }</b>
credits-line = { $amount } · { $reason }
recommend-note-expired = I no longer know whom you wanted to recommend this to. Please tap “💌 Recommend” on the product card again.
