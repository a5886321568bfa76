## Client bot.

cmd-start = Start
cmd-balance = Balance and tier
cmd-code = Code for the till
cmd-phone = Add my phone
cmd-history = History
cmd-invite = Invite a friend
cmd-promotions = Promotions
cmd-services = Partners' services
cmd-language = Language
cmd-delete_me = Delete my data
cmd-help = Help
bot-description = A cashback network: collect points at one partner, spend them at any.
bot-short-description = Points for purchases at the network's partners.

menu-balance = 💰 Balance
menu-history = 📜 History
menu-invite = 🤝 Invite a friend
menu-promotions = 🎁 Promotions
menu-services = 🛍 Services
menu-language = 🌐 Language

help = I keep your network points. Give the cashier your phone number or code to collect points, and spend them at any partner.
    The buttons below: balance, history, invite a friend, promotions and services. /code — a code for the till instead of your phone.
please-start = Please join the network first: send /start.
account-blocked = Your account is blocked. If this is a mistake, please contact a partner of the network.
welcome-known = Welcome back!
welcome-bonus = Welcome to the network! Your welcome bonus: { points }.
welcome-back = Welcome to the network!
share-phone = 📱 Share my phone number
skip-phone = Skip
ask-phone = Share your phone number so the cashier can find you quickly. It is optional.
ask-phone-again = Press "📱 Share my phone number" or "Skip".
phone-not-yours = Please send your own number with the button below.

balance = Balance: { points }
tier-line = Tier: { $tier } (earned this year: { $earned })
tier-next = To "{ $tier }": { points }
tier-top = You are at the top tier.

my-card = 💳 My card
my-card-menu = 💳 Card
my-card-offer = Your card is in the app: balance, the code for the till with its QR, history and friends.

history-title = History:
history-empty = No operations yet.
history-older = Older ›
history-line = { $date } · { $kind } · { $points } · { $partner }
date-locale = en-GB
ledger-accrual = cashback
ledger-redemption = spent
ledger-welcome-bonus = welcome bonus
ledger-referral-bonus = friend bonus
ledger-reversal = undone
ledger-adjustment = adjustment
ledger-expiry = expired
ledger-forfeiture = forfeited on deletion
ledger-merge = points moved

client-code = Your code for the till: { $code }
    Tell it to the cashier instead of your phone number. It is valid for { $minutes } minutes.

invite = Invite friends: when a friend makes their first purchase, you get a bonus.
    Your link: { $link }
    Code: { $code }

promotions-title = 🎁 Promotions
promotions-empty = No promotions right now — check back later.
promotion-card = 🏷 { $partner }: { $title }
    📅 { $from } — { $until }

    { $body }
services-title = 🛍 Partners' services
services-empty = No services yet.
service-line = { $partner }: { $name } — { $price }
    { $description }

redemption-ask = { $partner } asks to take { points } off a check of { $check }.
    Confirm if you are at the till. Or tell the cashier this code: { $code }
redemption-confirmed = { points } spent. Balance: { $balance }.
redemption-declined = You declined spending { points }. Your points are kept.

nps-ask = How was your visit to "{ $partner }"? How likely are you to recommend it to a friend? 0 — not at all, 10 — certainly.
nps-thanks = Thank you for rating!
nps-rated = Your rating: { $score }. Thank you!
nps-ask-comment = We are sorry something went wrong. Tell us what — the partner will see it. Or send /cancel.
nps-comment-thanks = Thank you, the partner will get your feedback.

delete-confirm = Delete your data? Your name, phone and account will be erased and your { points } will be lost. This cannot be undone.
delete-yes = Delete
delete-no = Keep
delete-kept = OK, nothing was deleted.
delete-done = Your data has been deleted.
delete-bye = Thank you for being with us. To come back, send /start.

notify-points-accrued = +{ points } from "{ $partner }". Balance: { $balance }.
notify-referral-bonus = Your friend made their first purchase — you got { points }!
notify-tier-up = Congratulations! Your new tier: { $tier }.
notify-points-redeemed = { points } spent. Balance: { $balance }.
notify-redemption-code-locked = The request to spend { points } was cancelled: a wrong code was typed too many times. Your points are kept. Tell your code only to the cashier serving you.
notify-operation-undone = A partner undid an operation ({ $points }). Balance: { $balance }.
notify-referral-bonus-undone = Your friend's purchase was cancelled, so the friend bonus was withdrawn ({ $points }). Balance: { $balance }.
notify-balance-adjusted = An admin adjusted your balance: { $points }. Balance: { $balance }.
phone-ask = Press the button to share your number, so the cashier can find you by phone.
phone-saved = Your number is saved.
phone-saved-merged = Your number is saved. We found purchases a cashier recorded under this number: their points are now yours. Balance: { $balance }.
