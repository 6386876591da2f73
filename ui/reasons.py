"""A rejected row's or an emptied cell's reason in the reader's language.

The load writes its reasons in English (etl/stage.py, queries/warehouse/validate_*.sql), where the CLI and
the warehouse keep them; the pages and the deck show them through `words`. Each known form is rewritten
with the file's own value and column kept as written; several reasons of one row (joined by "; ") are each
rewritten; a form not listed here is shown as the load wrote it, never dropped.
"""
from __future__ import annotations

import re

from ui.i18n import TEXT

V, C, F = r"'(?P<v>.*?)'", r'"(?P<c>.*?)"', r"(?P<f>[a-z_]+)"
# (pattern, Russian), the most specific first; {v} the value, {c} the column, {f} the field (in words)
RU: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), r) for p, r in (
    (rf"invalid date {V} in column {C} \(no such day or unknown form\)",
     "неверная дата «{v}» в столбце «{c}» (такого дня нет или формат не распознан)"),
    (rf"date {V} out of range in column {C}", "дата «{v}» вне диапазона 1990–2100, столбец «{c}»"),
    (rf"not a number: {V} in column {C}", "не число: «{v}» в столбце «{c}»"),
    (rf"number {V} too large in column {C}", "слишком большое число «{v}», столбец «{c}»"),
    (rf"empty required field {F} in column {C}", "не заполнено обязательное поле «{f}» (столбец «{c}»)"),
    (rf"no such date or unknown form; {F} left empty",
     "такой даты нет или формат не распознан; поле «{f}» оставлено пустым"),
    (rf"date out of range \(1990-2100\); {F} left empty", "дата вне диапазона 1990–2100; поле «{f}» оставлено пустым"),
    (rf"not a number; {F} left empty", "не число; поле «{f}» оставлено пустым"),
    (rf"number too large; {F} left empty", "слишком большое число; поле «{f}» оставлено пустым"),
    (rf"unknown owner {V} \(expected marketing or sales\)",
     "неизвестный ответственный «{v}» (ожидается marketing или sales)"),
    (rf"unknown owner {V} \(expected marketing, sales or company\)",
     "неизвестный ответственный «{v}» (ожидается marketing, sales или company)"),
    (rf"unknown plan metric {V} \(expected revenue, deals, leads, spend\)",
     "неизвестный показатель плана «{v}» (ожидается revenue, deals, leads или spend)"),
    (rf"unknown currency {V} \(add it to data/currencies.csv\)",
     "неизвестная валюта «{v}» (добавьте её в data/currencies.csv)"),
    (r"the row's period ends before it starts", "период строки кончается раньше, чем начинается"),
    (r"duplicate row", "строка повторяет строку выше"),
    (r"no period: the row has no date and the report title names none",
     "нет периода: в строке нет даты, и заголовок отчёта её не называет"),
    # the kinds the Data page's and the deck's summaries group by (the text before the file's quoted value)
    (r"invalid date", "неверная дата"), (r"not a number:", "не число"),
    (r"empty required field (?P<f>[a-z_]+) in column", "не заполнено обязательное поле «{f}»"),
    (r"unknown owner", "неизвестный ответственный"), (r"unknown plan metric", "неизвестный показатель плана"),
    (r"unknown currency", "неизвестная валюта"), (r"date", "дата вне диапазона"), (r"number", "слишком большое число"),
))
# English: the load's own texts, except the kinds, which are cut mid-sentence (up to the file's value)
EN: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"not a number:", "not a number"), (r"empty required field (?P<f>[a-z_]+) in column", "empty required field {f}"),
    (r"date", "date out of range"), (r"number", "number too large"),
))


def words(reason: object, lang: str) -> object:
    """`reason` as the reader reads it: in Russian where its form is known, else as written (None stays);
    in English as written, a kind made whole («date» is «date out of range»)."""
    if not isinstance(reason, str):
        return reason
    return "; ".join(_one(part, RU if lang == "ru" else EN) for part in _parts(reason))


def _parts(reason: str) -> list[str]:
    """The reasons of one row: joined by "; ", though a cell warning's own text holds one too."""
    out: list[str] = []
    for piece in reason.split("; "):
        if out and re.fullmatch(r"[a-z_]+ left empty", piece):
            out[-1] += "; " + piece          # "not a number; amount left empty" is one reason
        else:
            out.append(piece)
    return out


def _one(part: str, table: tuple[tuple[re.Pattern, str], ...]) -> str:
    said = _known(part, table)
    if said is not None:
        return said
    column, sep, rest = part.partition(": ")    # "<the file's column>: <reason>", as a preview lists a cell's
    said = _known(rest, table) if sep else None
    return part if said is None else f"{column}: {said}"


def _known(part: str, table: tuple[tuple[re.Pattern, str], ...]) -> str | None:
    for pattern, text in table:
        m = pattern.fullmatch(part)
        if m:
            found = m.groupdict()
            if "f" in found and table is RU:     # the warehouse's field in words (ui/locales/fields.toml)
                found["f"] = TEXT["ru"].get(f"field.{found['f']}", found["f"])
            return text.format(**found)
    return None
