## Мини-приложение клиента (web/ui/mini-app). Английский — в en.ftl, ключи те же.

app-title = Моя карта
loading = Загрузка…
points = { $count ->
    [one] { $count } балл
    [few] { $count } балла
   *[many] { $count } баллов
}

tab-card = Карта
tab-history = История
tab-friends = Друзья
tab-network = Партнёры

balance-label = Баланс
tier-bronze = Бронза
tier-silver = Серебро
tier-gold = Золото
tier-platinum = Платина
tier-label = Уровень: { $tier }
tier-progress = Накоплено за год: { $earned } из { $threshold }
tier-to-next = До уровня «{ $tier }»: ещё { $points }
tier-top = У вас максимальный уровень.
rate-line = Кэшбэк на вашем уровне: { $rate } %

code-title = Код для кассы
code-hint = Покажите QR-код или назовите цифры кассиру вместо номера телефона.
code-expires = Новый код через { $time }
code-valid = Действует ещё { $time }
code-refreshing = Получаем код…
code-failed = Не удалось получить код.
code-retry = Повторить
code-qr-label = QR-код вашего кода для кассы

history-title = История
history-empty = Операций пока нет.
history-end = Это всё.
history-failed = Не удалось загрузить историю.
history-balance-after = баланс { $balance }
ledger-accrual = Кэшбэк
ledger-redemption = Списание
ledger-welcome_bonus = Приветственный бонус
ledger-referral_bonus = Бонус за друга
ledger-reversal = Отмена
ledger-adjustment = Корректировка
ledger-expiry = Сгорание
ledger-forfeiture = Списано при удалении
ledger-merge = Перенос баллов
ledger-other = Операция

friends-title = Пригласите друзей
friends-hint = Отправьте другу свою ссылку. Когда он сделает первую покупку, вы получите { $bonus }.
friends-joined = Присоединились
friends-rewarded = Принесли бонус
friends-code = Ваш код: { $code }
friends-qr-label = QR-код вашей ссылки-приглашения
copy-link = Скопировать ссылку
copied = Скопировано
share-link = Поделиться
share-text = Присоединяйтесь к кэшбэк-сети: копите баллы у одного партнёра, тратьте у любого.
copy-failed = Не удалось скопировать: выделите ссылку и скопируйте вручную.

promotions-title = Акции
promotions-empty = Сейчас акций нет — загляните позже.
promotion-dates = { $from } — { $until }
services-title = Услуги
services-empty = Услуг пока нет.
network-failed = Не удалось загрузить предложения партнёров.

language-title = Язык
language-ru = Русский
language-en = English
language-failed = Не удалось сменить язык.

error-title = Что-то пошло не так
error-not-telegram = Откройте эту страницу из клиентского бота: кнопка «💳 Моя карта».
error-auth = Страница открыта слишком давно или не из Telegram. Закройте её и откройте снова из бота.
error-not-client = Вы ещё не в сети. Откройте бота и нажмите «Старт».
error-blocked = Ваш аккаунт заблокирован. Если это ошибка, обратитесь к партнёру сети.
error-network = Нет связи с сервером. Проверьте интернет и попробуйте снова.
error-other = Сервер не смог ответить ({ $code }). Попробуйте позже.
retry = Повторить
