## Admin bot.

cmd-queue = Moderation queue
cmd-approvals = Approval of partner broadcasts
cmd-stats = Network statistics
cmd-segments = Client segments
cmd-broadcast = Broadcast
cmd-find = Find a client or partner
cmd-settings = Network settings
cmd-audit = Audit log
cmd-dashboard = Dashboard (sign-in link)
cmd-language = Language
cmd-help = Help
bot-description = Administration of the cashback network.
bot-short-description = The cashback network's admin.

not-admin = This bot is for the network's admins. If you are a partner or a client, please use the partner or client bot.
admin-help = /queue — applications and services waiting for review
    /broadcast — a message to the network's clients or a segment
    /approvals — approval of partner broadcasts
    /stats — network statistics for 30 days
    /segments — clients by segment
    /find — find a client (phone, code, Telegram id) or a partner (code)
    /settings — network settings: bonuses, tiers, cashback, time limits
    /audit — recent actions
    /dashboard — the dashboard in a browser: a sign-in link
    /language — language
approve = ✅ Approve
reject = ❌ Reject
approved = Approved. The partner will be told.
rejected = Rejected. Reason: { $reason }
ask-reject-reason = The reason (the partner will see it)?
queue-empty = The queue is empty.
application-card = Application no. { $id }
    { $name } ({ $category })
    { $address }
    Contact: { $contact }, { $phone }
service-card = Service no. { $id } from "{ $partner }"
    { $name } — { $price }
    { $description }
new-partner-application = 🆕 New partner application no. { $partnerId }: "{ $name }". Review: /queue
new-service = 🆕 New service for review no. { $serviceId }: "{ $name }". Review: /queue
network-stats = 📊 The network, last 30 days:
    Clients: { $clients } ({ $newClients } new), partners: { $partners }
    Turnover: { $turnover }, checks: { $checks }
    Points: { $pointsIssued } issued, { $pointsRedeemed } redeemed, { $pointsOutstanding } held by clients
    Waiting for review: { $pendingApplications } applications, { $pendingServices } services
    Jobs: { $jobsPending } queued, { $jobsDead } failed
find-usage = Usage: /find <phone | client code | Telegram id | partner code>
find-nothing = Nothing found.
client-card = Client no. { $id }: { $name }
    Phone: { $phone }, Telegram: { $telegram }
    Status: { $status }. Balance: { $balance }, tier: { $tier }
partner-card = Partner no. { $id }: { $name } ({ $category })
    Status: { $status }, phone: { $phone }, code: { $code }
adjust = ± Adjust
block = 🚫 Block
unblock = ✅ Unblock
ask-adjust-points = By how many points to change the balance? E.g. +100 or -50.
adjust-invalid = Enter a whole number with a sign, e.g. +100 or -50 (at most 1,000,000 either way).
ask-adjust-reason = The reason (goes to the audit log)?
adjust-confirm = Change client no. { $clientId }'s balance by { $points }? Reason: { $reason }
adjusted = Done. The client's balance: { $balance }.
ask-block-reason = The reason (goes to the audit log)?
blocked-done = Blocked.
unblocked-done = Unblocked.
audit-title = Recent actions:
audit-empty = The audit log is empty.
segments-recompute = 🔄 Recompute now
segments-recompute-queued = Recomputing — I will write when it is done.
segments-recomputed = Segments recomputed (rows: { $rows }). /segments
new-broadcast = 🆕 A partner broadcast no. { $broadcastId } awaits approval:
    { $text }
digest-network = 📈 The network yesterday: turnover { $turnover }, { $checks } checks, { $newClients } new clients, { $pointsIssued } points issued and { $pointsRedeemed } redeemed. Waiting for review: { $pendingApplications } applications, { $pendingServices } services. Failed jobs: { $jobsDead }.
approvals-on = Partner broadcasts now wait for an admin's approval.
approvals-off = Partner broadcasts now go out without approval.
approvals-turn-on = Require approval
approvals-turn-off = Send without approval

## Statuses, categories and operations in the reader's language.
client-status-active = active
client-status-blocked = blocked
client-status-deleted = deleted their data
client-status-merged = merged into another
partner-status-pending = application under review
partner-status-approved = active
partner-status-rejected = application rejected
partner-status-blocked = blocked
partner-category-cafe = Café
partner-category-restaurant = Restaurant
partner-category-beauty = Beauty salon
partner-category-shop = Shop
partner-category-services = Services
partner-category-other = Other
op-accrual = cashback
op-redemption = spent
op-welcome-bonus = welcome bonus
op-referral-bonus = friend bonus
op-reversal = undone
op-adjustment = adjustment
op-expiry = expired
op-forfeiture = forfeited on deletion
op-merge = points moved

## The client card: nightly numbers, latest operations, undo.
client-numbers = Purchases: { $purchases } for { $total }, average check { $average }, last: { $last }
    LTV: { $ltv }. Category: { $category }; segment: { $segment } (computed on { $date })
client-numbers-none = Purchases and LTV are not computed yet: they are computed every night (or /segments → "Recompute now").
client-no-purchase = no purchase yet
client-operations = Latest operations:
client-operation = no. { $id } · { $date } · { $kind } { $points } · { $partner }
client-operation-undone = no. { $id } · { $date } · { $kind } { $points } · { $partner } (undone)
undo-button = ↩️ Undo no. { $id }: { $kind } { $points }
undo-confirm = Undo this operation of client no. { $clientId }?
    { $line }
    The points go back or are taken back; the client will be told.
undo-yes = ↩️ Yes, undo
undo-done = Operation no. { $id } undone ({ $points }). The client's balance: { $balance }.{ $shortfall ->
    [0] {""}
   *[other] {" "}Short on the balance: { $shortfall }.
}
undo-already = Operation no. { $id } is already undone — it is not undone twice.

## /audit
audit-line = { $time } · { $actor } · { $action } · { $target }
audit-target = { $type } no. { $id }
audit-change = { $name }: { $from } → { $to }
audit-reason = reason: { $reason }
audit-actor-admin = admin { $id }
audit-actor-staff = staff { $id }
audit-actor-client = client
audit-actor-system = system
audit-target-client = client
audit-target-partner = partner
audit-target-service = service
audit-target-promotion = promotion
audit-target-broadcast = broadcast
audit-target-network = network
audit-target-ledger-entry = operation
audit-target-person = person
audit-target-job = job
audit-action-settings-update = changed network settings
audit-action-ledger-undo = undid an operation
audit-action-ledger-adjust = adjusted a balance
audit-action-client-block = blocked a client
audit-action-client-unblock = unblocked a client
audit-action-client-register-by-phone = registered a client by phone
audit-action-client-delete-data = deleted their data
audit-action-partner-apply = applied as a partner
audit-action-partner-approve = approved a partner application
audit-action-partner-reject = rejected a partner application
audit-action-partner-block = blocked a partner
audit-action-partner-unblock = unblocked a partner
audit-action-partner-settings = changed partner settings
audit-action-staff-add = added a staff member
audit-action-staff-remove = removed a staff member
audit-action-service-submit = submitted a service for review
audit-action-service-approve = approved a service
audit-action-service-reject = rejected a service
audit-action-promotion-create = created a promotion
audit-action-promotion-delete = deleted a promotion
audit-action-broadcast-create = created a broadcast
audit-action-broadcast-approve = approved a broadcast
audit-action-broadcast-reject = rejected a broadcast
audit-action-dashboard-sign-in = signed in to the dashboard
audit-action-dashboard-sign-out-everywhere = logged out of the dashboard everywhere
audit-action-dashboard-sign-out = logged out of the dashboard
audit-action-job-retry = retried a failed job

## /settings
settings-title = ⚙️ Network settings. A change is in effect at once and goes to the audit log (/audit). What to change?
settings-line = { $name }: { $value }
setting-welcomeBonus = Welcome bonus
setting-maxWelcomeBonus = Cap on a partner's welcome bonus
setting-referralBonus = Friend bonus
setting-tierThresholds-silver = Silver threshold
setting-tierThresholds-gold = Gold threshold
setting-tierThresholds-platinum = Platinum threshold
setting-ratesBp-bronze = Bronze cashback
setting-ratesBp-silver = Silver cashback
setting-ratesBp-gold = Gold cashback
setting-ratesBp-platinum = Platinum cashback
setting-maxRedeemPercent = Share of a check payable with points
setting-undoWindowHours = Undo window for partners
setting-redemptionTtlMinutes = Redemption code lifetime
setting-npsDelayMinutes = Rating question after
setting-digestHour = Daily digest hour
setting-partnerBroadcastsNeedApproval = Approval of partner broadcasts
value-percent = { $n }%
value-hours = { $n } h
value-minutes = { $n } min
setting-hint-points = whole points from { $min } to { $max }
setting-hint-percent = a percentage from { $min } to { $max }, e.g. 7.5
setting-hint-percent-whole = a whole percentage from { $min } to { $max }
setting-hint-hours = hours from { $min } to { $max }
setting-hint-minutes = minutes from { $min } to { $max }
setting-hint-hour-of-day = an hour (Moscow time) from { $min } to { $max }
setting-ask = { $name } is now { $value }. The new value: { $hint }? To keep it, send /cancel.
setting-invalid = That does not fit. Expected: { $hint }.
setting-order = Tier thresholds must rise: 0 < Silver < Gold < Platinum (now { $silver } / { $gold } / { $platinum }). Enter another value or /cancel.
setting-saved = ✅ { $name }: { $from } → { $to }. In effect now.
setting-unchanged = That is the same value — nothing changed.

dashboard-no-address = The dashboard has no address yet: set PUBLIC_URL (the web server's external https address) in the configuration and restart the network.
