## Partner bot.

cmd-start = Начать
cmd-accrue = Начислить баллы
cmd-redeem = Списать баллы
cmd-find = Найти клиента
cmd-undo = Отменить операцию
cmd-stats = Статистика
cmd-segments = Сегменты клиентов
cmd-broadcast = Рассылка клиентам
cmd-link = Ссылка и QR для клиентов
cmd-promotions = Мои акции
cmd-newpromo = Новая акция
cmd-services = Мои услуги
cmd-newservice = Новая услуга
cmd-settings = Настройки
cmd-staff = Сотрудники
cmd-dashboard = Панель управления (для владельца)
cmd-language = Язык
cmd-help = Помощь
bot-description = Бот партнёров кэшбэк-сети: начисляйте и списывайте баллы клиентам, смотрите статистику.
bot-short-description = Касса партнёра кэшбэк-сети.

menu-accrue = ➕ Начислить
menu-redeem = ➖ Списать
menu-find = 🔎 Клиент
menu-undo = ↩️ Отмена операции
menu-stats = 📊 Статистика
menu-more = ☰ Ещё

stranger = Здравствуйте! Это бот для партнёров кэшбэк-сети. Чтобы подключить своё заведение, отправьте /apply.
application-pending = Ваша заявка на рассмотрении. Мы напишем, как только администратор её проверит.
application-was-rejected = Ваша заявка была отклонена. Причина: { $reason }. Можно подать новую: /apply.
partner-blocked = Ваше заведение приостановлено в сети. Свяжитесь с администратором.
already-partner = Вы уже работаете в сети как «{ $partner }».
staff-welcome = «{ $partner }»: касса готова. Выберите действие кнопкой внизу.
help-staff = Кнопки внизу: начислить, списать, найти клиента, отменить операцию, статистика.
    Ещё: /link — ссылка и QR для клиентов, /segments — ваши клиенты по сегментам, /broadcast — рассылка вашим клиентам, /promotions и /newpromo — акции, /services и /newservice — услуги, /settings — настройки, /staff — сотрудники, /dashboard — панель управления в браузере (для владельца), /language — язык.
date-locale = ru-RU

apply-name = Как называется ваше заведение?
apply-category = Выберите категорию:
apply-address = Адрес заведения?
apply-contact = Как зовут контактное лицо?
apply-phone = Телефон для связи: нажмите кнопку или введите номер.
share-phone = 📱 Отправить мой номер
phone-invalid = Не похоже на номер телефона. Пример: +7 999 123-45-67.
apply-summary = Проверьте заявку:
    Название: { $name }
    Категория: { $category }
    Адрес: { $address }
    Контакт: { $contact }
    Телефон: { $phone }
apply-sent = Заявка отправлена! Администратор проверит её и мы сообщим решение здесь.
category-cafe = Кафе
category-restaurant = Ресторан
category-beauty = Салон красоты
category-shop = Магазин
category-services = Услуги
category-other = Другое
application-approved = 🎉 Ваша заявка одобрена! Добро пожаловать в сеть. Отправьте /start, чтобы открыть кассу.
application-rejected = Ваша заявка отклонена. Причина: { $reason }

ask-client = Клиент: введите телефон, код из бота клиента (6 цифр), код клиента или вставьте ссылку из его QR.
ask-client-again = Введите телефон, код клиента или ссылку текстом. Для отмены — /cancel.
client-found = Клиент: { $name }, { $phone }.
lookup-rate-limited = Слишком много поисков клиентов: не больше { $max } за { $window } мин. Попробуйте через { $minutes } мин. (или /cancel).
staff-access-lost = Вы больше не сотрудник этого заведения: владелец удалил вас из списка. Ничего не записано.
client-not-found = Клиент не найден. Проверьте телефон или код и попробуйте ещё раз (или /cancel).
ask-amount = Сумма чека в рублях?
ask-receipt = Номер чека?
accrual-confirm = Начислить клиенту { $name } кэшбэк за чек № { $receipt } на { $amount }?
accrual-done = ✅ Начислено { points } клиенту { $name } (уровень: { $tier }). Баланс клиента: { $balance }.
accrual-already = Этот чек уже был проведён: начислено { points }. Повторно не начисляем.

ask-check = Сумма чека в рублях?
ask-points = Сколько баллов списать? Не больше { $most } (баланс { $balance }, до { $percent }% чека).
redeem-no-points = У клиента нет баллов.
redeem-check-too-small = С этого чека нельзя списать ни одного балла (до { $percent }% чека).
redeem-requested = Запрос № { $requestId } отправлен: списать { points } у клиента { $name } с чека на { $check }. Клиент подтвердит в своём боте — или назовёт вам код.
redeem-enter-code = 🔢 Ввести код
redeem-cancel = ✖️ Отменить запрос
redeem-cancelled = Запрос на списание отменён.
ask-code = Код клиента для запроса № { $requestId } (6 цифр)?
code-invalid = Код — это 6 цифр. Попробуйте ещё раз или /cancel.
redeem-done = ✅ Списано { points }. Остаток у клиента: { $balance }.
redemption-confirmed = ✅ Клиент { $name } ({ $phone }) подтвердил списание { points } (запрос № { $requestId }).
redemption-declined = ❌ Клиент { $name } ({ $phone }) отклонил списание { points } (запрос № { $requestId }). Баллы не списаны.
redemption-expired = ⌛ Клиент { $name } ({ $phone }) не подтвердил списание { points } вовремя (запрос № { $requestId }). Баллы не списаны.
redemption-superseded = ↩️ Запрос № { $requestId } (клиент { $name }, { $phone }, { points }) заменён новым запросом № { $newRequestId } с другой кассы или повторным. По запросу № { $requestId } баллы не спишутся — не выдавайте по нему скидку.
code-wrong-again = Введите код ещё раз или /cancel.

undo-none = Нет операций, которые можно отменить.
undo-pick = Какую операцию отменить?
undo-line = { $kind } { $points } · { $time }
op-accrual = начисление
op-redemption = списание
undo-confirm = Отменить эту операцию? Клиент получит уведомление.
undo-done = ↩️ Операция отменена ({ $points }).{ $shortfall ->
    [0] {""}
   *[other] { " " }Клиент уже потратил часть баллов: не хватило { $shortfall }.
}
undo-already = Эта операция уже отменена.

stats-pick = За какой период?
stats-1 = Сегодня
stats-7 = 7 дней
stats-30 = 30 дней
stats = 📊 { $period }:
    Оборот: { $turnover }, чеков: { $checks }, средний чек: { $average }
    Клиенты: новых { $newClients }, вернувшихся { $returning }
    Баллы: начислено { $issued }, списано { $redeemed }, обязательства { $outstanding }
    NPS: { $nps } (оценок: { $ratings })

link = Ссылка для ваших клиентов: { $link }
    Покажите QR на кассе — клиент присоединится к сети и получит приветственный бонус.
link-code-only = Код вашего заведения: { $code }. Клиенты вводят /start p_{ $code } в боте сети.

my-promotions = Ваши акции ({ $count }). Кнопка под акцией удаляет её:
my-promotion-line = • { $title }: с { $from } по { $until }
my-promotions-empty = Акций пока нет. Создать: /newpromo
promo-title = Заголовок акции?
promo-body = Текст акции?
promo-period = Когда идёт акция? Пришлите даты начала и конца, например 01.12.2026–31.12.2026 или 01.12–31.12. Одна дата — с сегодняшнего дня по эту дату. Не дольше { $days } дней.
promo-period-invalid = Не понял даты. Пример: 01.12.2026–31.12.2026 или 01.12–31.12.
promo-period-order = Дата конца раньше даты начала. Пришлите период ещё раз.
promo-period-past = Акция не может начинаться или заканчиваться в прошлом. Пришлите даты с сегодняшнего дня.
promo-period-too-long = Акция может идти не дольше { $days } дней. Пришлите период покороче.
promo-period-too-far = Акция должна начаться в течение года. Пришлите более близкую дату начала.
promo-photo = Пришлите картинку для акции (фото) или нажмите «Без картинки».
promo-photo-skip = Без картинки
promo-photo-expected = Пришлите фото или нажмите «Без картинки». Выйти — /cancel.
promo-created = Акция «{ $title }» опубликована: клиенты увидят её с { $from } по { $until }.
promo-created-with-photo = Акция «{ $title }» с картинкой опубликована: клиенты увидят её с { $from } по { $until }.
promo-deleted = Акция удалена.
my-services-empty = Услуг пока нет. Добавить: /newservice
my-service-line = { $name } — { $price } — { $status } { $reason }
moderation-pending = ⏳ на проверке
moderation-approved = ✅ одобрена
moderation-rejected = ❌ отклонена:
service-name = Название услуги?
service-price = Цена в рублях?
service-description = Описание услуги?
service-submitted = Услуга «{ $name }» отправлена на проверку.
service-approved = ✅ Услуга «{ $name }» одобрена и видна клиентам.
service-rejected = ❌ Услуга «{ $name }» отклонена. Причина: { $reason }

settings = Настройки:
    Кэшбэк: бронза { $bronze }%, серебро { $silver }%, золото { $gold }%, платина { $platinum }%
    Приветственный бонус: { $welcome }
    Оплата баллами: до { $cap }% чека
    Рассылки клиентам: { $broadcasts }
settings-broadcasts-owner = отправляет только владелец.
settings-broadcasts-cashiers = владелец и кассиры.
setting-bronze = Кэшбэк: бронза
setting-silver = Кэшбэк: серебро
setting-gold = Кэшбэк: золото
setting-platinum = Кэшбэк: платина
setting-welcomeBonus = Приветственный бонус
setting-maxRedeemPercent = Доля оплаты баллами
setting-cashierBroadcastsOn = 📣 Разрешить рассылки кассирам
setting-cashierBroadcastsOff = 📣 Рассылки — только владелец
setting-ask-rate = Кэшбэк для уровня «{ $tier }» в процентах (например 5 или 7,5)?
setting-ask-welcome = Приветственный бонус в баллах (до { $max }, это предел сети)?
setting-ask-cap = Какую долю чека можно оплатить баллами, в процентах (1–100)?
percent-invalid = Введите процент от 0 до 50, например 5 или 7,5.
setting-saved = Сохранено.
setting-saved-broadcasts-cashiers = Сохранено: кассиры теперь тоже могут отправлять рассылки вашим клиентам (/broadcast).
setting-saved-broadcasts-owner = Сохранено: рассылки вашим клиентам теперь отправляет только владелец.

staff-title = Сотрудники:
staff-line = { $id } — { $role }
role-owner = владелец
role-cashier = кассир
staff-invite = ➕ Пригласить кассира
staff-invite-link = Отправьте кассиру эту ссылку (действует 24 часа, одноразовая): { $link }
staff-removed = Сотрудник удалён.
invite-invalid = Ссылка-приглашение недействительна или уже использована.
invite-accepted = Вы теперь кассир заведения «{ $partner }».

nps-low-score = 💬 Клиент оценил визит на { $score } из 10 и написал: «{ $comment }»
broadcast-rejected = Ваша рассылка отклонена администратором. Причина: { $reason }
digest = 📈 «{ $partner }» вчера: оборот { $turnover }, чеков { $checks }, новых клиентов { $newClients }, начислено { $issued } и списано { $redeemed } баллов, NPS { $nps }.
client-not-found-register = Клиента с номером { $phone } ещё нет в сети. Зарегистрировать его? Когда он откроет бот сети и поделится этим номером, баллы будут ждать его.
register-client = ➕ Зарегистрировать клиента
client-registered = Клиент { $phone } зарегистрирован.

dashboard-owner-only = Панель управления открывает только владелец заведения: в ней вся клиентская база и выгрузки. Попросите владельца.
dashboard-no-address = Панель управления ещё не настроена. Обратитесь к администратору сети.
