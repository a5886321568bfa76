## Admin bot.

cmd-queue = Очередь модерации
cmd-approvals = Согласование рассылок партнёров
cmd-stats = Статистика сети
cmd-segments = Сегменты клиентов
cmd-broadcast = Рассылка
cmd-find = Найти клиента или партнёра
cmd-settings = Настройки сети
cmd-audit = Журнал действий
cmd-dashboard = Панель управления (ссылка для входа)
cmd-language = Язык
cmd-help = Помощь
bot-description = Администрирование кэшбэк-сети.
bot-short-description = Админ кэшбэк-сети.

not-admin = Этот бот — для администраторов сети. Если вы партнёр или клиент, воспользуйтесь ботом партнёров или клиентов.
admin-help = /queue — заявки и услуги на модерации
    /broadcast — рассылка клиентам сети или сегменту
    /approvals — согласование рассылок партнёров
    /stats — статистика сети за 30 дней
    /segments — клиенты по сегментам
    /find — найти клиента (телефон, код, Telegram id) или партнёра (код)
    /settings — настройки сети: бонусы, уровни, кэшбэк, сроки
    /audit — последние действия
    /dashboard — панель управления в браузере: ссылка для входа
    /language — язык
approve = ✅ Одобрить
reject = ❌ Отклонить
approved = Одобрено. Партнёр получит уведомление.
rejected = Отклонено. Причина: { $reason }
ask-reject-reason = Причина отказа (её увидит партнёр)?
queue-empty = Очередь пуста.
application-card = Заявка № { $id }
    { $name } ({ $category })
    { $address }
    Контакт: { $contact }, { $phone }
service-card = Услуга № { $id } от «{ $partner }»
    { $name } — { $price }
    { $description }
new-partner-application = 🆕 Новая заявка партнёра № { $partnerId }: «{ $name }». Посмотреть: /queue
new-service = 🆕 Новая услуга на модерации № { $serviceId }: «{ $name }». Посмотреть: /queue
network-stats = 📊 Сеть за 30 дней:
    Клиентов: { $clients } (новых { $newClients }), партнёров: { $partners }
    Оборот: { $turnover }, чеков: { $checks }
    Баллы: начислено { $pointsIssued }, списано { $pointsRedeemed }, на счетах { $pointsOutstanding }
    Ждут модерации: заявок { $pendingApplications }, услуг { $pendingServices }
    Задания: в очереди { $jobsPending }, с ошибкой { $jobsDead }
find-usage = Использование: /find <телефон | код клиента | Telegram id | код партнёра>
find-nothing = Ничего не найдено.
client-card = Клиент № { $id }: { $name }
    Телефон: { $phone }, Telegram: { $telegram }
    Статус: { $status }. Баланс: { $balance }, уровень: { $tier }
partner-card = Партнёр № { $id }: { $name } ({ $category })
    Статус: { $status }, телефон: { $phone }, код: { $code }
adjust = ± Корректировка
block = 🚫 Заблокировать
unblock = ✅ Разблокировать
ask-adjust-points = На сколько баллов изменить баланс? Например +100 или -50.
adjust-invalid = Введите целое число со знаком, например +100 или -50 (не больше 1 000 000 по модулю).
ask-adjust-reason = Причина корректировки (попадёт в журнал)?
adjust-confirm = Изменить баланс клиента № { $clientId } на { $points }? Причина: { $reason }
adjusted = Готово. Баланс клиента: { $balance }.
ask-block-reason = Причина (попадёт в журнал)?
blocked-done = Заблокировано.
unblocked-done = Разблокировано.
audit-title = Последние действия:
audit-empty = Журнал пуст.
segments-recompute = 🔄 Пересчитать сейчас
segments-recompute-queued = Пересчёт запущен — пришлю сообщение, когда закончу.
segments-recomputed = Сегменты пересчитаны (записей: { $rows }). /segments
new-broadcast = 🆕 Рассылка партнёра № { $broadcastId } ждёт согласования:
    { $text }
digest-network = 📈 Сеть вчера: оборот { $turnover }, чеков { $checks }, новых клиентов { $newClients }, начислено { $pointsIssued } и списано { $pointsRedeemed } баллов. Ждут модерации: { $pendingApplications } заявок, { $pendingServices } услуг. Задания с ошибкой: { $jobsDead }.
approvals-on = Рассылки партнёров сейчас ждут согласования администратора.
approvals-off = Рассылки партнёров сейчас уходят без согласования.
approvals-turn-on = Требовать согласование
approvals-turn-off = Отправлять без согласования

## Statuses, categories and operations in the reader's language.
client-status-active = активен
client-status-blocked = заблокирован
client-status-deleted = удалил данные
client-status-merged = объединён с другим
partner-status-pending = заявка на рассмотрении
partner-status-approved = работает
partner-status-rejected = заявка отклонена
partner-status-blocked = заблокирован
partner-category-cafe = Кафе
partner-category-restaurant = Ресторан
partner-category-beauty = Салон красоты
partner-category-shop = Магазин
partner-category-services = Услуги
partner-category-other = Другое
op-accrual = начисление
op-redemption = списание
op-welcome-bonus = приветственный бонус
op-referral-bonus = бонус за друга
op-reversal = отмена операции
op-adjustment = корректировка
op-expiry = сгорание
op-forfeiture = списание при удалении
op-merge = перенос баллов

## The client card: nightly numbers, latest operations, undo.
client-numbers = Покупок: { $purchases } на { $total }, средний чек { $average }, последняя: { $last }
    LTV: { $ltv }. Категория: { $category }; сегмент: { $segment } (расчёт на { $date })
client-numbers-none = Покупки и LTV ещё не рассчитаны: расчёт идёт каждую ночь (или /segments → «Пересчитать сейчас»).
client-no-purchase = покупок ещё не было
client-operations = Последние операции:
client-operation = № { $id } · { $date } · { $kind } { $points } · { $partner }
client-operation-undone = № { $id } · { $date } · { $kind } { $points } · { $partner } (отменена)
undo-button = ↩️ Отменить № { $id }: { $kind } { $points }
undo-confirm = Отменить операцию клиента № { $clientId }?
    { $line }
    Баллы вернутся или спишутся обратно; клиенту придёт уведомление.
undo-yes = ↩️ Да, отменить
undo-done = Операция № { $id } отменена ({ $points }). Баланс клиента: { $balance }.{ $shortfall ->
    [0] {""}
   *[other] {" "}Не хватило на счету: { $shortfall }.
}
undo-already = Операция № { $id } уже отменена — второй раз она не отменяется.

## /audit
audit-line = { $time } · { $actor } · { $action } · { $target }
audit-target = { $type } № { $id }
audit-change = { $name }: { $from } → { $to }
audit-reason = причина: { $reason }
audit-actor-admin = админ { $id }
audit-actor-staff = сотрудник { $id }
audit-actor-client = клиент
audit-actor-system = система
audit-target-client = клиент
audit-target-partner = партнёр
audit-target-service = услуга
audit-target-promotion = акция
audit-target-broadcast = рассылка
audit-target-network = сеть
audit-target-person = человек
audit-target-job = задача
audit-target-ledger-entry = операция
audit-action-settings-update = изменил настройки сети
audit-action-ledger-undo = отменил операцию
audit-action-ledger-adjust = скорректировал баланс
audit-action-client-block = заблокировал клиента
audit-action-client-unblock = разблокировал клиента
audit-action-client-register-by-phone = зарегистрировал клиента по телефону
audit-action-client-delete-data = удалил свои данные
audit-action-partner-apply = подал заявку партнёра
audit-action-partner-approve = одобрил заявку партнёра
audit-action-partner-reject = отклонил заявку партнёра
audit-action-partner-block = заблокировал партнёра
audit-action-partner-unblock = разблокировал партнёра
audit-action-partner-settings = изменил настройки партнёра
audit-action-staff-add = добавил сотрудника
audit-action-staff-remove = удалил сотрудника
audit-action-service-submit = отправил услугу на модерацию
audit-action-service-approve = одобрил услугу
audit-action-service-reject = отклонил услугу
audit-action-promotion-create = создал акцию
audit-action-promotion-delete = удалил акцию
audit-action-broadcast-create = создал рассылку
audit-action-broadcast-approve = одобрил рассылку
audit-action-broadcast-reject = отклонил рассылку
audit-action-dashboard-sign-in = вошёл в панель управления
audit-action-dashboard-sign-out-everywhere = вышел из панели управления на всех устройствах
audit-action-dashboard-sign-out = вышел из панели управления
audit-action-job-retry = перезапустил сбойную задачу

## /settings
settings-title = ⚙️ Настройки сети. Изменение действует сразу и попадает в журнал (/audit). Что изменить?
settings-line = { $name }: { $value }
setting-welcomeBonus = Приветственный бонус
setting-maxWelcomeBonus = Предел приветственного бонуса партнёра
setting-referralBonus = Бонус за друга
setting-tierThresholds-silver = Порог «Серебра»
setting-tierThresholds-gold = Порог «Золота»
setting-tierThresholds-platinum = Порог «Платины»
setting-ratesBp-bronze = Кэшбэк «Бронзы»
setting-ratesBp-silver = Кэшбэк «Серебра»
setting-ratesBp-gold = Кэшбэк «Золота»
setting-ratesBp-platinum = Кэшбэк «Платины»
setting-maxRedeemPercent = Доля чека баллами
setting-undoWindowHours = Срок отмены для партнёров
setting-redemptionTtlMinutes = Срок кода списания
setting-npsDelayMinutes = Вопрос об оценке через
setting-digestHour = Час ежедневной сводки
setting-partnerBroadcastsNeedApproval = Согласование рассылок партнёров
value-percent = { $n } %
value-hours = { $n } ч
value-minutes = { $n } мин
setting-hint-points = целое число баллов от { $min } до { $max }
setting-hint-percent = процент от { $min } до { $max }, например 7,5
setting-hint-percent-whole = целый процент от { $min } до { $max }
setting-hint-hours = число часов от { $min } до { $max }
setting-hint-minutes = число минут от { $min } до { $max }
setting-hint-hour-of-day = час по Москве от { $min } до { $max }
setting-ask = { $name } — сейчас { $value }. Новое значение: { $hint }? Чтобы оставить как есть, отправьте /cancel.
setting-invalid = Не подходит. Нужно: { $hint }.
setting-order = Пороги уровней должны расти: 0 < «Серебро» < «Золото» < «Платина» (сейчас { $silver } / { $gold } / { $platinum }). Введите другое значение или /cancel.
setting-saved = ✅ { $name }: { $from } → { $to }. Действует сразу.
setting-unchanged = Это то же значение — ничего не изменилось.

dashboard-no-address = У панели управления ещё нет адреса: задайте PUBLIC_URL (внешний https-адрес веб-сервера) в настройках и перезапустите сеть.
