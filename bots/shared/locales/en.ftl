## Shared by every bot.

error-generic = Something went wrong. We are looking into it — please try again a little later.
error-temporarily-unavailable = ⏳ The service is temporarily unavailable. Please try again in a minute.
slow-down = Too many messages in a row. Please wait a couple of seconds.
button-stale = This button no longer works.
cancelled = Cancelled. Nothing has changed.
cancel-hint = To cancel, send /cancel.
nothing-to-cancel = There is nothing to cancel.
yes = Yes
no = No
confirm = ✅ Confirm
decline = ❌ Cancel
language-prompt = Выберите язык / Choose a language
language-set = Language: English.
not-a-text = Please answer with text.
too-long = Too long: at most { $max } characters.
# Referenced as { points } by messages that are given $points.
points = { $points ->
    [one] { $points } point
   *[other] { $points } points
}
tier-bronze = Bronze
tier-silver = Silver
tier-gold = Gold
tier-platinum = Platinum

error-validation = Please check what you entered and try again.
error-not-found = Not found.
error-forbidden = You cannot do this.
error-client-not-found = Client not found.
error-client-blocked = This client is blocked.
error-partner-not-found = Partner not found.
error-partner-not-active = This partner is not active in the network right now.
error-insufficient-points = Not enough points: { $available } available.
error-redeem-cap-exceeded = Points can pay at most { $percent }% of a check — { $cap } at most.
error-receipt-reused = Receipt { $receipt } was already used with another amount or client.
error-idempotency-key-reused = This operation was already made with different details.
error-redemption-not-found = Redemption request not found.
error-redemption-expired = The time to confirm has run out. Please make a new request.
error-redemption-already-decided = This request has already been decided.
error-undo-window-passed = Operations can be undone within { $hours } h only.
error-not-reversible = This operation cannot be undone.
error-self-referral = You cannot invite yourself.
error-already-rated = You have already rated this visit.
error-already-applied = Your application is already under review.
error-already-moderated = This has already been decided.
error-phone-taken = This phone number belongs to another account.
error-welcome-bonus-too-large = The welcome bonus can be at most { $max } points: that is the network's limit.
error-broadcast-owner-only = Broadcasts to clients are sent by the owner. The owner can allow cashiers to send them in /settings.

use-the-buttons = Please choose with the buttons above.
amount-invalid = Enter an amount in rubles above zero, e.g. 1500 or 1500.50.
amount-too-large = Too large: at most 10,000,000 ₽.
number-invalid = Enter a whole number, e.g. 100.
number-out-of-range = Enter a number from 1 to { $max }.
text-too-short = Too short: at least { $min } characters.
not-a-command = A text answer is needed here, not a command. To leave, send /cancel.
text-invisible = The answer has no visible characters. Please type it as plain text.
text-control = The answer contains control characters. Please type it as plain text.
flow-unknown-command = There is no such command here. Answer the question above, or send /cancel to leave.

segments-none = Segments have not been computed yet: they are computed every night.
segments-title = Clients by segment on { $date }
customers-new = New (fewer than 3 purchases, none included)
customers-regular = Regular (3+)
customers-vip = VIP (10+ purchases or 100,000 ₽+)
customers-inactive = Inactive (180+ days without a purchase)
segment-champions = Champions
segment-loyal = Loyal
segment-potential-loyalists = Potential loyalists
segment-new = New
segment-promising = Promising
segment-need-attention = Need attention
segment-at-risk = At risk
segment-cannot-lose = Cannot lose
segment-hibernating = Hibernating
segment-lost = Lost

broadcast-audience = Who should get the broadcast?
audience-all = All clients
broadcast-ask-text = Send the broadcast's text (up to 1,024 characters) or a photo with a caption.
broadcast-too-long = Too long: at most 1,024 characters.
broadcast-nobody = Nobody in this audience can be written to right now.
broadcast-preview = This is how clients will see it. Recipients: { $count }. Send?
broadcast-send = ✅ Send ({ $count })
broadcast-starting = Starting the broadcast: 0 of { $count }…
broadcast-already-started = This broadcast has already started: see its progress in the message above.
broadcast-awaiting-approval = The broadcast was sent to the admins for approval. We will tell you the decision.
broadcast-progress = Broadcast: sent { $sent } of { $total }, { $unreachable } unreachable…
broadcast-report = ✅ Broadcast finished: delivered { $sent } of { $total }, { $unreachable } unreachable, { $uncertain } uncertain, { $failed } failed.
error-redemption-code-wrong = Wrong code. Attempts left: { $attemptsLeft }.
error-redemption-code-locked = The redemption request was cancelled: too many wrong codes. No points were spent.
error-redemption-superseded = This request was replaced by a newer request no. { $newRequestId }. No points will be spent on the old one.
error-redemption-cancelled = The cashier cancelled this request. No points were spent.
error-code-attempts-exceeded = Too many wrong codes in the last hour. Code entry is available again in { $minutes } min; the client can still confirm in their bot.
error-job-not-dead = Only a failed job can be retried; this one is not failed (it may have been retried already).
# The locale numbers and dates are formatted in (Intl), for this language.
intl-locale = en-US

## The dashboard's sign-in link (/dashboard in the admin and partner bots).
dashboard-link = 🔐 Your sign-in link to the dashboard. It works once, for { $minutes } min — until { $until } (Moscow time). Do not forward it to anyone.
dashboard-open = Open the dashboard
dashboard-logout-everywhere = Log out everywhere
dashboard-logged-out = { $count ->
    [0] There were no open dashboard sessions. Unused sign-in links no longer work.
    [one] Ended { $count } dashboard session. Unused sign-in links no longer work.
   *[other] Ended { $count } dashboard sessions. Unused sign-in links no longer work.
}
