"""A report's period when its rows carry no date: from its title lines, else its file name, else the user.

Ad platforms and web analytics save reports aggregated over a period (a Yandex Metrica UTM report,
a Google Ads campaign report without a Day column, a Yandex Direct report without Date): the period
is then written in the title lines above the header ("March 1, 2025 - March 31, 2025",
"Период: 01.03.2026 - 10.03.2026", "(2025-03-01 - 2025-03-31)") or in the name the report was saved
under (`utm_2026-03-01_2026-03-10.csv`, `Отчет_01.03.2026-10.03.2026.csv`,
`report_20260301_20260310.csv`). Two dates make a period; one date alone does not (a file named by
the day it was saved says nothing of what it covers), but a whole month does (`spend_2026-03.csv`,
`Отчет март 2026.csv`: the report of a month is saved under the month's name), and two months make
the months between them. Slash dates (`03/01/2026`) are not read: day and month order cannot be told.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

from etl.errors import LoadError

# The field that dates a row, per entity whose reports may come without it.
PERIOD_FIELD = {"ad_spend": "date", "traffic": "period_start"}

# Each entity's first and last business day of a row, as its warehouse table holds them: what a load's
# rows span when its file states no period (the `loads` row keeps it, see etl/load.py `_covered`).
ROW_DAYS = {
    "deals": ("created_at", "created_at"), "leads": ("created_at", "created_at"),
    "touchpoints": ("touch_at", "touch_at"), "ad_spend": ("date", "date"),
    "campaigns": ("start_date", "end_date"), "plan": ("month", "month"),
    "activities": ("start_date", "end_date"), "sales": ("sale_date", "sale_date"),
    "traffic": ("period_start", "period_end"),
}

MONTHS = {
    **{m.lower(): i for i, m in enumerate(calendar.month_name) if m},
    **{m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}, "sept": 9,
    # Russian: nominative, genitive ("1 марта 2026") and the short forms reports print ("мар", "сент")
    **{w: i + 1 for i, forms in enumerate((
        ("январь", "января", "янв"), ("февраль", "февраля", "фев"), ("март", "марта", "мар"),
        ("апрель", "апреля", "апр"), ("май", "мая"), ("июнь", "июня", "июн"), ("июль", "июля", "июл"),
        ("август", "августа", "авг"), ("сентябрь", "сентября", "сен", "сент"),
        ("октябрь", "октября", "окт"), ("ноябрь", "ноября", "ноя", "нояб"),
        ("декабрь", "декабря", "дек"))) for w in forms},
}
_MON = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_Y = r"(?:19|20)\d{2}"
_DASH = r"\s*[-–—]\s*"
# Leftmost match wins; at one position the earlier alternative (a range before a single date) wins.
_DATES = re.compile(
    rf"(?<!\d)(?P<r1>\d{{1,2}}){_DASH}(?P<r2>\d{{1,2}})\s+(?P<rm>{_MON})\.?,?\s+(?P<ry>{_Y})(?!\d)"   # 1–10 марта 2026
    rf"|\b(?P<em>{_MON})\.?\s+(?P<e1>\d{{1,2}}){_DASH}(?P<e2>\d{{1,2}}),?\s+(?P<ey>{_Y})(?!\d)"  # March 1 - 31, 2025
    rf"|(?<!\d)(?P<iy>{_Y})(?P<isep>[-_.])(?P<im>\d{{1,2}})(?P=isep)(?P<id>\d{{1,2}})(?!\d)"          # 2026-03-01
    rf"|(?<!\d)(?P<dd>\d{{1,2}})\.(?P<dm>\d{{1,2}})\.(?P<dy>{_Y})(?!\d)"                              # 01.03.2026
    rf"|(?<![\d.])(?P<cy>{_Y})(?P<cm>[01]\d)(?P<cd>[0-3]\d)(?![\d.])"                                 # 20260301
    rf"|(?<!\d)(?P<wd>\d{{1,2}})\s+(?P<wm>{_MON})\.?,?\s+(?P<wy>{_Y})(?!\d)"                          # 1 марта 2026
    rf"|\b(?P<nm>{_MON})\.?\s+(?P<nd>\d{{1,2}}),?\s+(?P<ny>{_Y})(?!\d)",                              # March 1, 2025
    re.IGNORECASE)
_MONTH_FORMS = re.compile(
    rf"(?<![\d/])(?P<iy>{_Y})[-_.](?P<im>[01]\d)(?![\d/]|[-_.]\d{{1,2}}(?!\d))"  # 2026-03, not 2026-03-05
    rf"|(?<![\d./])(?P<mm>[01]\d)\.(?P<my>{_Y})(?![\d/])"        # 03.2026
    rf"|(?<![^\W\d_])(?P<wm>{_MON})\.?[\s_-]*(?P<wy>{_Y})(?!\d)",  # март 2026, March_2026
    re.IGNORECASE)

Period = tuple[dt.date, dt.date]


def _day(y, m, d) -> dt.date | None:
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
    return day if 1990 <= day.year <= 2100 else None


def _dates(text: str) -> list[dt.date]:
    """Every full date written in `text`, in order; a range form gives its two ends."""
    out = []
    for m in _DATES.finditer(text):
        g = m.groupdict()
        if g["r1"]:
            found = [_day(g["ry"], MONTHS[g["rm"].lower()], g["r1"]), _day(g["ry"], MONTHS[g["rm"].lower()], g["r2"])]
        elif g["em"]:
            found = [_day(g["ey"], MONTHS[g["em"].lower()], g["e1"]), _day(g["ey"], MONTHS[g["em"].lower()], g["e2"])]
        elif g["iy"]:
            found = [_day(g["iy"], g["im"], g["id"])]
        elif g["dd"]:
            found = [_day(g["dy"], g["dm"], g["dd"])]
        elif g["cy"]:
            found = [_day(g["cy"], g["cm"], g["cd"])]
        elif g["wd"]:
            found = [_day(g["wy"], MONTHS[g["wm"].lower()], g["wd"])]
        else:
            found = [_day(g["ny"], MONTHS[g["nm"].lower()], g["nd"])]
        out += [d for d in found if d]
    return out


def _months(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _MONTH_FORMS.finditer(text):
        g = m.groupdict()
        y, mon = (g["iy"], g["im"]) if g["iy"] else (g["my"], g["mm"]) if g["my"] else (
            g["wy"], MONTHS[g["wm"].lower()])
        if 1 <= int(mon) <= 12:
            out.append((int(y), int(mon)))
    return out


def find(text: str) -> Period | None:
    """The period `text` names: its first two dates, else its first (and second) whole month."""
    days = _dates(text)
    if len(days) >= 2:
        return tuple(sorted(days[:2]))
    if days:
        return None  # one date is a day the report was made, or one end of a range we cannot see
    months = _months(text)
    if not months:
        return None
    (y1, m1), (y2, m2) = sorted([months[0], months[min(1, len(months) - 1)]])
    return dt.date(y1, m1, 1), dt.date(y2, m2, calendar.monthrange(y2, m2)[1])


def parse_user(text: str, where: str = "--period") -> Period:
    """The user's period (`2026-03-01..2026-03-10`, `01.03.2026-10.03.2026`, `2026-03`), else a LoadError."""
    found = find(str(text))
    if found is None:
        raise LoadError(f"{where} {text!r}: write the first and last day of the report's period, "
                        f"e.g. 2026-03-01..2026-03-10, or a month, e.g. 2026-03", "bad_period", value=str(text))
    days = _dates(str(text))
    if len(days) >= 2 and days[0] > days[1]:   # a title's range may run either way; the user's is meant as written
        raise LoadError(f"{where} {text}: the first day is after the last; swap them", "bad_period",
                        value=str(text))
    return found


def resolve(preamble: list[str], file_name: str, user: Period | None) -> tuple[Period | None, str | None]:
    """(period, where it came from): the title lines, else the file name, else the user's."""
    title = find(" | ".join(preamble))
    if title:
        return title, "title"
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    named = find(stem)
    if named:
        return named, "file name"
    if user:
        return (user[0], user[1]), "user"
    return None, None


def no_period(file_name: str, entity: str) -> LoadError:
    """The whole file fails: its rows have no date, and neither its title nor its name nor the user gave one."""
    return LoadError(f"{file_name}: a {entity} report with no date column and no period in its title lines or "
                     f"file name; pass --period FIRST..LAST (e.g. --period 2026-03-01..2026-03-10), or pick the "
                     f"report's dates in the upload form, and load it again", "no_period",
                     file=file_name, entity=entity)
