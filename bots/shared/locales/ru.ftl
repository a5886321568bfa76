## Shared by every bot.

error-generic = Что-то пошло не так. Мы уже разбираемся — попробуйте ещё раз чуть позже.
error-temporarily-unavailable = ⏳ Сервис временно недоступен. Попробуйте, пожалуйста, ещё раз через минуту.
slow-down = Слишком много сообщений подряд. Подождите пару секунд, пожалуйста.
button-stale = Эта кнопка больше не действует.
cancelled = Отменено. Ничего не изменилось.
cancel-hint = Чтобы отменить, отправьте /cancel.
nothing-to-cancel = Сейчас нечего отменять.
yes = Да
no = Нет
confirm = ✅ Подтвердить
decline = ❌ Отмена
language-prompt = Выберите язык / Choose a language
language-set = Язык: русский.
not-a-text = Пожалуйста, ответьте текстом.
too-long = Слишком длинно: не больше { $max } символов.
# Referenced as { points } by messages that are given $points.
points = { $points ->
    [one] { $points } балл
    [few] { $points } балла
   *[other] { $points } баллов
}
tier-bronze = Бронза
tier-silver = Серебро
tier-gold = Золото
tier-platinum = Платина

error-validation = Проверьте введённые данные и попробуйте ещё раз.
error-not-found = Не найдено.
error-forbidden = Это действие вам недоступно.
error-client-not-found = Клиент не найден.
error-client-blocked = Этот клиент заблокирован.
error-partner-not-found = Партнёр не найден.
error-partner-not-active = Партнёр сейчас не активен в сети.
error-insufficient-points = Недостаточно баллов: доступно { $available }.
error-redeem-cap-exceeded = Баллами можно оплатить не больше { $percent }% чека — максимум { $cap }.
error-receipt-reused = Чек с номером { $receipt } уже проведён с другой суммой или клиентом.
error-idempotency-key-reused = Эта операция уже была проведена с другими данными.
error-redemption-not-found = Запрос на списание не найден.
error-redemption-expired = Время подтверждения истекло. Создайте новый запрос.
error-redemption-already-decided = По этому запросу уже есть решение.
error-undo-window-passed = Отменить можно только в течение { $hours } ч.
error-not-reversible = Эту операцию нельзя отменить.
error-self-referral = Нельзя пригласить самого себя.
error-already-rated = Вы уже оценили этот визит.
error-already-applied = Ваша заявка уже на рассмотрении.
error-already-moderated = Решение по этой заявке уже принято.
error-phone-taken = Этот номер уже привязан к другому аккаунту.
error-welcome-bonus-too-large = Приветственный бонус — не больше { $max } баллов: это предел сети.
error-broadcast-owner-only = Рассылки клиентам отправляет владелец заведения. Он может разрешить их кассирам в /settings.

use-the-buttons = Пожалуйста, выберите вариант кнопкой выше.
amount-invalid = Введите сумму в рублях больше нуля, например 1500 или 1500,50.
amount-too-large = Слишком большая сумма: не больше 10 000 000 ₽.
number-invalid = Введите целое число, например 100.
number-out-of-range = Введите число от 1 до { $max }.
text-too-short = Слишком коротко: нужно хотя бы { $min } символа.
not-a-command = Здесь нужен ответ текстом, а не команда. Чтобы выйти, отправьте /cancel.
text-invisible = В ответе нет видимых символов. Напишите его обычным текстом.
text-control = В ответе есть служебные символы. Напишите его обычным текстом.
flow-unknown-command = Такой команды здесь нет. Ответьте на вопрос выше или отправьте /cancel, чтобы выйти.

segments-none = Сегменты ещё не рассчитаны: расчёт идёт каждую ночь.
segments-title = Клиенты по сегментам на { $date }
customers-new = Новые (меньше 3 покупок, в том числе ни одной)
customers-regular = Постоянные (3+)
customers-vip = VIP (10+ покупок или 100 000 ₽+)
customers-inactive = Неактивные (180+ дней без покупок)
segment-champions = Чемпионы
segment-loyal = Лояльные
segment-potential-loyalists = Потенциально лояльные
segment-new = Новички
segment-promising = Перспективные
segment-need-attention = Требуют внимания
segment-at-risk = В зоне риска
segment-cannot-lose = Нельзя потерять
segment-hibernating = Спящие
segment-lost = Потерянные

broadcast-audience = Кому отправить рассылку?
audience-all = Всем клиентам
broadcast-ask-text = Пришлите текст рассылки (до 1 024 символов) или фото с подписью.
broadcast-too-long = Слишком длинно: не больше 1 024 символов.
broadcast-nobody = В этой аудитории сейчас нет клиентов, которым можно написать.
broadcast-preview = Так клиенты увидят сообщение. Получателей: { $count }. Отправить?
broadcast-send = ✅ Отправить ({ $count })
broadcast-starting = Рассылка запускается: 0 из { $count }…
broadcast-already-started = Эта рассылка уже запущена: её ход — в сообщении выше.
broadcast-awaiting-approval = Рассылка отправлена администраторам на согласование. Мы сообщим решение.
broadcast-progress = Рассылка: отправлено { $sent } из { $total }, недоступно { $unreachable }…
broadcast-report = ✅ Рассылка завершена: доставлено { $sent } из { $total }, недоступно { $unreachable }, неизвестно { $uncertain }, ошибок { $failed }.
error-redemption-code-wrong = Неверный код. Осталось попыток: { $attemptsLeft }.
error-redemption-code-locked = Запрос на списание отменён: слишком много неверных кодов. Баллы не списаны.
error-redemption-superseded = Этот запрос заменён новым запросом № { $newRequestId }. По старому баллы не спишутся.
error-redemption-cancelled = Кассир отменил этот запрос. Баллы не списаны.
error-code-attempts-exceeded = Слишком много неверных кодов за последний час. Ввод кода снова будет доступен через { $minutes } мин. Клиент может подтвердить списание в своём боте.
error-job-not-dead = Повторить можно только сбойную задачу, а эта не в сбое (возможно, её уже повторили).
# The locale numbers and dates are formatted in (Intl), for this language.
intl-locale = ru-RU

## The dashboard's sign-in link (/dashboard in the admin and partner bots).
dashboard-link = 🔐 Ссылка для входа в панель управления. Она сработает один раз и действует { $minutes } мин — до { $until } (МСК). Никому её не пересылайте.
dashboard-open = Открыть панель
dashboard-logout-everywhere = Выйти на всех устройствах
dashboard-logged-out = { $count ->
    [0] Открытых сеансов панели не было. Неиспользованные ссылки для входа больше не действуют.
    [one] Завершён { $count } сеанс панели. Неиспользованные ссылки для входа больше не действуют.
    [few] Завершено { $count } сеанса панели. Неиспользованные ссылки для входа больше не действуют.
   *[other] Завершено { $count } сеансов панели. Неиспользованные ссылки для входа больше не действуют.
}
