## Client bot.

cmd-start = Начать
cmd-balance = Баланс и уровень
cmd-code = Код для кассы
cmd-phone = Указать телефон
cmd-history = История операций
cmd-invite = Пригласить друга
cmd-promotions = Акции сети
cmd-services = Услуги партнёров
cmd-language = Язык
cmd-delete_me = Удалить мои данные
cmd-help = Помощь
bot-description = Кэшбэк-сеть: копите баллы у одного партнёра и тратьте у любого.
bot-short-description = Баллы за покупки у партнёров сети.

menu-balance = 💰 Баланс
menu-history = 📜 История
menu-invite = 🤝 Пригласить друга
menu-promotions = 🎁 Акции
menu-services = 🛍 Услуги
menu-language = 🌐 Язык

help = Я храню ваши баллы сети. Показывайте кассиру свой номер телефона или код — и копите баллы, а тратьте их у любого партнёра.
    Кнопки внизу: баланс, история, приглашение друга, акции и услуги. /code — код для кассы вместо телефона.
please-start = Сначала присоединитесь к сети: отправьте /start.
account-blocked = Ваш аккаунт заблокирован. Если это ошибка, напишите партнёру сети.
welcome-known = С возвращением!
welcome-bonus = Добро пожаловать в сеть! Приветственный бонус: { points }.
welcome-back = Добро пожаловать в сеть!
share-phone = 📱 Поделиться номером
skip-phone = Пропустить
ask-phone = Поделитесь номером телефона — так кассир быстро найдёт вас. Это необязательно.
ask-phone-again = Нажмите «📱 Поделиться номером» или «Пропустить».
phone-not-yours = Пожалуйста, отправьте свой собственный номер кнопкой ниже.

balance = Баланс: { points }
tier-line = Уровень: { $tier } (накоплено за год: { $earned })
tier-next = До уровня «{ $tier }»: { points }
tier-top = У вас максимальный уровень.

my-card = 💳 Моя карта
my-card-menu = 💳 Карта
my-card-offer = Ваша карта — в приложении: баланс, код для кассы с QR, история и друзья.

history-title = История операций:
history-empty = Операций пока нет.
history-older = Ранее ›
history-line = { $date } · { $kind } · { $points } · { $partner }
date-locale = ru-RU
ledger-accrual = начисление
ledger-redemption = списание
ledger-welcome-bonus = приветственный бонус
ledger-referral-bonus = бонус за друга
ledger-reversal = отмена операции
ledger-adjustment = корректировка
ledger-expiry = сгорание
ledger-forfeiture = списание при удалении
ledger-merge = перенос баллов

client-code = Ваш код для кассы: { $code }
    Назовите его кассиру вместо телефона. Код действует { $minutes } минут.

invite = Приглашайте друзей: когда друг совершит первую покупку, вы получите бонус.
    Ваша ссылка: { $link }
    Код: { $code }

promotions-title = 🎁 Акции сети
promotions-empty = Сейчас акций нет — загляните позже.
promotion-card = 🏷 { $partner }: { $title }
    📅 { $from } — { $until }

    { $body }
services-title = 🛍 Услуги партнёров
services-empty = Услуг пока нет.
service-line = { $partner }: { $name } — { $price }
    { $description }

redemption-ask = { $partner } просит списать { points } с чека на { $check }.
    Подтвердите, если вы на кассе. Или назовите кассиру код: { $code }
redemption-confirmed = Списано { points }. Остаток: { $balance }.
redemption-declined = Списание { points } отклонено. Баллы на месте.

nps-ask = Как вам визит в «{ $partner }»? Насколько вероятно, что вы порекомендуете его друзьям? 0 — точно нет, 10 — точно да.
nps-thanks = Спасибо за оценку!
nps-rated = Ваша оценка: { $score }. Спасибо!
nps-ask-comment = Нам жаль, что что-то пошло не так. Расскажите, что именно — партнёр получит ваш отзыв. Или отправьте /cancel.
nps-comment-thanks = Спасибо, партнёр получит ваш отзыв.

delete-confirm = Удалить ваши данные? Имя, телефон и аккаунт будут стёрты, а ваши { points } сгорят. Это нельзя отменить.
delete-yes = Удалить
delete-no = Оставить
delete-kept = Хорошо, ничего не удалено.
delete-done = Ваши данные удалены.
delete-bye = Спасибо, что были с нами. Чтобы вернуться, отправьте /start.

notify-points-accrued = +{ points } от «{ $partner }». Баланс: { $balance }.
notify-referral-bonus = Ваш друг совершил первую покупку — вам начислено { points }!
notify-tier-up = Поздравляем! Новый уровень: { $tier }.
notify-points-redeemed = Списано { points }. Баланс: { $balance }.
notify-redemption-code-locked = Запрос на списание { points } отменён: кассир слишком много раз ввёл неверный код. Баллы на месте. Называйте код только кассиру, который вас обслуживает.
notify-operation-undone = Операция отменена партнёром ({ $points }). Баланс: { $balance }.
notify-referral-bonus-undone = Покупку вашего друга отменили, поэтому бонус за друга снят ({ $points }). Баланс: { $balance }.
notify-balance-adjusted = Баланс скорректирован администратором: { $points }. Баланс: { $balance }.
phone-ask = Нажмите кнопку, чтобы поделиться своим номером: так кассир найдёт вас по телефону.
phone-saved = Номер сохранён.
phone-saved-merged = Номер сохранён. Мы нашли ваши покупки, которые кассир записал на этот номер: баллы перенесены. Баланс: { $balance }.
