"""activities.csv: the joint calendar of flights, launch, events, promos, e-mail sends and call blitzes."""
from __future__ import annotations

import datetime as dt

import numpy as np

from etl.demo.company import LAUNCHED, MANAGERS, MARKETERS, N_REGIONS, PRODUCTS, REGION_NAMES, REGION_WEIGHT
from etl.demo.draws import sample
from etl.demo.world import World

EVENTS = ("Выставка «Иннопром»", "Выставка «Связь»", "Конференция «Продажи 360»", "Форум «Цифровая индустрия»",
          "Выставка «ЭкспоСтрой»", "Бизнес-завтрак для клиентов", "Вебинар для партнёров",
          "Конференция «B2B Маркетинг»")
PROMOS = (("Скидка 10% на «Стандарт»", "Стандарт"), ("3 месяца «Премиум» по цене двух", "Премиум"),
          ("Бесплатное внедрение «Базовый»", "Базовый"))
BLITZES = ("Обзвон базы: апгрейд тарифа", "Реактивация ушедших клиентов", "Обзвон лидов без контакта",
           "Обзвон участников выставки")


def _status(rng: np.random.Generator, w: World, start: int) -> str:
    if start >= w.n_days:
        return "запланировано"
    return "отменено" if rng.random() < 0.1 else "выполнено"


def _activity(w: World, owner: str, kind: str, title: str, region: str, product, a: int, b: int,
              budget, who: str, status: str) -> list:
    a, b = _ru_day(w, a), _ru_day(w, min(b, w.horizon.size - 1))
    return [owner, kind, title, region, product or "", a, b, "" if budget is None else int(budget), who, status]


def _ru_day(w: World, i: int) -> str:
    return w.horizon[i].astype(dt.date).strftime("%d.%m.%Y")


def draw_activities(w: World, rng: np.random.Generator, flight_spend: list[float]) -> list[list]:
    """The joint calendar: flights (as run), launch, events, promos, e-mail sends and call blitzes."""
    rows, H = [], w.horizon.size
    for f, spend in zip(w.flights, flight_spend, strict=True):
        for r in f["regions"]:
            share = REGION_WEIGHT[r] / REGION_WEIGHT[f["regions"]].sum()
            rows.append(_activity(w, "marketing", "campaign", f"Флайт {f['campaign']}", REGION_NAMES[r], f["product"],
                                  f["a"], f["b"] - 1, round(spend * share, -3), MARKETERS[len(rows) % 4], "выполнено"))
    launch = PRODUCTS[LAUNCHED][0]
    rows.append(_activity(w, "marketing", "launch", f"Запуск тарифа «{launch}»", "", launch, w.launch, w.launch + 13,
                          1_500_000, MARKETERS[0], "выполнено"))
    rows.append(_activity(w, "sales", "launch", f"Старт продаж «{launch}»: обучение менеджеров", "", launch,
                          w.launch - 7, w.launch, None, MANAGERS[0][0], "выполнено"))
    for _ in range(14):
        a, r = int(rng.integers(0, H - 5)), int(sample(rng, REGION_WEIGHT, 1)[0])
        rows.append(_activity(w, "marketing", "event", EVENTS[rng.integers(len(EVENTS))], REGION_NAMES[r], None,
                              a, a + int(rng.integers(1, 4)), round(rng.uniform(3e5, 2.5e6), -4),
                              MARKETERS[rng.integers(4)], _status(rng, w, a)))
    rows += _promos(w, rng) + _email_sends(w, rng) + _blitzes(w, rng)
    rows.sort(key=lambda row: (row[5][6:] + row[5][3:5] + row[5][:2], row[2], row[3]))
    return [[i + 1, *row] for i, row in enumerate(rows)]


def _promos(w: World, rng: np.random.Generator) -> list[list]:
    """Seasonal promos every year (Black Friday, New Year) plus a few product offers."""
    rows = []
    for year in range(w.start.year, w.horizon[-1].astype(dt.date).year + 1):
        for title, a, b in (("Чёрная пятница", (11, 24), (11, 30)), ("Новогодняя акция", (12, 1), (12, 25))):
            i = (np.datetime64(dt.date(year, *a)) - w.horizon[0]).astype(int)
            j = (np.datetime64(dt.date(year, *b)) - w.horizon[0]).astype(int)
            if 0 <= i < w.horizon.size:
                rows.append(_activity(w, "marketing", "promo", title, "", None, int(i), int(j),
                                      round(rng.uniform(2e5, 8e5), -4), MARKETERS[1], _status(rng, w, int(i))))
    for title, product in PROMOS:
        a = int(rng.integers(w.launch if product == PRODUCTS[LAUNCHED][0] else 0, w.horizon.size - 21))
        rows.append(_activity(w, "marketing", "promo", title, "", product, a, a + int(rng.integers(7, 22)),
                              round(rng.uniform(1e5, 5e5), -4), MARKETERS[2], _status(rng, w, a)))
    return rows


def _email_sends(w: World, rng: np.random.Generator) -> list[list]:
    rows = []
    for a in np.sort(rng.choice(w.horizon.size - 1, 12, replace=False)):
        rows.append(_activity(w, "marketing", "campaign", "Рассылка «Дайджест: кейсы клиентов»", "", None, int(a),
                              int(a), 30_000, MARKETERS[3], _status(rng, w, int(a))))
    return rows


def _blitzes(w: World, rng: np.random.Generator) -> list[list]:
    """Sales call blitzes: a region's managers phone through a list for one or two weeks."""
    rows = []
    for _ in range(30):
        a, r = int(rng.integers(0, w.horizon.size - 14)), int(rng.integers(N_REGIONS))
        ids = w.mgr["by_region"][r, :w.mgr["count"][r]]
        rows.append(_activity(w, "sales", "call_blitz", BLITZES[rng.integers(len(BLITZES))], REGION_NAMES[r],
                              PRODUCTS[rng.integers(3)][0] if rng.random() < 0.5 else None, a,
                              a + int(rng.integers(5, 14)), None, w.mgr["name"][ids[rng.integers(ids.size)]],
                              _status(rng, w, a)))
    return rows


ACTIVITIES_HEADER = ["ID", "Ответственный отдел", "Тип", "Название", "Регион", "Продукт", "Дата начала",
                     "Дата окончания", "Бюджет", "Ответственный", "Статус"]
