## Partner bot.

cmd-start = Start
cmd-accrue = Add cashback
cmd-redeem = Spend points
cmd-find = Find a client
cmd-undo = Undo an operation
cmd-stats = Statistics
cmd-segments = Client segments
cmd-broadcast = Message your clients
cmd-link = Link and QR for clients
cmd-promotions = My promotions
cmd-newpromo = New promotion
cmd-services = My services
cmd-newservice = New service
cmd-settings = Settings
cmd-staff = Staff
cmd-dashboard = Dashboard (for the owner)
cmd-language = Language
cmd-help = Help
bot-description = The cashback network's partner bot: add and spend clients' points, see your statistics.
bot-short-description = The till of a cashback network partner.

menu-accrue = ➕ Add cashback
menu-redeem = ➖ Spend points
menu-find = 🔎 Client
menu-undo = ↩️ Undo
menu-stats = 📊 Statistics
menu-more = ☰ More

stranger = Hello! This bot is for partners of the cashback network. To add your business, send /apply.
application-pending = Your application is under review. We will write as soon as an admin has checked it.
application-was-rejected = Your application was rejected. Reason: { $reason }. You may apply again: /apply.
partner-blocked = Your business is suspended in the network. Please contact an admin.
already-partner = You already work in the network as "{ $partner }".
staff-welcome = "{ $partner }": the till is ready. Choose an action with the buttons below.
help-staff = The buttons below: add cashback, spend points, find a client, undo, statistics.
    More: /link — link and QR for clients, /segments — your clients by segment, /broadcast — a message to your clients, /promotions and /newpromo — promotions, /services and /newservice — services, /settings — settings, /staff — staff, /dashboard — the dashboard in a browser (for the owner), /language — language.
date-locale = en-GB

apply-name = What is your business called?
apply-category = Choose a category:
apply-address = The address?
apply-contact = The contact person's name?
apply-phone = A phone to reach you: press the button or type the number.
share-phone = 📱 Send my number
phone-invalid = That does not look like a phone number. Example: +7 999 123-45-67.
apply-summary = Please check your application:
    Name: { $name }
    Category: { $category }
    Address: { $address }
    Contact: { $contact }
    Phone: { $phone }
apply-sent = Application sent! An admin will check it and we will tell you the decision here.
category-cafe = Café
category-restaurant = Restaurant
category-beauty = Beauty salon
category-shop = Shop
category-services = Services
category-other = Other
application-approved = 🎉 Your application is approved! Welcome to the network. Send /start to open the till.
application-rejected = Your application was rejected. Reason: { $reason }

ask-client = Client: type their phone, the code from their bot (6 digits), their client code or paste the link from their QR.
ask-client-again = Type a phone, client code or link as text. To cancel — /cancel.
client-found = Client: { $name }, { $phone }.
lookup-rate-limited = Too many client lookups: at most { $max } in { $window } min. Try again in { $minutes } min (or /cancel).
staff-access-lost = You are no longer on this business's staff: the owner removed you. Nothing was saved.
client-not-found = No such client. Check the phone or code and try again (or /cancel).
ask-amount = The check amount in rubles?
ask-receipt = The receipt number?
accrual-confirm = Add cashback for { $name } for receipt no. { $receipt } of { $amount }?
accrual-done = ✅ { points } added for { $name } (tier: { $tier }). The client's balance: { $balance }.
accrual-already = This receipt was already processed: { points } added. Not adding again.

ask-check = The check amount in rubles?
ask-points = How many points to spend? At most { $most } (balance { $balance }, up to { $percent }% of the check).
redeem-no-points = The client has no points.
redeem-check-too-small = Not a single point can be spent on this check (up to { $percent }% of it).
redeem-requested = Request no. { $requestId } sent: spend { points } of { $name } on a check of { $check }. The client confirms in their bot — or tells you the code.
redeem-enter-code = 🔢 Enter code
redeem-cancel = ✖️ Cancel request
redeem-cancelled = The request was cancelled.
ask-code = The client's code for request no. { $requestId } (6 digits)?
code-invalid = A code is 6 digits. Try again or /cancel.
redeem-done = ✅ { points } spent. The client's balance: { $balance }.
redemption-confirmed = ✅ The client { $name } ({ $phone }) confirmed spending { points } (request no. { $requestId }).
redemption-declined = ❌ The client { $name } ({ $phone }) declined spending { points } (request no. { $requestId }). No points were spent.
redemption-expired = ⌛ The client { $name } ({ $phone }) did not confirm spending { points } in time (request no. { $requestId }). No points were spent.
redemption-superseded = ↩️ Request no. { $requestId } (client { $name }, { $phone }, { points }) was replaced by a newer request no. { $newRequestId }, from another till or repeated. Request no. { $requestId } will spend no points — give no discount for it.
code-wrong-again = Enter the code again, or /cancel.

undo-none = There is nothing to undo.
undo-pick = Which operation to undo?
undo-line = { $kind } { $points } · { $time }
op-accrual = cashback
op-redemption = spent
undo-confirm = Undo this operation? The client will be told.
undo-done = ↩️ Undone ({ $points }).{ $shortfall ->
    [0] {""}
   *[other] { " " }The client had already spent some: { $shortfall } could not be taken back.
}
undo-already = This operation was already undone.

stats-pick = For which period?
stats-1 = Today
stats-7 = 7 days
stats-30 = 30 days
stats = 📊 { $period }:
    Turnover: { $turnover }, checks: { $checks }, average check: { $average }
    Clients: { $newClients } new, { $returning } returning
    Points: { $issued } issued, { $redeemed } redeemed, { $outstanding } outstanding
    NPS: { $nps } ({ $ratings } ratings)

link = The link for your clients: { $link }
    Show the QR at the till — the client joins the network and gets the welcome bonus.
link-code-only = Your business code: { $code }. Clients type /start p_{ $code } in the network's bot.

my-promotions = Your promotions ({ $count }). A button below deletes one:
my-promotion-line = • { $title }: { $from } to { $until }
my-promotions-empty = No promotions yet. Create one: /newpromo
promo-title = The promotion's title?
promo-body = The promotion's text?
promo-period = When does it run? Send the first and the last day, e.g. 01.12.2026–31.12.2026 or 01.12–31.12. One date means from today until that day. At most { $days } days.
promo-period-invalid = I could not read the dates. Example: 01.12.2026–31.12.2026 or 01.12–31.12.
promo-period-order = The end is before the start. Please send the period again.
promo-period-past = A promotion cannot start or end in the past. Please send dates from today on.
promo-period-too-long = A promotion runs at most { $days } days. Please send a shorter period.
promo-period-too-far = A promotion must start within a year. Please send an earlier start date.
promo-photo = Send a picture for the promotion (a photo), or press "No picture".
promo-photo-skip = No picture
promo-photo-expected = Send a photo or press "No picture". To leave: /cancel.
promo-created = Promotion "{ $title }" is published: clients see it from { $from } to { $until }.
promo-created-with-photo = Promotion "{ $title }" with its picture is published: clients see it from { $from } to { $until }.
promo-deleted = Promotion deleted.
my-services-empty = No services yet. Add one: /newservice
my-service-line = { $name } — { $price } — { $status } { $reason }
moderation-pending = ⏳ under review
moderation-approved = ✅ approved
moderation-rejected = ❌ rejected:
service-name = The service's name?
service-price = Its price in rubles?
service-description = Its description?
service-submitted = Service "{ $name }" was sent for review.
service-approved = ✅ Service "{ $name }" is approved and visible to clients.
service-rejected = ❌ Service "{ $name }" was rejected. Reason: { $reason }

settings = Settings:
    Cashback: bronze { $bronze }%, silver { $silver }%, gold { $gold }%, platinum { $platinum }%
    Welcome bonus: { $welcome }
    Paying with points: up to { $cap }% of a check
    Broadcasts to clients: { $broadcasts }
settings-broadcasts-owner = sent by the owner only.
settings-broadcasts-cashiers = the owner and cashiers.
setting-bronze = Cashback: bronze
setting-silver = Cashback: silver
setting-gold = Cashback: gold
setting-platinum = Cashback: platinum
setting-welcomeBonus = Welcome bonus
setting-maxRedeemPercent = Share payable with points
setting-cashierBroadcastsOn = 📣 Allow cashiers to broadcast
setting-cashierBroadcastsOff = 📣 Broadcasts: owner only
setting-ask-rate = Cashback for the "{ $tier }" tier in percent (e.g. 5 or 7.5)?
setting-ask-welcome = The welcome bonus in points (up to { $max }, the network's limit)?
setting-ask-cap = What share of a check may be paid with points, in percent (1–100)?
percent-invalid = Enter a percentage from 0 to 50, e.g. 5 or 7.5.
setting-saved = Saved.
setting-saved-broadcasts-cashiers = Saved: cashiers can now send broadcasts to your clients too (/broadcast).
setting-saved-broadcasts-owner = Saved: only the owner sends broadcasts to your clients now.

staff-title = Staff:
staff-line = { $id } — { $role }
role-owner = owner
role-cashier = cashier
staff-invite = ➕ Invite a cashier
staff-invite-link = Send this link to the cashier (one-time, valid for 24 hours): { $link }
staff-removed = Removed.
invite-invalid = This invitation link is not valid or was already used.
invite-accepted = You are now a cashier at "{ $partner }".
nps-low-score = 💬 A client rated their visit { $score } of 10 and wrote: "{ $comment }"
broadcast-rejected = An admin rejected your broadcast. Reason: { $reason }
digest = 📈 "{ $partner }" yesterday: turnover { $turnover }, { $checks } checks, { $newClients } new clients, { $issued } points issued and { $redeemed } redeemed, NPS { $nps }.
client-not-found-register = There is no client with { $phone } in the network yet. Register them? When they open the network's bot and share this number, their points will be waiting.
register-client = ➕ Register the client
client-registered = Client { $phone } is registered.

dashboard-owner-only = Only the business's owner can open the dashboard: it holds the whole client base and exports. Please ask the owner.
dashboard-no-address = The dashboard is not set up yet. Please ask the network's admin.
