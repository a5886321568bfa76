## Admin bot.

cmd-queue = Очередь модерации
cmd-approvals = Согласование рассылок партнёров
cmd-stats = Статистика сети
cmd-segments = Сегменты клиентов
cmd-broadcast = Рассылка
cmd-find = Найти клиента или партнёра
cmd-audit = Журнал действий
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
    /audit — последние действия
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
