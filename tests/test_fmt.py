"""ui.fmt: numbers, money, percentages and dates as Russian and English readers expect them."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui import fmt

S = "\u00a0"  # the no-break space Russian uses between digit groups and before units
M = "\u2212"  # the minus sign Russian typography writes before a negative number (not the hyphen "-")


@pytest.mark.parametrize("value, lang, decimals, expected", [
    (1234567, "ru", 0, f"1{S}234{S}567"),
    (1234567, "en", 0, "1,234,567"),
    (1234567.891, "ru", 2, f"1{S}234{S}567,89"),
    (1234567.891, "en", 2, "1,234,567.89"),
    (999, "ru", 0, "999"),
    (0, "en", 0, "0"),
    (-0.4, "ru", 0, "0"),  # no "-0"
    (-1234.5, "en", 0, "-1,235"),
    (-1234.5, "ru", 0, f"{M}1{S}235"),
    (-0.5, "ru", 1, f"{M}0,5"),
    (2.5, "en", 0, "3"),  # money rounds half up, not to even
    (Decimal("1380000.50"), "ru", 0, f"1{S}380{S}001"),
    (1380000.5, "en", 2, "1,380,000.50"),
    (None, "ru", 0, "—"),
    (float("nan"), "en", 0, "—"),
    (pd.NA, "en", 0, "—"),
])
def test_number(value, lang, decimals, expected):
    assert fmt.number(value, lang, decimals) == expected


@pytest.mark.parametrize("value, currency, lang, decimals, expected", [
    (1234567, "RUB", "ru", 0, f"1{S}234{S}567{S}₽"),
    (1234567, "RUB", "en", 0, "1,234,567 RUB"),
    (60000, "USD", "ru", 0, f"60{S}000{S}$"),
    (60000, "USD", "en", 0, "60,000 USD"),
    (1500.5, "EUR", "ru", 2, f"1{S}500,50{S}€"),
    (1500.5, "EUR", "en", 2, "1,500.50 EUR"),
    (1000, "KZT", "ru", 0, f"1{S}000{S}KZT"),  # no symbol known: the ISO code
    (1000, None, "en", 0, "1,000"),
    (None, "RUB", "ru", 0, "—"),
])
def test_money(value, currency, lang, decimals, expected):
    assert fmt.money(value, currency, lang, decimals) == expected


@pytest.mark.parametrize("value, lang, currency, expected", [
    (48_200_000, "ru", "RUB", f"48,2{S}млн{S}₽"),
    (48_200_000, "en", "RUB", "48.2M RUB"),
    (1_000_000, "ru", None, f"1{S}млн"),  # no trailing ",0"
    (1_000_000, "en", "USD", "1M USD"),
    (950_000, "ru", "RUB", f"950{S}тыс.{S}₽"),
    (950_000, "en", None, "950K"),
    (999_950, "ru", None, f"1{S}млн"),  # not "1 000 тыс."
    (123_456_789, "en", None, "123M"),
    (4_812_345_678, "ru", "RUB", f"4,8{S}млрд{S}₽"),
    (4_812_345_678, "en", "EUR", "4.8B EUR"),
    (2_500_000_000_000, "en", None, "2.5T"),
    (-48_200_000, "ru", None, f"{M}48,2{S}млн"),
    (512, "ru", "RUB", f"512{S}₽"),
    (512, "en", "RUB", "512 RUB"),
    (None, "en", "RUB", "—"),
])
def test_compact(value, lang, currency, expected):
    assert fmt.compact(value, lang, currency) == expected


@pytest.mark.parametrize("share, lang, decimals, expected", [
    (0.8, "ru", 1, f"80,0{S}%"),
    (0.8, "en", 1, "80.0%"),
    (0.12345, "ru", 2, f"12,35{S}%"),
    (1, "en", 0, "100%"),
    (None, "ru", 1, "—"),
    (math.nan, "en", 1, "—"),
    # not zero never reads 0, short of the whole never reads 100
    (3 / 5000, "ru", 0, f"<1{S}%"),
    (3 / 5000, "en", 1, "0.1%"),
    (0.0004, "en", 1, "<0.1%"),
    (4999 / 5000, "ru", 0, f">99{S}%"),
    (0.99999, "ru", 1, f">99,9{S}%"),
    (0.995, "en", 1, "99.5%"),
    (0, "en", 0, "0%"),
    (1.0004, "en", 0, "100%"),
    (-0.0004, "en", 0, "0%"),
    (-0.25, "ru", 0, f"{M}25{S}%"),
])
def test_percent(share, lang, decimals, expected):
    assert fmt.percent(share, lang, decimals) == expected


@given(st.floats(min_value=0, max_value=1, exclude_min=True, exclude_max=True), st.sampled_from(["ru", "en"]),
       st.integers(min_value=0, max_value=2))
def test_a_part_reads_neither_none_nor_all(share, lang, decimals):
    text = fmt.percent(share, lang, decimals).replace(fmt.NBSP, "").rstrip("%")
    value = float(text.lstrip("<>").replace(",", "."))
    assert 0 < value < 100, text      # "<1" and ">99" are bounds inside (0, 100): never "0" nor "100"


@pytest.mark.parametrize("func, value, lang, expected", [
    (fmt.date, dt.date(2025, 1, 15), "ru", "15.01.2025"),
    (fmt.date, dt.date(2025, 1, 15), "en", "2025-01-15"),
    (fmt.date, pd.Timestamp("2025-01-15"), "ru", "15.01.2025"),
    (fmt.date, pd.NaT, "ru", "—"),
    (fmt.timestamp, "2026-11-26T23:18:15", "ru", "26.11.2026 23:18"),
    (fmt.timestamp, dt.datetime(2026, 11, 26, 23, 18, 15), "en", "2026-11-26 23:18"),
    (fmt.timestamp, None, "en", "—"),
    (fmt.month, dt.date(2025, 1, 1), "ru", "янв 2025"),
    (fmt.month, pd.Timestamp("2025-12-01"), "en", "Dec 2025"),
    (fmt.month_name, dt.date(2026, 10, 1), "ru", "окт"),
    (fmt.month_name, pd.Timestamp("2026-05-01"), "en", "May"),
    (fmt.day_month, dt.date(2026, 12, 2), "ru", "02.12"),
    (fmt.day_month, dt.date(2026, 12, 2), "en", "Dec 2"),
    (fmt.day_month, None, "ru", "—"),
])
def test_dates(func, value, lang, expected):
    assert func(value, lang) == expected


@pytest.mark.parametrize("largest, size", [(0, 1), (9_999, 1), (10_000, 10**3), (-250_000, 10**3),
                                          (1_000_000, 10**6), (2.5e9, 10**9), (None, 1)])
def test_scale_of_an_axis(largest, size):
    """The unit by the largest value; below ten thousand plain numbers ('2 500' leads, not '2,5 тыс.')."""
    assert fmt.scale_of(largest)[0] == size


@pytest.mark.parametrize("value, largest, lang, decimals, expected", [
    (200_000_000, 200_000_000, "ru", 0, f"200{S}млн"),
    (200_000_000, 200_000_000, "en", 0, "200M"),
    (2_500_000, 5_000_000, "ru", 1, f"2,5{S}млн"),
    (-4_000_000, 6_000_000, "ru", 0, f"{M}4{S}млн"),
    (50_000, 100_000, "ru", 0, f"50{S}тыс."),
    (50_000, 100_000, "en", 0, "50K"),
    (0, 200_000_000, "ru", 0, "0"),
    (2_000, 4_000, "ru", 0, f"2{S}000"),
    (2_000, 4_000, "en", 0, "2,000"),
    (None, 10, "ru", 0, "—"),
])
def test_in_scale(value, largest, lang, decimals, expected):
    assert fmt.in_scale(value, fmt.scale_of(largest), lang, decimals) == expected


@pytest.mark.parametrize("n,word", [(1, "дня"), (21, "дня"), (31, "дня"), (101, "дня"), (11, "дней"), (111, "дней"),
                                    (30, "дней"), (92, "дней"), (4, "дней"), (365, "дней")])
def test_days_after_of_agrees_with_its_number(n, word):
    from ui.fmt import days_after_of
    assert days_after_of(n, "ru") == word and days_after_of(n, "en") == "days"


@pytest.mark.parametrize("n, ru, en", [(1, "лид", "lead"), (2, "лида", "leads"), (4, "лида", "leads"),
                                       (5, "лидов", "leads"), (11, "лидов", "leads"), (12, "лидов", "leads"),
                                       (14, "лидов", "leads"), (21, "лид", "leads"), (22, "лида", "leads"),
                                       (111, "лидов", "leads"), (101, "лид", "leads"), (20_533, "лида", "leads"),
                                       (0, "лидов", "leads"), (2.5, "лида", "leads"), (None, "лидов", "leads")])
def test_a_count_takes_the_form_of_its_number(n, ru, en):
    """«20 533 лидов» read wrong: Russian takes one of three forms by the number's last digits."""
    assert (fmt.noun(n, "lead", "ru"), fmt.noun(n, "lead", "en")) == (ru, en)


def test_every_noun_has_its_forms():
    from ui.i18n import TEXT
    for key in (k for k in TEXT["ru"] if k.startswith("noun.")):
        assert len(TEXT["ru"][key].split("|")) == 3 and len(TEXT["en"][key].split("|")) == 2, key


def test_a_name_the_marts_left_empty_reads_in_words_and_a_missing_one_passes():
    import pandas as pd

    from ui.i18n import named, t
    assert named("(none)", "ru") == t("value.none", "ru") == "(не указан)"
    assert named("(none)", "en") == "(not given)" and named("Москва", "en") == "Москва"
    assert named(pd.NA, "ru") is pd.NA and named(None, "ru") is None     # a comparison with NA raised
