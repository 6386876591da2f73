"""UI text in Russian (the default) and English: `t(key)` in the language the sidebar chose."""
from __future__ import annotations

import streamlit as st

LANGS = ("ru", "en")
DEFAULT = "ru"
LANG_NAMES = {"ru": "Русский", "en": "English"}

TEXT = {
    "ru": {
        "language": "Язык · Language",
        "page.overview": "Обзор",
        "overview.title": "Обзор",
        "overview.caption": "Итоги по всем загруженным данным",
        "won_revenue": "Выручка",
        "won_deals": "Выигранные сделки",
        "win_rate": "Доля выигранных",
        "win_rate.help": "Выигранные / (выигранные + проигранные) сделки",
        "open_pipeline": "Открытые сделки",
        "leads": "Лиды",
        "ad_spend": "Рекламный расход",
        "exact": "Точно: {value}",
        "chart.revenue_by_month": "Выручка по месяцам закрытия сделок, {currency}",
        "chart.month": "Месяц",
        "chart.no_won": "Выигранных сделок пока нет.",
        "freshness.title": "Свежесть данных",
        "freshness.built_at": "Хранилище собрано {when}.",
        "col.source": "Источник",
        "col.latest": "Последняя дата",
        "col.rows": "Строк",
        "col.loaded_at": "Загружено",
        "source.deals": "Сделки",
        "source.leads": "Лиды",
        "source.ad_spend": "Рекламные расходы",
        "source.sales": "Продажи (учёт)",
        "source.traffic": "Трафик сайта",
        "source.plan": "План",
        "empty.title": "Данных пока нет",
        "empty.body": (
            "Хранилище `{path}` ещё не создано или в нём нет сделок.\n\n"
            "Загрузите выгрузки из CRM и рекламных кабинетов:\n\n"
            "`python -m etl load ФАЙЛ...`\n\n"
            "или посмотрите демо-компанию: `python -m etl demo`. Затем обновите страницу."
        ),
    },
    "en": {
        "language": "Язык · Language",
        "page.overview": "Overview",
        "overview.title": "Overview",
        "overview.caption": "Totals over all loaded data",
        "won_revenue": "Won revenue",
        "won_deals": "Won deals",
        "win_rate": "Win rate",
        "win_rate.help": "Won / (won + lost) deals",
        "open_pipeline": "Open pipeline",
        "leads": "Leads",
        "ad_spend": "Ad spend",
        "exact": "Exactly: {value}",
        "chart.revenue_by_month": "Won revenue by close month, {currency}",
        "chart.month": "Month",
        "chart.no_won": "No won deals yet.",
        "freshness.title": "Data freshness",
        "freshness.built_at": "Warehouse built {when}.",
        "col.source": "Source",
        "col.latest": "Latest date",
        "col.rows": "Rows",
        "col.loaded_at": "Loaded",
        "source.deals": "Deals",
        "source.leads": "Leads",
        "source.ad_spend": "Ad spend",
        "source.sales": "Sales (accounting)",
        "source.traffic": "Website traffic",
        "source.plan": "Plan",
        "empty.title": "No data yet",
        "empty.body": (
            "The warehouse `{path}` does not exist yet or holds no deals.\n\n"
            "Load your CRM and ad-platform exports:\n\n"
            "`python -m etl load FILE...`\n\n"
            "or try the demo company: `python -m etl demo`. Then reload this page."
        ),
    },
}


def lang() -> str:
    """The UI language of this browser session ('ru' unless the user chose otherwise)."""
    value = st.session_state.get("lang", DEFAULT)
    return value if value in LANGS else DEFAULT


def t(key: str, lang_: str | None = None) -> str:
    """The text for `key` in the session's language (or `lang_`); a missing key is a bug, so it shows."""
    return TEXT[lang_ or lang()].get(key, key)
