## Admin bot.

cmd-queue = Moderation queue
cmd-approvals = Approval of partner broadcasts
cmd-stats = Network statistics
cmd-segments = Client segments
cmd-broadcast = Broadcast
cmd-find = Find a client or partner
cmd-audit = Audit log
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
    /audit — recent actions
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
