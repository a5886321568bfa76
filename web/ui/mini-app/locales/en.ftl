## The client Mini App (web/ui/mini-app). Russian in ru.ftl, same keys.

app-title = My card
loading = Loading…
points = { $count ->
    [one] { $count } point
   *[other] { $count } points
}

tab-card = Card
tab-history = History
tab-friends = Friends
tab-network = Partners

balance-label = Balance
tier-bronze = Bronze
tier-silver = Silver
tier-gold = Gold
tier-platinum = Platinum
tier-label = Tier: { $tier }
tier-progress = Earned this year: { $earned } of { $threshold }
tier-to-next = { $points } more to { $tier }
tier-top = You are at the top tier.
rate-line = Cashback at your tier: { $rate }%

code-title = Code for the till
code-hint = Show the QR code or tell the digits to the cashier instead of your phone number.
code-expires = New code in { $time }
code-valid = Valid for { $time } more
code-refreshing = Getting a code…
code-failed = Could not get a code.
code-retry = Try again
code-qr-label = QR code of your till code

history-title = History
history-empty = No operations yet.
history-end = That is all.
history-failed = Could not load the history.
history-balance-after = balance { $balance }
ledger-accrual = Cashback
ledger-redemption = Spent
ledger-welcome_bonus = Welcome bonus
ledger-referral_bonus = Friend bonus
ledger-reversal = Undone
ledger-adjustment = Adjustment
ledger-expiry = Expired
ledger-forfeiture = Forfeited on deletion
ledger-merge = Points moved
ledger-other = Operation

friends-title = Invite friends
friends-hint = Send a friend your link. When they make their first purchase, you get { $bonus }.
friends-joined = Joined
friends-rewarded = Brought a bonus
friends-code = Your code: { $code }
friends-qr-label = QR code of your invitation link
copy-link = Copy link
copied = Copied
share-link = Share
share-text = Join the cashback network: collect points at one partner, spend them at any.
copy-failed = Could not copy: select the link and copy it by hand.

promotions-title = Promotions
promotions-empty = No promotions right now — check back later.
promotion-dates = { $from } — { $until }
services-title = Services
services-empty = No services yet.
network-failed = Could not load the partners' offers.

language-title = Language
language-ru = Русский
language-en = English
language-failed = Could not change the language.

error-title = Something went wrong
error-not-telegram = Open this page from the client bot: the “💳 My card” button.
error-auth = This page was opened too long ago or not from Telegram. Close it and open it again from the bot.
error-not-client = You are not in the network yet. Open the bot and press Start.
error-blocked = Your account is blocked. If this is a mistake, please contact a partner of the network.
error-network = No connection to the server. Check the internet and try again.
error-other = The server could not answer ({ $code }). Please try again later.
retry = Try again
