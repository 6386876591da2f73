"""UI text in Russian (the default) and English: `t(key)` in the language the sidebar chose.

The strings live in ui/locales/*.toml, one file per page plus common.toml, each with a [ru] and an
[en] table of the same keys; a key defined in two files is an error.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import streamlit as st

from etl.config import flat_keys

LANGS = ("ru", "en")
DEFAULT = "ru"
LANG_NAMES = {"ru": "Русский", "en": "English"}
LOCALES = Path(__file__).resolve().parent / "locales"


def _load() -> dict[str, dict[str, str]]:
    text: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    for path in sorted(LOCALES.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for lang in LANGS:
            for key, value in flat_keys(data.get(lang, {})).items():
                if key in text[lang]:
                    raise ValueError(f"{path.name}: text key {key!r} is defined twice")
                text[lang][key] = value
    return text


TEXT = _load()


def lang() -> str:
    """The UI language of this browser session ('ru' unless the user chose otherwise)."""
    value = st.session_state.get("lang", DEFAULT)
    return value if value in LANGS else DEFAULT


NONE = "(none)"   # the marts' name for a row with no region, manager or product (queries/warehouse/steps)


def named(value, lang_: str | None = None):
    """A region, manager or product as a reader sees it: the marts' «(none)» in words of the language."""
    return t("value.none", lang_) if isinstance(value, str) and value == NONE else value   # NA is no name


def t(key: str, lang_: str | None = None, **fields) -> str:
    """The text for `key` in the session's language (or `lang_`), formatted with `fields`;
    a missing key is a bug, so it shows as itself."""
    text = TEXT[lang_ or lang()].get(key, key)
    return text.format(**fields) if fields else text
