title = Кэшбэк-сеть — панель управления
loading = Загрузка…
nothing-here = Здесь пока пусто.
page-not-found = Такой страницы нет.
cancel = Отмена
save = Сохранить
search = Найти
total = Итого
previous = Назад
next = Вперёд
older = Показать раньше
page-of = Страница { $page } из { $pages }
no-name = (без имени)
download-csv = Скачать CSV
reason = Причина
reason-placeholder = Не короче 3 символов

## Вход
how-to-sign-in = Чтобы войти, отправьте /dashboard боту администратора (администраторы) или боту партнёра (владельцы партнёров) и откройте ссылку из ответа. Ссылка работает один раз, 10 минут.
sign-in-link-failed = Эта ссылка для входа уже использована или устарела. Отправьте /dashboard в боте, чтобы получить новую.
session-ended = Сессия закончилась (истёк срок или вы вышли везде через бота).
signed-out = Вы вышли.
sign-out = Выйти
role-admin = Администратор сети
role-partner = Партнёр: { $name }

## Меню
nav-overview = Обзор
nav-partners = Партнёры
nav-clients = Клиенты
nav-promotions = Акции
nav-services = Услуги
nav-broadcasts = Рассылки
nav-settlement = Взаиморасчёты
nav-exports = Выгрузки
nav-jobs = Сбойные задачи
nav-audit = Журнал действий
nav-settings = Настройки

## Ошибки
error-network = Сервер не отвечает. Проверьте подключение и попробуйте ещё раз.
error-session = Сессия закончилась. Отправьте /dashboard в боте, чтобы войти снова.
error-csrf = Страница устарела. Обновите её и попробуйте ещё раз.
error-forbidden = У вас нет доступа к этому.
error-not-found = Не найдено.
error-client-not-found = Клиент не найден.
error-partner-not-found = Партнёр не найден.
error-partner-not-active = Этот партнёр сейчас не работает в сети.
error-already-moderated = Решение уже принято.
error-not-reversible = Эту операцию нельзя отменить.
error-idempotency-key-reused = Эта операция уже выполнена с другими данными.
error-job-not-dead = Повторить можно только сбойную задачу.
error-rate-limited = Слишком много запросов. Подождите немного и попробуйте снова.
error-field = Проверьте поле «{ $field }»: { $message }
error-server = На сервере что-то пошло не так. Попробуйте чуть позже.

## Период
period-last-days = { $days } дн.
period-from = С
period-to = по
period-show = Показать

## Обзор
overview-title-network = Обзор сети
overview-title-partner = Обзор: { $name }
total-turnover = Оборот
total-checks = Чеки
total-average-check = Средний чек
total-points-issued = Начислено баллов
total-points-redeemed = Списано баллов
total-liability = Баллы на руках (обязательства)
total-new-clients = Новые клиенты
total-nps = NPS
nps-responses = { $count ->
    [one] { $count } оценка
    [few] { $count } оценки
   *[many] { $count } оценок
}
chart-turnover-checks = Оборот и чеки
chart-turnover = Оборот
chart-checks = Чеки
chart-points = Начисленные и списанные баллы
chart-points-issued = Начислено
chart-points-redeemed = Списано
chart-liability = Баллы на руках на конец дня
chart-nps = NPS
chart-nps-none = За этот период оценок нет.
chart-day = День
chart-new-clients = Новые клиенты

## Таблицы
col-partner = Партнёр
col-category = Категория
col-address = Адрес
col-contact = Контакт
col-status = Статус
col-applied = Заявка подана
col-client = Клиент
col-phone = Телефон
col-balance = Баланс
col-segment = Сегмент
col-joined = С нами с
col-username = Telegram
col-tier = Уровень
col-language = Язык
col-ltv = LTV
col-purchases = Покупок
col-total = Всего потрачено
col-average-check = Средний чек
col-last-purchase = Последняя покупка
col-computed-on = Рассчитано
col-when = Когда
col-receipt = Чек
col-amount = Сумма
col-points = Баллы
col-operation = Операция
col-balance-after = Баланс после
col-reason = Причина
col-promotion = Акция
col-starts = Начало
col-ends = Конец
col-service = Услуга
col-price = Цена
col-created = Создано
col-sender = Отправитель
col-text = Текст
col-audience = Кому
col-job-kind = Тип
col-attempts = Попыток
col-last-error = Последняя ошибка
col-run-at = Срок
col-updated = Изменено
col-actor = Кто
col-action = Действие
col-target = Объект
col-details = Подробности
col-setting = Настройка
col-value = Значение
col-bounds = Допустимо
col-issued = Начислено баллов
col-redeemed-here = Списано у партнёра
col-net = Сальдо

## Действия
action-approve = Одобрить
action-reject = Отклонить
action-block = Заблокировать
action-unblock = Разблокировать
action-undo = Отменить
action-retry = Повторить
action-edit = Изменить

## Партнёры
partners-title = Партнёры и заявки
filter-all = Все
partner-status-pending = Заявка
partner-status-approved = Работает
partner-status-rejected = Отклонён
partner-status-blocked = Заблокирован
partner-category-cafe = Кафе
partner-category-restaurant = Ресторан
partner-category-beauty = Салон красоты
partner-category-shop = Магазин
partner-category-services = Услуги
partner-category-other = Другое

## Клиенты
clients-title = Клиенты
clients-search = Имя, цифры телефона или реферальный код
clients-search-placeholder = Имя, телефон или код
# Партнёр находит телефон только по полному номеру (часть номера выдала бы скрытые цифры).
clients-search-hint-admin = Ищет по имени или @username, по цифрам телефона (можно часть номера) и по реферальному коду целиком.
clients-search-hint-partner = Ищет по имени или @username, по полному номеру телефона и по реферальному коду целиком.
clients-found = { $total ->
    [one] Найден { $total } клиент
    [few] Найдено { $total } клиента
   *[many] Найдено { $total } клиентов
}
filter-any-category = Любая категория
filter-any-segment = Любой сегмент
category-new = Новый
category-regular = Постоянный
category-vip = VIP
category-inactive = Неактивный
segment-champions = Чемпионы
segment-loyal = Лояльные
segment-potential_loyalists = Потенциально лояльные
segment-new = Новые
segment-promising = Перспективные
segment-need_attention = Требуют внимания
segment-at_risk = Под угрозой ухода
segment-cannot_lose = Нельзя потерять
segment-hibernating = Спящие
segment-lost = Потерянные
client-status-active = Активен
client-status-blocked = Заблокирован
client-status-deleted = Удалён
client-status-merged = Объединён
tier-bronze = Бронза
tier-silver = Серебро
tier-gold = Золото
tier-platinum = Платина

## Карточка клиента
client-profile = Профиль
client-numbers = Показатели
client-numbers-none = Ещё не рассчитаны: показатели считаются каждую ночь.
client-purchases = Покупки
client-ledger = История баллов
purchase-cancelled = Отменена
ledger-accrual = Начисление
ledger-redemption = Списание
ledger-welcome-bonus = Приветственный бонус
ledger-referral-bonus = Бонус за друга
ledger-reversal = Отмена
ledger-adjustment = Корректировка
ledger-expiry = Сгорание
ledger-forfeiture = Аннулирование
ledger-merge = Объединение счетов
adjust-open = Скорректировать баланс…
adjust-title = Корректировка баланса
adjust-points = Баллы (+ начислить, − списать)
adjust-points-placeholder = Например, 100 или −50
adjust-points-invalid = Введите целое число баллов, не ноль, не больше 1 000 000 в любую сторону.
adjust-submit = Скорректировать
adjust-hint = Клиент получит уведомление; корректировка запишется в журнал действий с вашим именем.

## Акции и услуги
promotions-title = Акции
promotion-running = Идёт
promotion-upcoming = Скоро
promotion-ended = Закончилась
services-title = Услуги
service-status-pending = На модерации
service-status-approved = Одобрена
service-status-rejected = Отклонена

## Рассылки
broadcasts-title = Рассылки
sender-admin = Сеть
audience-everyone = Все
finished-at = завершена { $time }
broadcast-status-awaiting_approval = Ждёт одобрения
broadcast-status-sending = Отправляется
broadcast-status-done = Готово
broadcast-status-rejected = Отклонена
broadcast-status-cancelled = Отменена
col-report = Доставка
report-delivered-of = Доставлено { $sent } из { $total }
report-unreachable = Недоступны
report-uncertain = Неизвестно
report-failed = Ошибка
report-pending = В очереди

## Задачи и журнал
jobs-title = Сбойные задачи
job-status-dead = Сбойные
job-status-pending = В очереди
job-status-running = Выполняются
audit-title = Журнал действий
actor-client = Клиент
actor-staff = Сотрудник партнёра
actor-admin = Администратор
actor-system = Система
# Действия и объекты журнала — те же слова, что в боте администратора (/audit); неизвестный id показывается как есть.
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
audit-target-numbered = { $type } № { $id }
audit-target-client = клиент
audit-target-partner = партнёр
audit-target-service = услуга
audit-target-promotion = акция
audit-target-broadcast = рассылка
audit-target-network = сеть
audit-target-person = человек
audit-target-job = задача
audit-target-ledger-entry = операция

## Настройки
settings-title = Настройки сети
settings-hint = Значения сети по умолчанию. Изменение действует сразу и записывается в журнал действий.
unit-points = баллов
unit-basisPoints = б. п.
unit-percent = %
unit-hours = ч
unit-minutes = мин
unit-hourOfDay = час (Москва)
unit-hourOfDay-value = { $hour }:00 по Москве
setting-welcomeBonus = Приветственный бонус
setting-maxWelcomeBonus = Наибольший приветственный бонус партнёра
setting-referralBonus = Бонус за друга
setting-tierThresholds-silver = Баллов для «Серебра»
setting-tierThresholds-gold = Баллов для «Золота»
setting-tierThresholds-platinum = Баллов для «Платины»
setting-ratesBp-bronze = Кэшбэк на «Бронзе»
setting-ratesBp-silver = Кэшбэк на «Серебре»
setting-ratesBp-gold = Кэшбэк на «Золоте»
setting-ratesBp-platinum = Кэшбэк на «Платине»
setting-maxRedeemPercent = Наибольшая доля чека баллами
setting-undoWindowHours = Время на отмену операции
setting-redemptionTtlMinutes = Время на подтверждение списания
setting-npsDelayMinutes = Задержка перед просьбой об оценке
setting-digestHour = Час ежедневной сводки

## Взаиморасчёты и выгрузки
settlement-title = Взаиморасчёты партнёров
settlement-hint = По каждому партнёру: сколько баллов выдали его чеки и бонусы, сколько баллов клиенты потратили у него, и сальдо.
settlement-legend-positive = + партнёр должен сети (выдал баллов больше, чем у него потратили)
settlement-legend-negative = − сеть должна партнёру (у него потратили больше баллов, чем он выдал)
settlement-unassigned = Итог столбца «Начислено баллов» может отличаться от «Начислено баллов» в обзоре: баллы без партнёра (приветственные бонусы клиентов, пришедших не по ссылке партнёра, и корректировки администратора) не относятся ни к одному партнёру и в таблицу не входят.
exports-title = Выгрузки
export-clients = Клиенты
export-clients-hint = Клиенты, пришедшие за период.
export-ledger = Журнал баллов
export-ledger-hint = Все операции с баллами за период.
export-purchases = Покупки
export-purchases-hint = Все чеки за период.
