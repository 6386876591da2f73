"""Reasons in the reader's language: every form the load writes, read back from a real load, reads in
Russian with the file's value and column kept; an unknown form is shown as written."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.apptest import Q1_2025, open_tab, run_app, sql
from ui.reasons import EN, RU, _parts, words

# amoCRM's export (';', UTF-8 with BOM), every line wrong in its own way
BAD = ("\ufeffID;Название сделки;Бюджет;Ответственный;Дата создания;Дата закрытия;Этап сделки;Валюта\n"
       "9401;Окна;договорная;Анна;31.02.2025 10:00:00;;Переговоры;RUB\n"             # an emptied amount, no such day
       "9402;Окна;1 000;Анна;;;Переговоры;RUB\n"                                      # empty required date
       "9403;Окна;1 000;Анна;03.03.1890 10:00:00;;Переговоры;RUB\n"                   # out of range
       "9404;Окна;1 000;Анна;03.03.2025 10:00:00;05.13.2025;Успешно реализовано;RUB\n"   # an emptied close date
       "9405;Окна;1 000;Анна;03.03.2025 10:00:00;;Переговоры;ZWL\n").encode()          # unknown currency


def test_every_reason_a_real_load_writes_reads_in_russian(copy_of_warehouse):
    from ui import upload

    assert upload.load_uploads([("amo_bad.csv", BAD)])["ok"]
    load_id = sql(copy_of_warehouse, "select max(load_id) from loads")[0][0]
    texts = [r for (r,) in sql(copy_of_warehouse, "select reason from rejects where load_id = $l union all "
                                                   "select reason from cell_warnings where load_id = $l",
                               {"l": load_id})]
    kinds = [r for (r,) in sql(copy_of_warehouse, "select regexp_replace(reason, '\\s+[''\"].*$', '') from rejects "
                                                   "where load_id = $l", {"l": load_id})]
    assert len(texts) >= 5, texts
    for text in [*texts, *kinds]:
        ru = words(text, "ru")
        assert not re.search(r"\b(invalid|column|unknown|empty|left|number|date|range)\b", ru), (text, ru)
        en = words(text, "en")
        assert en == text if text in texts else not en.endswith((":", " in column")) and en not in ("date", "number")
    shown = " | ".join(words(x, "ru") for x in texts)
    for value in ("31.02.2025 10:00:00", "03.03.1890 10:00:00", "ZWL", "Дата создания"):
        assert value in shown, shown      # the file's own value and column, as written
    # the Data page's tables and the deck's slide show them so (the deck: tests/test_report.py's texts)
    at = open_tab(run_app("data", "ru", **Q1_2025), "data", "history")
    at.selectbox(key="reject_load").set_value(load_id).run()
    rejects = next(df.value for df in at.dataframe if "row_number" in df.value and "raw" in df.value
                   and "column" not in df.value)
    assert list(rejects.reason) == [words(r, "ru") for (r,) in sql(
        copy_of_warehouse, "select reason from rejects where load_id = $l order by row_number", {"l": load_id})]
    warned = next(df.value for df in at.dataframe if "column" in df.value)
    assert all(r.startswith(("не число", "такой даты нет")) for r in warned.reason), list(warned.reason)
    kinds = next(df.value for df in at.dataframe if list(df.value.columns) == ["load_id", "file_name", "reason",
                                                                               "rows"])
    assert "неверная дата" in set(kinds.reason) and not {"invalid date", "the row"} & set(kinds.reason)


@pytest.mark.parametrize("text,ru", [
    (("invalid date '31.02.2025' in column \"Дата\" (no such day or unknown form); "
     "unknown currency 'ZWL' (add it to data/currencies.csv)"),
     ("неверная дата «31.02.2025» в столбце «Дата» (такого дня нет или формат не распознан); "
     "неизвестная валюта «ZWL» (добавьте её в data/currencies.csv)")),
    ("not a number; amount left empty", "не число; поле «Сумма» оставлено пустым"),
    ("not a number; amount left empty; no such date or unknown form; closed_at left empty",
     ("не число; поле «Сумма» оставлено пустым; "
      "такой даты нет или формат не распознан; поле «Дата закрытия» оставлено пустым")),
    ("the row's period ends before it starts", "период строки кончается раньше, чем начинается"),
    ("invalid date", "неверная дата"),
    # a preview's cells: the file's column before each reason
    ("Итог заказа, руб.: not a number; amount left empty; Закрыт: no such date or unknown form; closed_at left empty",
     ("Итог заказа, руб.: не число; поле «Сумма» оставлено пустым; "
      "Закрыт: такой даты нет или формат не распознан; поле «Дата закрытия» оставлено пустым")),
    ("Итог: something new", "Итог: something new"),
])
def test_joined_reasons_are_each_rewritten(text, ru):
    assert words(text, "ru") == ru


@given(st.text(max_size=60))
def test_a_form_it_does_not_know_is_shown_as_written(text):
    for lang, table in (("ru", RU), ("en", EN)):
        said = [x for part in _parts(text) for x in (part, part.partition(": ")[2])]   # a cell's column first
        if not any(p.fullmatch(x) for p, _ in table for x in said):
            assert words(text, lang) == text
    assert words(None, "ru") is None


@pytest.mark.parametrize("kind,en,ru", [("date", "date out of range", "дата вне диапазона"),
                                        ("number", "number too large", "слишком большое число"),
                                        ("not a number:", "not a number", "не число"),
                                        ("empty required field date in column", "empty required field date",
                                         "не заполнено обязательное поле «Дата»"),
                                        ("invalid date", "invalid date", "неверная дата")])
def test_the_kinds_the_summaries_group_by_read_whole(kind, en, ru):
    assert (words(kind, "en"), words(kind, "ru")) == (en, ru)


def test_every_field_a_reason_names_reads_in_words():
    """«поле amount» was the warehouse's code: every field a file maps to reads in words (utm_* are
    the marks' own names), and a field the words do not know stays as written."""
    from ui import upload
    codes = {f for need, other in upload.entity_fields().values() for f in need + other}
    for code in codes - {"utm_source", "utm_medium", "utm_campaign"}:
        ru = words(f"not a number; {code} left empty", "ru")
        assert f"«{code}»" not in ru and ru.startswith("не число; поле «"), ru
    assert words("not a number; some_new_field left empty", "ru") == "не число; поле «some_new_field» оставлено пустым"
