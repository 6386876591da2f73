"""Numbers, money, percentages and dates as the chosen UI language writes them (pure functions)."""
from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

# Russian groups thousands with a no-break space so "1 234 567 ₽" never wraps mid-number.
NBSP = "\u00a0"
DASH = "—"  # what an absent value (None, NaN) shows as
MINUS = "\u2212"  # Russian typography's minus sign: "−1 234", not the hyphen "-1 234"

SYMBOLS_RU = {"RUB": "₽", "USD": "$", "EUR": "€"}
# (threshold, RU suffix, EN suffix), largest first.
SCALES = ((10**12, "трлн", "T"), (10**9, "млрд", "B"), (10**6, "млн", "M"), (10**3, "тыс.", "K"))
MONTHS_RU = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _missing(x) -> bool:
    """None, NaN, NaT, pd.NA and infinities: an empty aggregate, or a ratio over nothing."""
    try:
        if pd.isna(x):
            return True
    except (TypeError, ValueError):
        return False
    return isinstance(x, (float, Decimal)) and not (x.is_finite() if isinstance(x, Decimal) else math.isfinite(x))


def _dec(x) -> Decimal:
    # str() of a float is its shortest round-trip form, so 1380000.5 stays exactly that.
    return x if isinstance(x, Decimal) else Decimal(str(x))


def number(x, lang: str, decimals: int = 0) -> str:
    """1234567.5 -> '1 234 567,5' (ru) / '1,234,567.5' (en); rounds half away from zero. A negative number
    reads '−1 234' in Russian (the minus sign, U+2212), '-1,234' in English. Text for people only: the
    Excel and CSV files hold the numbers themselves."""
    if _missing(x):
        return DASH
    q = _dec(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{q:,.{decimals}f}"
    if q == 0:
        text = text.lstrip("-")  # -0.4 rounds to "0", not "-0"
    if lang == "ru":
        text = text.replace(",", NBSP).replace(".", ",").replace("-", MINUS)
    return text


def _with_currency(amount: str, currency: str | None, lang: str) -> str:
    if not currency:
        return amount
    unit = SYMBOLS_RU.get(currency, currency) if lang == "ru" else currency
    return f"{amount}{NBSP}{unit}" if lang == "ru" else f"{amount} {unit}"


def money(x, currency: str | None, lang: str, decimals: int = 0) -> str:
    """1234567 RUB -> '1 234 567 ₽' (ru) / '1,234,567 RUB' (en)."""
    if _missing(x):
        return DASH
    return _with_currency(number(x, lang, decimals), currency, lang)


def compact(x, lang: str, currency: str | None = None) -> str:
    """48_200_000 -> '48,2 млн ₽' (ru) / '48.2M RUB' (en); below a thousand the plain number."""
    if _missing(x):
        return DASH
    value = _dec(x)
    for i, (size, ru, en) in enumerate(SCALES):
        if abs(value) < size:
            continue
        scaled = value / size
        decimals = 1 if abs(scaled) < 100 else 0
        rounded = scaled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if abs(rounded) >= 1000 and i > 0:  # 999 950 is "1 млн", not "1 000 тыс."
            size, ru, en = SCALES[i - 1]
            rounded = (value / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if rounded == rounded.to_integral_value():
            rounded = rounded.quantize(Decimal(1))
        digits = number(rounded, lang, max(0, -rounded.as_tuple().exponent))
        text = f"{digits}{NBSP}{ru}" if lang == "ru" else f"{digits}{en}"
        return _with_currency(text, currency, lang)
    return money(value, currency, lang)


def percent(share, lang: str, decimals: int = 1) -> str:
    """A share 0.756 -> '75,6 %' (ru) / '75.6%' (en). A share that is not 0 never reads 0, and one short
    of the whole never reads 100: 3 deals of 5,000 at 0 decimals -> '<1 %', 4,999 of them -> '>99 %'."""
    if _missing(share):
        return DASH
    value = _dec(share) * 100
    step = Decimal(1).scaleb(-decimals)
    shown = value.quantize(step, rounding=ROUND_HALF_UP)
    if value > 0 and shown == 0:
        digits = "<" + number(step, lang, decimals)
    elif value < 100 and shown >= 100:
        digits = ">" + number(100 - step, lang, decimals)
    else:
        digits = number(value, lang, decimals)
    return f"{digits}{NBSP}%" if lang == "ru" else f"{digits}%"


def date(d, lang: str) -> str:
    """2025-01-15 -> '15.01.2025' (ru) / '2025-01-15' (en)."""
    if _missing(d):
        return DASH
    return d.strftime("%d.%m.%Y") if lang == "ru" else d.strftime("%Y-%m-%d")


def date_ranges(ranges, lang: str) -> str:
    """[(first, last), ...] -> '01.12.2026 – 31.12.2026, 01.02.2027 – 28.02.2027' (ru) / '2026-12-01 –
    2026-12-31, ...' (en): the stretches of a period a sentence names (a day alone once)."""
    return ", ".join(date(a, lang) if a == b else f"{date(a, lang)} – {date(b, lang)}" for a, b in ranges)


def timestamp(d, lang: str) -> str:
    """A timestamp to the minute: '26.11.2026 23:18' (ru) / '2026-11-26 23:18' (en). One with a time zone
    (the store stamps UTC: '2026-12-05T08:24:33+00:00') is shown in the local time of the machine."""
    if _missing(d):
        return DASH
    if isinstance(d, str):
        d = dt.datetime.fromisoformat(d)
    if d.tzinfo is not None:
        d = d.astimezone().replace(tzinfo=None)
    return d.strftime("%d.%m.%Y %H:%M") if lang == "ru" else d.strftime("%Y-%m-%d %H:%M")


def month(d, lang: str) -> str:
    """The month of a date: 'янв 2025' (ru) / 'Jan 2025' (en)."""
    if _missing(d):
        return DASH
    names = MONTHS_RU if lang == "ru" else MONTHS_EN
    return f"{names[d.month - 1]} {d.year}"


def month_name(d, lang: str) -> str:
    """The month's short name alone: 'окт' (ru) / 'Oct' (en)."""
    return (MONTHS_RU if lang == "ru" else MONTHS_EN)[d.month - 1]


def day_month(d, lang: str) -> str:
    """A day of the year without it: '02.12' (ru) / 'Dec 2' (en)."""
    if _missing(d):
        return DASH
    return d.strftime("%d.%m") if lang == "ru" else f"{MONTHS_EN[d.month - 1]} {d.day}"


def scale_of(x) -> tuple[int, str, str]:
    """The unit an axis of values up to |x| is written in: (size, ru suffix, en suffix); below ten
    thousand the plain number (size 1), so 2 500 leads stay '2 500', not '2,5 тыс.'."""
    value = abs(_dec(x)) if not _missing(x) else Decimal(0)
    for size, ru, en in SCALES:
        if value >= max(size, 10**4):
            return size, ru, en
    return 1, "", ""


def in_scale(x, scale: tuple[int, str, str], lang: str, decimals: int = 0) -> str:
    """x written in a given unit: 200_000_000 in millions -> '200 млн' (ru) / '200M' (en); 0 is '0'."""
    if _missing(x):
        return DASH
    size, ru, en = scale
    value = _dec(x) / size
    digits = number(value, lang, decimals)
    if value == 0 or size == 1:
        return digits if value != 0 else "0"
    return f"{digits}{NBSP}{ru}" if lang == "ru" else f"{digits}{en}"


def days_after_of(n: int, lang: str) -> str:
    """"Days" as it follows «из N» in Russian: «из 31 дня», «из 30 дней», «из 11 дней» (English: "days")."""
    if lang != "ru":
        return "days"
    return "дня" if n % 10 == 1 and n % 100 != 11 else "дней"


def noun(n, key: str, lang: str) -> str:
    """The word for `n` of a thing as it follows the number: Russian has three forms («1 лид», «3 лида»,
    «20 533 лида», «11 лидов»; a fraction takes the second, «2,5 лида»), English two. The forms are
    ui/locales' "noun.<key>", separated by "|"."""
    from ui.i18n import t
    forms = t(f"noun.{key}", lang).split("|")
    if _missing(n):
        return forms[-1]
    if lang != "ru":
        return forms[0] if n == 1 else forms[1]
    if n != int(n):
        return forms[1]
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return forms[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return forms[1]
    return forms[2]


def filters(f, lang: str) -> str:
    """The filters in words (dates, regions, products), as the pages' captions, the slides and the files'
    first lines print them; with a product chosen, what a product filter cannot narrow."""
    from ui.i18n import t

    regions = ", ".join(f.regions) if f.regions else t("all_regions", lang)
    products = ", ".join(f.products) if f.products else t("all_products", lang)
    line = t("filters.caption", lang, date_from=date(f.date_from, lang), date_to=date(f.date_to, lang),
             regions=regions, products=products)
    return f"{line} ({t('filters.products_note', lang)})" if f.products else line
