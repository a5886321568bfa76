title = Cashback network — dashboard
loading = Loading…
nothing-here = Nothing here yet.
page-not-found = There is no such page.
cancel = Cancel
save = Save
search = Search
total = Total
previous = Previous
next = Next
older = Show older
page-of = Page { $page } of { $pages }
no-name = (no name)
download-csv = Download CSV
reason = Reason
reason-placeholder = At least 3 characters

## Signing in
how-to-sign-in = To sign in, send /dashboard to the admin bot (admins) or to the partner bot (partner owners) and open the link it sends. The link works once, for 10 minutes.
sign-in-link-failed = This sign-in link has already been used or has expired. Send /dashboard in the bot to get a new one.
session-ended = Your session has ended (it expired, or you logged out everywhere in the bot).
signed-out = You have signed out.
sign-out = Sign out
role-admin = Network administrator
role-partner = Partner: { $name }

## Menu
nav-overview = Overview
nav-partners = Partners
nav-clients = Clients
nav-promotions = Promotions
nav-services = Services
nav-broadcasts = Broadcasts
nav-settlement = Settlement
nav-exports = Exports
nav-jobs = Failed jobs
nav-audit = Audit log
nav-settings = Settings

## Errors
error-network = The server does not answer. Check your connection and try again.
error-session = Your session has ended. Send /dashboard in the bot to sign in again.
error-csrf = The page is out of date. Reload it and try again.
error-forbidden = You do not have access to this.
error-not-found = Not found.
error-client-not-found = Client not found.
error-partner-not-found = Partner not found.
error-partner-not-active = This partner is not active in the network right now.
error-already-moderated = This has already been decided.
error-not-reversible = This operation cannot be undone.
error-idempotency-key-reused = This operation was already made with different details.
error-job-not-dead = Only a failed job can be retried.
error-rate-limited = Too many requests. Wait a moment and try again.
error-field = Check “{ $field }”: { $message }
error-server = Something went wrong on the server. Please try again a little later.

## Period
period-last-days = { $days } days
period-from = From
period-to = to
period-show = Show

## Overview
overview-title-network = Network overview
overview-title-partner = Overview: { $name }
total-turnover = Turnover
total-checks = Checks
total-average-check = Average check
total-points-issued = Points issued
total-points-redeemed = Points redeemed
total-liability = Points outstanding (liability)
total-new-clients = New clients
total-nps = NPS
nps-responses = { $count ->
    [one] { $count } rating
   *[other] { $count } ratings
}
chart-turnover-checks = Turnover and checks
chart-turnover = Turnover
chart-checks = Checks
chart-points = Points issued and redeemed
chart-points-issued = Issued
chart-points-redeemed = Redeemed
chart-liability = Points outstanding at the end of the day
chart-nps = NPS
chart-nps-none = No ratings in this period.
chart-day = Day
chart-new-clients = New clients

## Tables
col-partner = Partner
col-category = Category
col-address = Address
col-contact = Contact
col-status = Status
col-applied = Applied
col-client = Client
col-phone = Phone
col-balance = Balance
col-segment = Segment
col-joined = Joined
col-username = Telegram
col-tier = Tier
col-language = Language
col-ltv = LTV
col-purchases = Purchases
col-total = Spent in total
col-average-check = Average check
col-last-purchase = Last purchase
col-computed-on = Computed on
col-when = When
col-receipt = Receipt
col-amount = Amount
col-points = Points
col-operation = Operation
col-balance-after = Balance after
col-reason = Reason
col-promotion = Promotion
col-starts = Starts
col-ends = Ends
col-service = Service
col-price = Price
col-created = Created
col-sender = Sender
col-text = Text
col-audience = Audience
col-job-kind = Kind
col-attempts = Attempts
col-last-error = Last error
col-run-at = Due
col-updated = Updated
col-actor = Who
col-action = Action
col-target = Object
col-details = Details
col-setting = Setting
col-value = Value
col-bounds = Allowed
col-issued = Points issued
col-redeemed-here = Redeemed at the partner
col-net = Net

## Actions
action-approve = Approve
action-reject = Reject
action-block = Block
action-unblock = Unblock
action-undo = Undo
action-retry = Retry
action-edit = Change

## Partners
partners-title = Partners and applications
filter-all = All
partner-status-pending = Application
partner-status-approved = Active
partner-status-rejected = Rejected
partner-status-blocked = Blocked
partner-category-cafe = Café
partner-category-restaurant = Restaurant
partner-category-beauty = Beauty salon
partner-category-shop = Shop
partner-category-services = Services
partner-category-other = Other

## Clients
clients-title = Clients
clients-search = Name, phone digits or referral code
clients-search-placeholder = Name, phone or code
# A partner finds a phone only by the whole number (a part would reveal the masked digits).
clients-search-hint-admin = Searches by name or @username, by phone digits (a part of the number is enough) and by a whole referral code.
clients-search-hint-partner = Searches by name or @username, by the whole phone number and by a whole referral code.
clients-found = { $total ->
    [one] { $total } client found
   *[other] { $total } clients found
}
filter-any-category = Any category
filter-any-segment = Any segment
category-new = New
category-regular = Regular
category-vip = VIP
category-inactive = Inactive
segment-champions = Champions
segment-loyal = Loyal
segment-potential_loyalists = Potential loyalists
segment-new = New
segment-promising = Promising
segment-need_attention = Need attention
segment-at_risk = At risk
segment-cannot_lose = Cannot lose them
segment-hibernating = Hibernating
segment-lost = Lost
client-status-active = Active
client-status-blocked = Blocked
client-status-deleted = Deleted
client-status-merged = Merged
tier-bronze = Bronze
tier-silver = Silver
tier-gold = Gold
tier-platinum = Platinum

## A client's card
client-profile = Profile
client-numbers = Numbers
client-numbers-none = Not computed yet: the numbers are computed every night.
client-purchases = Purchases
client-ledger = Points history
purchase-cancelled = Cancelled
ledger-accrual = Accrual
ledger-redemption = Redemption
ledger-welcome-bonus = Welcome bonus
ledger-referral-bonus = Referral bonus
ledger-reversal = Undo
ledger-adjustment = Adjustment
ledger-expiry = Expiry
ledger-forfeiture = Forfeiture
ledger-merge = Accounts merged
adjust-open = Adjust the balance…
adjust-title = Adjust the balance
adjust-points = Points (+ adds, − takes away)
adjust-points-placeholder = E.g. 100 or −50
adjust-points-invalid = Enter a whole number of points other than zero, at most 1,000,000 either way.
adjust-submit = Adjust
adjust-hint = The client is told about the adjustment; it is written to the audit log with your name.

## Promotions and services
promotions-title = Promotions
promotion-running = Running
promotion-upcoming = Upcoming
promotion-ended = Ended
services-title = Services
service-status-pending = Awaiting moderation
service-status-approved = Approved
service-status-rejected = Rejected

## Broadcasts
broadcasts-title = Broadcasts
sender-admin = Network
audience-everyone = Everyone
finished-at = finished { $time }
broadcast-status-awaiting_approval = Awaiting approval
broadcast-status-sending = Sending
broadcast-status-done = Done
broadcast-status-rejected = Rejected
broadcast-status-cancelled = Cancelled
col-report = Delivery
report-delivered-of = Delivered { $sent } of { $total }
report-unreachable = Unreachable
report-uncertain = Uncertain
report-failed = Failed
report-pending = Waiting

## Jobs and audit
jobs-title = Failed jobs
job-status-dead = Failed
job-status-pending = Waiting
job-status-running = Running
audit-title = Audit log
actor-client = Client
actor-staff = Partner staff
actor-admin = Admin
actor-system = System
# Audit actions and targets: the admin bot's words (/audit); an unknown id is shown as it is.
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
audit-target-numbered = { $type } no. { $id }
audit-target-client = client
audit-target-partner = partner
audit-target-service = service
audit-target-promotion = promotion
audit-target-broadcast = broadcast
audit-target-network = network
audit-target-ledger-entry = operation
audit-target-person = person
audit-target-job = job

## Settings
settings-title = Network settings
settings-hint = The network's default numbers. A change applies at once and is written to the audit log.
unit-points = points
unit-basisPoints = basis points
unit-percent = %
unit-hours = h
unit-minutes = min
unit-hourOfDay = o'clock (Moscow)
unit-hourOfDay-value = { $hour }:00 Moscow time
setting-welcomeBonus = Welcome bonus
setting-maxWelcomeBonus = Largest welcome bonus a partner may set
setting-referralBonus = Referral bonus
setting-tierThresholds-silver = Points for Silver
setting-tierThresholds-gold = Points for Gold
setting-tierThresholds-platinum = Points for Platinum
setting-ratesBp-bronze = Cashback at Bronze
setting-ratesBp-silver = Cashback at Silver
setting-ratesBp-gold = Cashback at Gold
setting-ratesBp-platinum = Cashback at Platinum
setting-maxRedeemPercent = Largest share of a check paid with points
setting-undoWindowHours = Time to undo an operation
setting-redemptionTtlMinutes = Time to confirm a redemption
setting-npsDelayMinutes = Delay before asking for a rating
setting-digestHour = Daily digest hour

## Settlement and exports
settlement-title = Settlement between partners
settlement-hint = Per partner: the points its checks and bonuses gave out, the points clients paid with at it, and the net.
settlement-legend-positive = + the partner owes the network (it gave out more points than clients paid with at it)
settlement-legend-negative = − the network owes the partner (clients paid with more points at it than it gave out)
settlement-unassigned = The “Points issued” total here can differ from “Points issued” on the overview: points with no partner (welcome bonuses of clients who joined without a partner's link, and admin adjustments) belong to no partner and are not in this table.
exports-title = Exports
export-clients = Clients
export-clients-hint = Clients who joined in the period.
export-ledger = Points ledger
export-ledger-hint = Every points operation in the period.
export-purchases = Purchases
export-purchases-hint = Every check in the period.
