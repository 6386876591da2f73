"""Seeded demo company: raw CRM, ad, plan, 1C and web-analytics exports plus the truth planted in them."""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# ------------------------------------------------------------------------------------- company
# (canonical name, campaign prefix, share of lead demand, how people type it in the CRM).
# Aliases stay within what data/regions.csv resolves (case, spaces and a "г." prefix are free).
REGIONS = (
    ("Москва", "msk", 0.31, ("г. Москва", "мск", "Moscow", "москва", "МОСКВА", " Москва ", "Москва г", "г.Москва")),
    ("Санкт-Петербург", "spb", 0.14, ("СПб", "Питер", "Saint Petersburg", "С-Петербург", "санкт-петербург",
                                      "Санкт-Петербург ", "г. Санкт-Петербург", "Санкт Петербург")),
    ("Новосибирск", "nsk", 0.065, ("Новосиб", "Novosibirsk", "новосибирск", "г. Новосибирск")),
    ("Екатеринбург", "ekb", 0.065, ("Екб", "Екат", "Ekaterinburg", "екатеринбург", "г. Екатеринбург")),
    ("Казань", "kzn", 0.055, ("Kazan", "казань", "г. Казань", " Казань")),
    ("Нижний Новгород", "nnv", 0.05, ("Нижний", "Н. Новгород", "Nizhny Novgorod", "нижний новгород")),
    ("Краснодар", "krd", 0.05, ("Krasnodar", "краснодар", "г. Краснодар")),
    ("Самара", "sam", 0.045, ("Samara", "самара", "САМАРА")),
    ("Ростов-на-Дону", "rnd", 0.045, ("Ростов", "Rostov-on-Don", "Ростов на Дону", "г. Ростов-на-Дону")),
    ("Уфа", "ufa", 0.04, ("Ufa", "уфа", "г. Уфа")),
    ("Челябинск", "chl", 0.04, ("Chelyabinsk", "челябинск", "г. Челябинск")),
    ("Пермь", "prm", 0.035, ("Perm", "пермь", "г. Пермь")),
    ("Воронеж", "vrn", 0.03, ("Voronezh", "воронеж", "ВОРОНЕЖ")),
    ("Красноярск", "krs", 0.03, ("Krasnoyarsk", "красноярск", "г. Красноярск")),
)
UNKNOWN_REGIONS = ("Тверь", "не указан", "Калуга")
ALIAS_RATE, UNKNOWN_RATE, NO_SOURCE_RATE = 0.10, 0.003, 0.03

REGION_NAMES = [r[0] for r in REGIONS]
REGION_CODES = [r[1] for r in REGIONS]
REGION_WEIGHT = np.array([r[2] for r in REGIONS]) / sum(r[2] for r in REGIONS)
N_REGIONS = len(REGIONS)


@dataclass(frozen=True)
class Channel:
    key: str
    revenue_share: float  # planted share of won revenue (flights add to their channel on top)
    p_contact: float      # lead -> deal probability when the lead is called back instantly
    win: float            # deal win rate before the region factor
    junk: float           # share of unconverted, contacted leads marked junk
    utm_source: tuple     # ((text, probability), ...)
    utm_medium: str
    crm_source: tuple     # ((text, probability), ...) for the CRM "Источник" field
    noise: float          # weight as a non-causal touch in touchpoints


_WEB = (("Сайт", 0.8), ("Звонок с сайта", 0.2))
CHANNELS = (
    Channel("yandex_direct", 0.24, 0.44, 0.28, 0.18, (("yandex", 1.0),), "cpc", _WEB, 0.25),
    Channel("vk_ads", 0.10, 0.32, 0.22, 0.30, (("vk", 1.0),), "cpc", (("Сайт", 1.0),), 0.18),
    Channel("mytarget", 0.05, 0.30, 0.20, 0.28, (("mytarget", 1.0),), "cpc", (("Сайт", 1.0),), 0.08),
    Channel("seo", 0.16, 0.48, 0.32, 0.12, (("yandex", 0.6), ("google", 0.4)), "organic", _WEB, 0.22),
    Channel("email", 0.06, 0.42, 0.30, 0.10, (("email", 0.7), ("newsletter", 0.3)), "email", (("Сайт", 1.0),), 0.16),
    Channel("referral", 0.12, 0.62, 0.38, 0.05, (("partner", 1.0),), "referral", (("Партнёр", 1.0),), 0.04),
    Channel("direct", 0.20, 0.40, 0.26, 0.15, (("", 1.0),), "",
            (("Холодный звонок", 0.55), ("Входящий звонок", 0.45)), 0.04),
    Channel("events", 0.07, 0.53, 0.33, 0.08, (("", 1.0),), "", (("Выставка", 1.0),), 0.03),
)
CHANNEL_KEYS = [c.key for c in CHANNELS]
CHANNEL_SHARE = np.array([c.revenue_share for c in CHANNELS])
P_CONTACT = np.array([c.p_contact for c in CHANNELS])
N_CHANNELS = len(CHANNELS)

# (name, median deal amount in RUB, share of deals once all products are on sale)
PRODUCTS = (("Базовый", 45_000, 0.46), ("Стандарт", 130_000, 0.32), ("Премиум", 350_000, 0.16),
            ("Корпоративный", 900_000, 0.06))
AMOUNT_SIGMA = 0.45
LAUNCHED = 3          # "Корпоративный" goes on sale in month 8 of the history: no sales before
USD_RATE, FX_USD_RUB = 0.01, 90.0

# (manager, campaign prefixes of the regions they serve)
MANAGERS = (
    ("Иванов Сергей", ("msk",)), ("Петрова Анна", ("msk",)), ("Смирнов Алексей", ("msk",)),
    ("Кузнецова Ольга", ("msk", "vrn")), ("Попов Дмитрий", ("spb",)), ("Соколова Мария", ("spb",)),
    ("Лебедев Игорь", ("nsk", "krs")), ("Новикова Елена", ("nsk",)), ("Морозов Артём", ("ekb", "chl")),
    ("Волкова Татьяна", ("ekb",)), ("Фёдоров Максим", ("kzn",)), ("Михайлова Наталья", ("kzn", "ufa")),
    ("Беляев Роман", ("nnv",)), ("Захарова Ирина", ("krd", "rnd")), ("Тарасов Николай", ("krd",)),
    ("Комарова Юлия", ("sam",)), ("Орлов Евгений", ("rnd",)), ("Киселёва Светлана", ("ufa", "prm")),
    ("Макаров Павел", ("chl", "prm")), ("Андреева Ксения", ("krs", "vrn")),
)
MARKETERS = ("Алексеева Марина", "Ковалёв Денис", "Орлова Екатерина", "Руденко Павел")

# Speed to lead, the planted conversion model:
#   p(deal | lead) = p_channel * (FLOOR + (1 - FLOOR) * exp(-delay_hours / TAU_H)); never contacted -> 0.
FLOOR, TAU_H = 0.3, 8.0
DELAY_MEDIAN_H = (1 / 6, 30.0)        # managers' median first-contact delays span 10 min .. 30 h
DELAY_BUCKETS = (("<1h", 0, 1), ("1-4h", 1, 4), ("4-24h", 4, 24), (">24h", 24, math.inf))

DEAL_LAG_H = (2.0, 1.0)               # first contact -> deal created: lognormal median hours, sigma
WON_LAG, LOST_LAG = (14.0, 0.7), (9.0, 0.9)   # deal created -> closed: median days, sigma
OPEN_STAGES = (("Первичный контакт", 0.35), ("Переговоры", 0.30), ("Принимают решение", 0.20),
               ("Согласование договора", 0.15))
STAGES = [s for s, _ in OPEN_STAGES] + ["Успешно реализовано", "Закрыто и не реализовано"]
WON, LOST = len(OPEN_STAGES), len(OPEN_STAGES) + 1
LOST_REASONS = (("Дорого", 0.30), ("Выбрали конкурента", 0.25), ("Нет бюджета", 0.20),
                ("Не выходит на связь", 0.20), ("", 0.05))
LEAD_STATUS = ("Новый", "В работе", "Квалифицирован", "Сконвертирован", "Некачественный")
NEW, IN_WORK, QUALIFIED, CONVERTED, JUNK = range(5)

# Demand: trend, seasonality and a red-noise wobble per region (all multiplicative).
TREND = 1.15
MONTH_FACTOR = np.array([0.78, 0.95, 1.05, 1.02, 0.90, 0.86, 0.80, 0.83, 1.00, 1.08, 1.12, 1.30])
WEEKDAY_FACTOR = np.array([1.08, 1.12, 1.10, 1.06, 0.98, 0.38, 0.28])     # Monday first
HOUR_WEIGHT = np.array([.2, .1, .1, .1, .1, .2, .5, 1, 2.5, 4, 5, 5, 4.5, 4.5, 5, 5, 4.5, 4, 3, 2.5, 2, 1.5, 1, .5])
NOISE_PHI, NOISE_SD = 0.8, 0.07

# platform -> (channel, cost per click RUB, click-through rate)
PLATFORMS = {"Yandex Direct": ("yandex_direct", 55.0, 0.06), "VK Ads": ("vk_ads", 35.0, 0.008),
             "myTarget": ("mytarget", 25.0, 0.005), "Unisender": ("email", 0, 0), "Partners": ("referral", 0, 0)}
PLATFORM_UTM = {"Yandex Direct": "yandex", "VK Ads": "vk", "myTarget": "mytarget", "Unisender": "email",
                "Partners": "partner"}
SPEND_RATIO = {"yandex_direct": 0.12, "vk_ads": 0.16, "mytarget": 0.20}   # always-on cost / channel revenue
# Always-on campaigns: (name, platform, region prefix or None = federal, product, start, end, weight);
# start/end are fractions of the history ("launch" = the new product's launch day, end 1 = ongoing).
ALWAYS_ON = (
    ("all_search_generic", "Yandex Direct", None, None, 0, 1, 3.0),
    ("all_search_brand", "Yandex Direct", None, None, 0, 1, 2.0),
    ("all_rsya_retarget", "Yandex Direct", None, None, 0, 1, 1.5),
    ("all_search_competitors", "Yandex Direct", None, None, 0.3, 1, 1.0),
    ("all_search_corporate", "Yandex Direct", None, "Корпоративный", "launch", 1, 0.8),
    ("msk_search_brand", "Yandex Direct", "msk", None, 0, 1, 1.5),
    ("msk_search_generic", "Yandex Direct", "msk", None, 0, 1, 2.0),
    ("msk_rsya_premium", "Yandex Direct", "msk", "Премиум", 0.15, 1, 0.8),
    ("msk_search_corporate", "Yandex Direct", "msk", "Корпоративный", "launch", 1, 0.6),
    ("spb_search_brand", "Yandex Direct", "spb", None, 0, 1, 0.8),
    ("spb_search_generic", "Yandex Direct", "spb", None, 0, 1, 1.2),
    *((f"{c}_search_generic", "Yandex Direct", c, None, 0, 1, 0.5)
      for c in ("nsk", "ekb", "kzn", "nnv", "krd", "rnd", "sam")),
    ("ufa_search_generic", "Yandex Direct", "ufa", None, 0.4, 1, 0.5),
    ("chl_search_generic", "Yandex Direct", "chl", None, 0, 0.7, 0.5),
    ("all_vk_lookalike", "VK Ads", None, None, 0, 1, 2.0),
    ("all_vk_leadform", "VK Ads", None, None, 0.25, 1, 1.2),
    ("all_vk_video", "VK Ads", None, None, 0.5, 1, 0.6),
    ("msk_vk_retarget", "VK Ads", "msk", None, 0, 1, 1.0),
    ("spb_vk_retarget", "VK Ads", "spb", None, 0, 1, 0.7),
    ("ekb_vk_retarget", "VK Ads", "ekb", None, 0.1, 1, 0.4),
    ("nsk_vk_retarget", "VK Ads", "nsk", None, 0, 0.6, 0.4),
    ("all_mt_video", "myTarget", None, None, 0, 1, 1.0),
    ("msk_mt_banner", "myTarget", "msk", None, 0, 0.6, 0.6),
    ("all_mt_retarget", "myTarget", None, None, 0.2, 1, 0.5),
    ("all_email_digest", "Unisender", None, None, 0, 1, 1.0),
    ("all_email_promo", "Unisender", None, None, 0, 1, 0.5),
    ("all_partner_program", "Partners", None, None, 0, 1, 1.0),
)
# Regional flights: (name stem, platform, treated regions, product, position in the usable history,
# weeks, lift). Treated region sets are disjoint, so overlapping windows never share a region, and
# Пермь, Нижний Новгород and Воронеж are never treated (pure controls).
FLIGHTS = (
    ("nsk_flight_premium", "Yandex Direct", ("nsk",), "Премиум", 0.05, 4, 0.30),
    ("spb_vk_flight", "VK Ads", ("spb",), None, 0.22, 5, 0.15),
    ("ural_search_flight", "Yandex Direct", ("ekb", "chl"), None, 0.28, 4, 0.25),
    ("msk_mt_video_flight", "myTarget", ("msk",), None, 0.46, 3, 0.10),
    ("volga_vk_flight", "VK Ads", ("kzn", "sam", "ufa"), None, 0.52, 6, 0.20),
    ("south_search_flight", "Yandex Direct", ("krd", "rnd"), None, 0.74, 4, 0.25),
    ("krs_flight_corporate", "Yandex Direct", ("krs",), "Корпоративный", 0.92, 3, 0.35),
)
FLIGHT_ROAS = (0.8, 3.5)        # flight spend = incremental revenue / ROAS drawn from this range
# utm_campaign as typed: as is, UPPER, " lead", "trail ", Capitalised, the platform's campaign ID
# (a {campaign_id} macro in the ad's link; the ID -> name map is in campaigns.csv)
CAMPAIGN_VARIANTS = (0.80, 0.04, 0.04, 0.03, 0.03, 0.06)
CAMPAIGN_ID_BASE = 70_000_011
DUPLICATE_RATE = 0.005
NBSP = "\u00a0"

_ROOTS = ("Альфа", "Вектор", "Гранит", "Дельта", "Спектр", "Импульс", "Меридиан", "Орион", "Прогресс", "Ресурс",
          "Сигма", "Техно", "Урал", "Феникс", "Эталон", "Энерго", "Лидер", "Максимум", "Север", "Восток", "Атлант",
          "Галактика", "Горизонт", "Зенит", "Квант", "Магистраль", "Нова", "Омега", "Рубин", "Сапфир", "Титан",
          "Фортуна", "Циркон", "Янтарь", "Кристалл", "Аврора", "Байкал", "Волга", "Каскад", "Легион")
_SUFFIXES = ("", "-Строй", "-Трейд", "Сервис", "-Групп", "Пром", "Логистик", "-Медиа", "Софт", "-Центр", "Инвест",
             "Агро", "Тех", "Плюс")
CUSTOMERS = tuple(f'{form} "{root}{suffix}"' for form in ("ООО", "АО") for root in _ROOTS for suffix in _SUFFIXES)


def _region_text_vocab() -> tuple[list[str], np.ndarray, np.ndarray, int]:
    """All region spellings: canonical names, then each region's aliases, then unknown places."""
    texts, start, count = list(REGION_NAMES), [], []
    for _, _, _, aliases in REGIONS:
        start.append(len(texts))
        count.append(len(aliases))
        texts.extend(aliases)
    unknown_start = len(texts)
    texts.extend(UNKNOWN_REGIONS)
    return texts, np.array(start), np.array(count), unknown_start


REGION_TEXTS, ALIAS_START, ALIAS_COUNT, UNKNOWN_START = _region_text_vocab()
SOURCE_TEXTS = ["", "Сайт", "Звонок с сайта", "Партнёр", "Холодный звонок", "Входящий звонок", "Выставка"]
UTM_SOURCES = ["", "yandex", "vk", "mytarget", "google", "email", "newsletter", "partner"]
UTM_MEDIUMS = ["", "cpc", "organic", "email", "referral"]


def _options(pairs_by_channel, vocab: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per channel: vocabulary codes and cumulative probabilities of its text options."""
    out = []
    for pairs in pairs_by_channel:
        codes = np.array([vocab.index(text) for text, _ in pairs])
        cum = np.cumsum([p for _, p in pairs])
        out.append((codes, cum / cum[-1]))
    return out


SOURCE_OPTIONS = _options([c.crm_source for c in CHANNELS], SOURCE_TEXTS)
UTM_SOURCE_OPTIONS = _options([c.utm_source for c in CHANNELS], UTM_SOURCES)
UTM_MEDIUM_CODE = np.array([UTM_MEDIUMS.index(c.utm_medium) for c in CHANNELS])


# --------------------------------------------------------------------------------------- world
@dataclass
class World:
    """The company without its rows: calendar, demand, people, campaigns and model parameters."""
    seed: int
    deals: int
    start: dt.date
    end: dt.date
    horizon: np.ndarray       # datetime64[D] from start to the end of the plan (3 months past end)
    n_days: int               # history days: horizon[:n_days]
    day_sec: np.ndarray       # epoch seconds of each horizon day's midnight (local export time)
    end_sec: int              # last second of the history
    smooth: np.ndarray        # expected leads/day at region weight 1, without shocks, noise or flights
    shocks: list
    lam0: np.ndarray          # regions x history days: expected leads without flights
    lift: np.ndarray          # regions x history days: flight lift, 0 outside flights
    flight_of: np.ndarray     # regions x history days: flight index or -1
    flights: list
    camp: dict                # campaign table, one numpy array per field
    mgr: dict                 # manager table, one numpy array per field
    mix: np.ndarray           # lead share by channel (drives outcomes; flights relabel some leads)
    conv: np.ndarray          # regions x channels: expected lead -> deal probability
    win: np.ndarray           # regions x channels: deal win probability
    region_win: np.ndarray
    amount_mean: np.ndarray   # per horizon day: expected deal amount (RUB) given the product mix
    pclose: np.ndarray        # per history day: P(a won deal created that day has closed by end)
    launch: int               # horizon index of the new product's launch day


def _calendar(end: dt.date, months: int) -> tuple[dt.date, np.ndarray, int]:
    """History = `months` whole months ending with end's month (cut at end); plan runs 3 months on."""
    first = end.year * 12 + end.month - 1
    y, m = divmod(first - (months - 1), 12)
    start = dt.date(y, m + 1, 1)
    y, m = divmod(first + 4, 12)
    plan_end = dt.date(y, m + 1, 1) - dt.timedelta(days=1)
    horizon = np.arange(np.datetime64(start, "D"), np.datetime64(plan_end, "D") + 1)
    return start, horizon, (end - start).days + 1


def _demand_shape(horizon: np.ndarray) -> np.ndarray:
    """Trend x annual x weekly seasonality, with the Russian holiday holes."""
    years = np.arange(horizon.size) / 365.25
    month = horizon.astype("datetime64[M]").astype(np.int64) % 12
    dom = (horizon - horizon.astype("datetime64[M]")).astype(np.int64) + 1
    weekday = (horizon.astype(np.int64) + 3) % 7          # 1970-01-01 was a Thursday
    f = TREND ** years * MONTH_FACTOR[month] * WEEKDAY_FACTOR[weekday]
    f[(month == 0) & (dom <= 8)] *= 0.15                   # New Year holidays: the January hole
    f[(month == 11) & (dom >= 30)] *= 0.5
    f[(month == 4) & np.isin(dom, (1, 2, 3, 9, 10))] *= 0.5
    return f


def _shocks(rng: np.random.Generator, days: np.ndarray) -> tuple[np.ndarray, list]:
    """A few national shocks shared by every region (news, holidays moved, a competitor's sale)."""
    mult, out = np.ones(days.size), []
    for _ in range(4):
        a, length = int(rng.integers(14, days.size - 14)), int(rng.integers(3, 22))
        size = rng.uniform(1.15, 1.35) if rng.random() < 0.4 else rng.uniform(0.6, 0.85)
        mult[a:a + length] *= size
        out.append({"start": str(days[a]), "end": str(days[min(a + length, days.size) - 1]),
                    "multiplier": round(float(size), 3)})
    return mult, out


def _region_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Region-specific red noise (AR(1) in logs) so regions drift apart for weeks, mean 1."""
    eps = rng.normal(0.0, NOISE_SD * math.sqrt(1 - NOISE_PHI ** 2), (N_REGIONS, n))
    x = np.empty((N_REGIONS, n))
    x[:, 0] = rng.normal(0.0, NOISE_SD, N_REGIONS)
    for t in range(1, n):          # a loop over days, not rows: 730 steps of a 14-vector
        x[:, t] = NOISE_PHI * x[:, t - 1] + eps[:, t]
    return np.exp(x - NOISE_SD ** 2 / 2)


_Z = np.linspace(-7.0, 7.0, 2801)
_PZ = np.exp(-_Z ** 2 / 2) / np.exp(-_Z ** 2 / 2).sum()


def _speed_factor(median_h, sigma, lo=0.0, hi=math.inf) -> tuple[np.ndarray, np.ndarray]:
    """E[g(delay) ; lo <= delay < hi] and P(lo <= delay < hi) for lognormal delays, per manager."""
    d = np.asarray(median_h)[:, None] * np.exp(np.asarray(sigma)[:, None] * _Z)
    inside = (d >= lo) & (d < hi)
    g = FLOOR + (1 - FLOOR) * np.exp(-d / TAU_H)
    return (_PZ * g * inside).sum(1), (_PZ * inside).sum(1)


def _managers(rng: np.random.Generator) -> dict:
    """Managers with very different speed-to-lead; slow ones also drop more leads entirely."""
    n = len(MANAGERS)
    median = np.geomspace(*DELAY_MEDIAN_H, n)[rng.permutation(n)]
    slowness = np.log(median / DELAY_MEDIAN_H[0]) / np.log(DELAY_MEDIAN_H[1] / DELAY_MEDIAN_H[0])
    never = 0.02 + 0.10 * slowness
    sigma = rng.uniform(0.8, 1.2, n)
    members = [[i for i, (_, codes) in enumerate(MANAGERS) if code in codes] for code in REGION_CODES]
    by_region = np.full((N_REGIONS, max(map(len, members))), -1)
    for r, ids in enumerate(members):
        by_region[r, :len(ids)] = ids
    reach = np.array([((1 - never[ids]) * _speed_factor(median[ids], sigma[ids])[0]).mean() for ids in members])
    return {"name": np.array([m for m, _ in MANAGERS]), "median_h": median, "sigma": sigma, "never": never,
            "by_region": by_region, "count": np.array([len(ids) for ids in members]), "reach": reach}


def _flights(rng: np.random.Generator, horizon: np.ndarray, n: int) -> tuple[list, np.ndarray, np.ndarray]:
    """Place the regional flights: after 8 weeks of pre-period, ending 10+ weeks before the end."""
    lift, flight_of, flights = np.zeros((N_REGIONS, n)), np.full((N_REGIONS, n), -1), []
    lo, hi = 56, n - 70
    for i, (stem, platform, codes, product, pos, weeks, planted) in enumerate(FLIGHTS):
        a = lo + int(pos * (hi - lo - 7 * weeks))
        b = a + 7 * weeks
        day = horizon[a].astype(dt.date)
        rs = [REGION_CODES.index(c) for c in codes]
        size = round(planted * float(rng.uniform(0.85, 1.15)), 3)
        lift[rs, a:b], flight_of[rs, a:b] = size, i
        flights.append({"campaign": f"{stem}_{day.year}q{(day.month - 1) // 3 + 1}", "platform": platform,
                        "channel": PLATFORMS[platform][0], "regions": rs, "product": product,
                        "a": a, "b": b, "lift": size})
    return flights, lift, flight_of


def _campaigns(flights: list, n: int, launch: int) -> dict:
    """The campaign table as arrays; flights are campaigns too, with their window and regions."""
    rows = []
    for name, platform, code, product, s, e, weight in ALWAYS_ON:
        a = launch if s == "launch" else int(s * (n - 1))
        b = n - 1 if e >= 1 else int(e * (n - 1))
        rows.append((name, platform, REGION_CODES.index(code) if code else -1, product, a, b, weight, -1, e >= 1))
    for i, f in enumerate(flights):
        region = f["regions"][0] if len(f["regions"]) == 1 else -1
        rows.append((f["campaign"], f["platform"], region, f["product"], f["a"], f["b"] - 1, 0.0, i, False))
    cols = list(zip(*rows))
    camp = {key: np.array(col) for key, col in
            zip(("name", "platform", "region", "product", "start", "end", "weight", "flight", "ongoing"), cols)}
    camp["channel"] = np.array([CHANNEL_KEYS.index(PLATFORMS[p][0]) for p in camp["platform"]])
    return camp


def _amount_mean(horizon_size: int, launch: int) -> np.ndarray:
    """Expected deal amount per day: the product mix changes when the new product launches."""
    mean = np.array([median * math.exp(AMOUNT_SIGMA ** 2 / 2) for _, median, _ in PRODUCTS])
    post = np.array([share for _, _, share in PRODUCTS])
    pre = np.where(np.arange(len(PRODUCTS)) == LAUNCHED, 0.0, post)
    out = np.full(horizon_size, float(pre @ mean / pre.sum()))
    out[launch:] = post @ mean / post.sum()
    return out


def _lognormal_cdf(x: np.ndarray, median: float, sigma: float) -> np.ndarray:
    z = (np.log(np.maximum(x, 1e-9)) - math.log(median)) / (sigma * math.sqrt(2))
    return 0.5 * (1 + np.vectorize(math.erf)(z))


def _world(rng: np.random.Generator, seed: int, deals: int, end: dt.date, months: int) -> World:
    """Draw everything but the rows, then scale lead demand so the expected deal count is `deals`."""
    start, horizon, n = _calendar(end, months)
    smooth = _demand_shape(horizon)
    shock, shocks = _shocks(rng, horizon[:n])
    noise = _region_noise(rng, n)
    mgr = _managers(rng)
    region_win = rng.uniform(0.85, 1.15, N_REGIONS)
    win = np.array([c.win for c in CHANNELS])[None, :] * region_win[:, None]
    conv = P_CONTACT[None, :] * mgr["reach"][:, None]
    mix = CHANNEL_SHARE / (REGION_WEIGHT[:, None] * conv * win).sum(0)   # leads needed per unit revenue
    mix /= mix.sum()
    flights, lift, flight_of = _flights(rng, horizon, n)
    launch = int(np.flatnonzero(horizon == np.datetime64(_add_months(start, 7)))[0])
    shape = REGION_WEIGHT[:, None] * (smooth[:n] * shock)[None, :] * noise
    scale = deals / float((shape * (1 + lift) * (conv @ mix)[:, None]).sum())
    day_sec = horizon.astype("datetime64[s]").astype(np.int64)
    return World(seed=seed, deals=deals, start=start, end=end, horizon=horizon, n_days=n, day_sec=day_sec,
                 end_sec=int(day_sec[n - 1]) + 86399, smooth=smooth * scale, shocks=shocks, lam0=shape * scale,
                 lift=lift, flight_of=flight_of, flights=flights, camp=_campaigns(flights, n, launch), mgr=mgr,
                 mix=mix, conv=conv, win=win, region_win=region_win, amount_mean=_amount_mean(horizon.size, launch),
                 pclose=_lognormal_cdf(n - np.arange(n) - 0.5, *WON_LAG), launch=launch)


def _add_months(day: dt.date, k: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + k, 12)
    return dt.date(y, m + 1, 1)


# ------------------------------------------------------------------------------ expectations
def _expectations(w: World) -> dict:
    """Expected won revenue (RUB, as of `end`) by channel and region, and each flight's effect."""
    value = w.lam0 * (w.amount_mean[:w.n_days] * w.pclose)[None, :]     # revenue per unit won rate
    per_lead = (w.mix[None, :] * w.conv * w.win)                        # regions x channels: won per lead
    by_channel = (value.sum(1)[:, None] * per_lead).sum(0)
    flights = [_flight_expectation(w, f, value, per_lead.sum(1)) for f in w.flights]
    for f in flights:
        by_channel[CHANNEL_KEYS.index(f["channel"])] += f["incremental_revenue"]
    by_region = value.sum(1) * per_lead.sum(1)
    for f in flights:
        by_region[f["_regions"]] += f["_incremental_by_region"]
    return {"by_channel": by_channel, "by_region": by_region, "flights": flights,
            "deals_per_lead": float((w.lam0 * (1 + w.lift) * (w.conv @ w.mix)[:, None]).sum()
                                    / (w.lam0 * (1 + w.lift)).sum())}


def _flight_expectation(w: World, f: dict, value: np.ndarray, won_per_lead: np.ndarray) -> dict:
    """Treated region-days x baseline expectation x lift: what the flight adds, in expectation."""
    rs, a, b = f["regions"], f["a"], f["b"]
    base_rev = value[rs, a:b].sum(1) * won_per_lead[rs]
    base_won = (w.lam0[rs, a:b] * w.pclose[None, a:b]).sum(1) * won_per_lead[rs]
    base_deals = w.lam0[rs, a:b].sum(1) * (w.conv[rs] @ w.mix)
    return {"campaign": f["campaign"], "platform": f["platform"], "channel": f["channel"],
            "regions": [REGION_NAMES[r] for r in rs], "start": str(w.horizon[a]), "end": str(w.horizon[b - 1]),
            "lift": f["lift"], "product": f["product"],
            "baseline_revenue": float(base_rev.sum()), "incremental_revenue": float(base_rev.sum() * f["lift"]),
            "baseline_deals": float(base_won.sum()), "incremental_deals": float(base_won.sum() * f["lift"]),
            "baseline_deals_created": float(base_deals.sum()),
            "incremental_deals_created": float(base_deals.sum() * f["lift"]),
            "_regions": rs, "_incremental_by_region": base_rev * f["lift"]}


def _speed_truth(w: World) -> dict:
    """Expected lead -> deal conversion by first-contact delay bucket, from the model."""
    share = np.zeros(len(MANAGERS))                       # each manager's share of all leads
    region_leads = (w.lam0 * (1 + w.lift)).sum(1)
    for r in range(N_REGIONS):
        ids = w.mgr["by_region"][r, :w.mgr["count"][r]]
        share[ids] += region_leads[r] / len(ids)
    share /= share.sum()
    p_bar, contacted = float(w.mix @ P_CONTACT), share * (1 - w.mgr["never"])
    buckets = {}
    for name, lo, hi in DELAY_BUCKETS:
        eg, prob = _speed_factor(w.mgr["median_h"], w.mgr["sigma"], lo, hi)
        buckets[name] = round(p_bar * float(contacted @ eg) / float(contacted @ prob), 4)
    buckets["never"] = 0.0
    return {"form": "p = p_channel * (floor + (1 - floor) * exp(-delay_hours / tau_hours)); never contacted: p = 0",
            "floor": FLOOR, "tau_hours": TAU_H,
            "p_channel": {c.key: c.p_contact for c in CHANNELS}, "mean_p_channel": round(p_bar, 4),
            "expected_conversion_by_bucket": buckets,
            "expected_share_never_contacted": round(float(share @ w.mgr["never"]), 4),
            "note": "delay = first_contact_at - created_at in calendar hours; conversion = lead has a deal"}


# ------------------------------------------------------------------------------- CSV writing
@lru_cache(maxsize=1)
def _clock() -> pa.Array:
    """'HH:MM:SS' for every second of a day, taken by index instead of formatted per row."""
    return pa.array([f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)])


def _dates(day_numbers: np.ndarray, style: str) -> pa.Array:
    """Dates (days since epoch) as 'dd.mm.yyyy' (ru) or 'yyyy-mm-dd' (iso), via a small vocabulary."""
    lo = int(day_numbers.min()) if day_numbers.size else 0
    iso = np.datetime_as_string(np.arange(lo, int(day_numbers.max(initial=lo)) + 1).astype("datetime64[D]"))
    vocab = iso if style == "iso" else [f"{s[8:10]}.{s[5:7]}.{s[:4]}" for s in iso]
    return pc.take(pa.array(vocab), pa.array(day_numbers - lo))


def _datetimes(sec: np.ndarray, style: str, empty: np.ndarray | None = None) -> pa.Array:
    """Epoch seconds as 'dd.mm.yyyy HH:MM:SS' or 'yyyy-mm-dd HH:MM:SS'; `empty` rows become ''."""
    sec = np.asarray(sec, np.int64)
    text = pc.binary_join_element_wise(_dates(sec // 86400, style), pc.take(_clock(), pa.array(sec % 86400)), " ")
    return text if empty is None else pc.if_else(pa.array(empty), "", text)


def _ints(values: np.ndarray, empty: np.ndarray | None = None) -> pa.Array:
    text = pc.cast(pa.array(np.asarray(values, np.int64)), pa.string())
    return text if empty is None else pc.if_else(pa.array(empty), "", text)


def _fixed(minor: np.ndarray, decimals: int, sep: str = "", keep_zero_fraction: bool = True) -> pa.Array:
    """Integers in minor units as '1 234 567,89': thousands separator `sep`, comma decimals."""
    minor = np.asarray(minor, np.int64)
    scale = 10 ** decimals
    whole, frac = np.abs(minor) // scale, np.abs(minor) % scale
    text = _ints(whole)
    if sep:
        groups = [_ints((whole // 1000 ** k) % 1000) for k in range(4)]
        padded = [pc.utf8_lpad(g, width=3, padding="0") for g in groups]
        for k in (1, 2, 3):
            joined = pc.binary_join_element_wise(_ints(whole // 1000 ** k), *padded[k - 1::-1], sep)
            text = pc.if_else(pa.array(whole >= 1000 ** k), joined, text)
    if decimals:
        with_frac = pc.binary_join_element_wise(text, pc.utf8_lpad(_ints(frac), width=decimals, padding="0"), ",")
        text = with_frac if keep_zero_fraction else pc.if_else(pa.array(frac != 0), with_frac, text)
    return pc.if_else(pa.array(minor < 0), pc.binary_join_element_wise("-", text, ""), text)


def _cell(text: str, sep: str) -> str:
    """Quote a CSV field only when it needs it (Excel / csv.QUOTE_MINIMAL rules)."""
    if sep in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _coded(vocab, codes: np.ndarray, sep: str) -> pa.Array:
    """Text columns are kept as codes into a vocabulary and quoted once per vocabulary entry."""
    return pc.take(pa.array([_cell(t, sep) for t in vocab]), pa.array(np.asarray(codes)))


def _lines(columns: list[pa.Array], sep: str, eol: str, order: np.ndarray | None = None) -> bytes:
    """Join columns into CSV lines and return them as one buffer (no per-row Python)."""
    line = pc.binary_join_element_wise(*columns, sep)
    line = pc.binary_join_element_wise(line, "", eol)
    if order is not None:
        line = line.take(pa.array(order))
    if len(line) == 0:
        return b""
    offsets = np.frombuffer(line.buffers()[1], np.int32, count=len(line) + 1, offset=line.offset * 4)
    return line.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0])).to_pybytes()


def _header(names: str, sep: str, eol: str) -> bytes:
    return (names.replace(";", sep) + eol).encode("utf-8")


def _choose(rng: np.random.Generator, chan: np.ndarray, options: list) -> np.ndarray:
    """Per row, one of its channel's text options, by their probabilities."""
    u, out = rng.random(chan.size), np.zeros(chan.size, np.int16)
    for c, (codes, cum) in enumerate(options):
        rows = chan == c
        out[rows] = codes[np.minimum(np.searchsorted(cum, u[rows], side="right"), codes.size - 1)]
    return out


def _sample(rng: np.random.Generator, probs, n: int) -> np.ndarray:
    cum = np.cumsum(probs) / np.sum(probs)
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def _region_texts(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    """How a human typed the region: mostly canonical, ~10% aliases, ~0.3% unknown places."""
    u, v = rng.random(region.size), rng.random(region.size)
    code = np.where(u < ALIAS_RATE, ALIAS_START[region] + (v * ALIAS_COUNT[region]).astype(np.int64), region)
    return np.where(u > 1 - UNKNOWN_RATE, UNKNOWN_START + (v * len(UNKNOWN_REGIONS)).astype(np.int64), code)


# ------------------------------------------------------------------------------ leads & deals
def _leads(w: World, rng: np.random.Generator, a: int, b: int) -> dict:
    """Leads created on history days [a, b): Poisson per region-day; flights multiply the rate."""
    counts = rng.poisson(w.lam0[:, a:b] * (1 + w.lift[:, a:b])).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    day = a + cell % (b - a)
    created = w.day_sec[day] + _sample(rng, HOUR_WEIGHT, cell.size) * 3600 + rng.integers(0, 3600, cell.size)
    order = np.argsort(created, kind="stable")
    L = {"region": (cell // (b - a))[order], "day": day[order], "created": created[order]}
    n = created.size
    L["param"] = _sample(rng, w.mix, n)                    # the channel whose odds this lead has
    lift = w.lift[L["region"], L["day"]]
    flight = w.flight_of[L["region"], L["day"]]
    # The flight's extra leads (lift / (1 + lift) of the cell) come through the flight's campaign.
    L["incremental"] = rng.random(n) < lift / (1 + lift)
    flight_chan = np.array([CHANNEL_KEYS.index(f["channel"]) for f in w.flights])
    L["chan"] = np.where(L["incremental"], flight_chan[flight], L["param"])   # flight -1 is masked out
    camp = _pick_campaigns(w, rng, L["chan"], L["region"], L["day"])
    flight_camp = np.flatnonzero(w.camp["flight"] >= 0)[np.maximum(flight, 0)]
    L["camp"] = np.where(L["incremental"], flight_camp, camp)
    L["flight"] = np.where(L["incremental"], flight, -1)
    return L


def _pick_campaigns(w: World, rng: np.random.Generator, chan: np.ndarray, region: np.ndarray,
                    day: np.ndarray) -> np.ndarray:
    """An always-on campaign of the channel running in the region that day, by budget weight."""
    out, u = np.full(chan.size, -1), rng.random(chan.size)
    day = np.clip(day, 0, w.n_days - 1)
    for c in range(N_CHANNELS):
        ids = np.flatnonzero((w.camp["channel"] == c) & (w.camp["flight"] < 0))
        rows = np.flatnonzero(chan == c)
        if ids.size == 0 or rows.size == 0:
            continue
        r, d = region[rows, None], day[rows, None]
        ok = ((w.camp["region"][ids] == -1) | (w.camp["region"][ids] == r)) \
            & (w.camp["start"][ids] <= d) & (d <= w.camp["end"][ids])
        cum = np.cumsum(ok * w.camp["weight"][ids], axis=1)
        pick = (u[rows, None] * cum[:, -1:] >= cum).sum(1)
        out[rows] = ids[np.minimum(pick, ids.size - 1)]
    return out


def _contact(w: World, rng: np.random.Generator, L: dict) -> None:
    """Who calls the lead back and when, and whether it becomes a deal (the speed-to-lead model)."""
    r, n = L["region"], L["region"].size
    m = w.mgr["by_region"][r, (rng.random(n) * w.mgr["count"][r]).astype(np.int64)]
    never = rng.random(n) < w.mgr["never"][m]
    delay_h = w.mgr["median_h"][m] * np.exp(w.mgr["sigma"][m] * rng.standard_normal(n))
    contact = L["created"] + np.round(delay_h * 3600).astype(np.int64)
    p = P_CONTACT[L["param"]] * (FLOOR + (1 - FLOOR) * np.exp(-delay_h / TAU_H))
    converts = ~never & (rng.random(n) < p)
    lag_h = DEAL_LAG_H[0] * np.exp(DEAL_LAG_H[1] * rng.standard_normal(n))
    deal_at = contact + np.round(lag_h * 3600).astype(np.int64)
    L.update(manager=m, contact=contact, deal_at=deal_at, converts=converts,
             contacted=~never & (contact <= w.end_sec),      # later calls are not in the export yet
             converted=converts & (deal_at <= w.end_sec))


def _lead_status(w: World, rng: np.random.Generator, L: dict) -> np.ndarray:
    """CRM lead status: converted, untouched, junk, or still being worked (stale when old)."""
    n = L["created"].size
    u, v = rng.random(n), rng.random(n)
    recent = w.end_sec - L["created"] < 21 * 86400
    worked = np.where(recent, np.where(v < 0.6, IN_WORK, QUALIFIED),
                      np.select([v < 0.4, v < 0.75], [JUNK, IN_WORK], QUALIFIED))
    status = np.where(u < np.array([c.junk for c in CHANNELS])[L["param"]], JUNK, worked)
    status = np.where(L["converts"], QUALIFIED, status)           # its deal comes after the export
    status = np.where(L["converted"], CONVERTED, status)
    return np.where(L["contacted"], status, NEW)


def _lead_texts(w: World, rng: np.random.Generator, L: dict) -> None:
    """What the CRM shows: typed region, source and UTM tags; ~3% of leads lost their source."""
    n = L["chan"].size
    blank = rng.random(n) < NO_SOURCE_RATE                        # the true channel stays in truth
    L["blank"] = blank
    L["region_text"] = _region_texts(rng, L["region"])
    L["source"] = np.where(blank, 0, _choose(rng, L["chan"], SOURCE_OPTIONS))
    L["utm_source"] = np.where(blank, 0, _choose(rng, L["chan"], UTM_SOURCE_OPTIONS))
    L["utm_medium"] = np.where(blank, 0, UTM_MEDIUM_CODE[L["chan"]])
    variant = _sample(rng, CAMPAIGN_VARIANTS, n)
    no_campaign = len(CAMPAIGN_VARIANTS) * w.camp["name"].size
    typed = L["camp"] * len(CAMPAIGN_VARIANTS) + variant
    L["utm_campaign"] = np.where(blank | (L["camp"] < 0), no_campaign, typed)


def _campaign_texts(w: World) -> list[str]:
    """utm_campaign as typed: each campaign name in its variants, then the empty value."""
    out = []
    for i, name in enumerate(w.camp["name"]):
        out += [name, name.upper(), f" {name}", f"{name} ", name.capitalize(), _campaign_id(i)]
    return out + [""]


def _campaign_id(i: int) -> str:
    """The platform's numeric campaign ID, fixed per campaign."""
    return str(CAMPAIGN_ID_BASE + 7919 * i)


def _products(rng: np.random.Generator, launched: np.ndarray) -> np.ndarray:
    """Product per deal; the new product has no sales before its launch."""
    post = np.array([share for _, _, share in PRODUCTS])
    pre = np.where(np.arange(post.size) == LAUNCHED, 0.0, post)
    u = rng.random(launched.size)
    pick_post = np.searchsorted(np.cumsum(post) / post.sum(), u, side="right")
    pick_pre = np.searchsorted(np.cumsum(pre) / pre.sum(), u, side="right")
    return np.minimum(np.where(launched, pick_post, pick_pre), post.size - 1)


def _deals(w: World, rng: np.random.Generator, L: dict, first_id: int) -> dict:
    """Deals from converted leads, numbered in creation order: product, amount, outcome, close date."""
    lead = np.flatnonzero(L["converted"])
    lead = lead[np.argsort(L["deal_at"][lead], kind="stable")]
    n, region, param = lead.size, L["region"][lead], L["param"][lead]
    D = {"lead": lead, "id": first_id + np.arange(n), "created": L["deal_at"][lead]}
    D["product"] = _products(rng, (D["created"] - w.day_sec[0]) // 86400 >= w.launch)
    rub = np.array([p[1] for p in PRODUCTS])[D["product"]] * np.exp(AMOUNT_SIGMA * rng.standard_normal(n))
    kop = np.where(rng.random(n) < 0.85, np.round(rub / 500) * 50_000, np.round(rub * 100)).astype(np.int64)
    D["usd"] = rng.random(n) < USD_RATE                           # foreign clients pay whole dollars
    cents = np.round(kop / FX_USD_RUB / 100).astype(np.int64) * 100
    D["minor"] = np.where(D["usd"], cents, kop)
    D["rub_kop"] = np.where(D["usd"], np.round(cents * FX_USD_RUB).astype(np.int64), kop)
    won = rng.random(n) < w.win[region, param]
    median, sigma = np.where(won, WON_LAG[0], LOST_LAG[0]), np.where(won, WON_LAG[1], LOST_LAG[1])
    D["closed"] = D["created"] + np.round(86400 * median * np.exp(sigma * rng.standard_normal(n))).astype(np.int64)
    is_open = D["closed"] > w.end_sec
    D["stage"] = np.where(is_open, _sample(rng, [p for _, p in OPEN_STAGES], n), np.where(won, WON, LOST))
    D["reason"] = np.where(D["stage"] == LOST, _sample(rng, [p for _, p in LOST_REASONS], n), len(LOST_REASONS) - 1)
    D["customer"] = rng.integers(0, len(CUSTOMERS), n)
    D["region_text"] = _region_texts(rng, region)
    D["no_source"] = L["blank"][lead]
    invoice_day = (D["closed"] - w.day_sec[0]) // 86400 + rng.integers(0, 3, n)   # 1C posts 0-2 days later
    D["invoice_day"] = np.minimum(invoice_day, w.n_days - 1)
    return D


NOISE_P = np.array([c.noise for c in CHANNELS])


def _touches(w: World, rng: np.random.Generator, L: dict) -> dict:
    """1-5 touches in the 30 days before each lead: one is the lead's true channel (the last one
    70% of the time), the others are noise; 30% of converted leads get one more before the deal."""
    n = L["created"].size
    k = 1 + rng.binomial(4, 0.3, n)
    lead = np.repeat(np.arange(n), k)
    pos = np.arange(lead.size) - np.repeat(np.cumsum(k) - k, k)
    anchor = np.where(rng.random(n) < 0.7, k - 1, (rng.random(n) * k).astype(np.int64))
    is_anchor = pos == anchor[lead]
    back = np.where(pos == k[lead] - 1, rng.exponential(2 * 3600, lead.size), rng.uniform(0, 30 * 86400, lead.size))
    at = L["created"][lead] - back.astype(np.int64)
    after = np.flatnonzero(L["converted"] & (rng.random(n) < 0.3))
    gap = L["deal_at"][after] - L["created"][after]
    after_at = L["created"][after] + (rng.random(after.size) * gap).astype(np.int64)
    lead, at = np.concatenate([lead, after]), np.concatenate([at, after_at])
    is_anchor = np.concatenate([is_anchor, np.zeros(after.size, bool)])
    chan = np.where(is_anchor, L["chan"][lead], _sample(rng, NOISE_P, lead.size))
    camp = _pick_campaigns(w, rng, chan, L["region"][lead], (at - w.day_sec[0]) // 86400)
    camp = np.where(is_anchor, L["camp"][lead], camp)
    order = np.lexsort((at, lead))
    return {"at": at[order], "lead": lead[order], "chan": chan[order], "camp": camp[order]}


# --------------------------------------------------------------------------- CRM files, by month
IMPOSSIBLE_DAYS = ("30.02", "31.02", "31.04", "31.06", "31.09", "31.11")
FUNNELS = ("Основная", "Партнёрская")
PRODUCT_NAMES = [p[0] for p in PRODUCTS]
LOST_REASON_TEXTS = [r for r, _ in LOST_REASONS]
DEALS_HEADER = ("ID;Название сделки;Бюджет;Валюта;Ответственный;Дата создания;Дата закрытия;Этап сделки;Воронка;"
                "Город;Продукт;Источник;Причина отказа;ID лида;utm_source;utm_medium;utm_campaign")
LEADS_HEADER = ("ID лида;Дата создания;Город;Источник;utm_source;utm_medium;utm_campaign;Статус;"
                "Дата первого контакта;Ответственный;ID сделки")
TOUCH_HEADER = "touch_at,lead_id,deal_id,channel,campaign"


def _budget(rng: np.random.Generator, minor: np.ndarray) -> pa.Array:
    """Бюджет as people type it: '125000', '125 000,50' or the same with a no-break space."""
    form = _sample(rng, (0.5, 0.3, 0.2), minor.size)
    text = pc.if_else(pa.array(form == 1), _fixed(minor, 2, " "), _fixed(minor, 2, "", keep_zero_fraction=False))
    return pc.if_else(pa.array(form == 2), _fixed(minor, 2, NBSP), text)


def _impossible_dates(rng: np.random.Generator, sec: np.ndarray, bad: np.ndarray) -> pa.Array:
    """A handful of calendar dates that cannot exist, as a broken CRM field produces them."""
    text = np.full(sec.size, "", object)
    for i in np.flatnonzero(bad):
        year = np.datetime64(int(sec[i]), "s").astype(dt.datetime).year
        clock = _clock()[int(sec[i] % 86400)].as_py()
        text[i] = f"{IMPOSSIBLE_DAYS[rng.integers(len(IMPOSSIBLE_DAYS))]}.{year} {clock}"
    return pa.array(text, pa.string())


def _deal_columns(w: World, L: dict, D: dict, lead_ids: np.ndarray, created: pa.Array, budget: pa.Array,
                  camp_texts: list[str]) -> list[pa.Array]:
    lead = D["lead"]
    funnel = (L["chan"][lead] == CHANNEL_KEYS.index("referral")).astype(np.int8)
    return [_ints(D["id"]), _coded(CUSTOMERS, D["customer"], ";"), budget,
            _coded(["RUB", "USD"], D["usd"].astype(np.int8), ";"), _coded(w.mgr["name"], L["manager"][lead], ";"),
            created, _datetimes(D["closed"], "ru", D["stage"] < WON), _coded(STAGES, D["stage"], ";"),
            _coded(FUNNELS, funnel, ";"), _coded(REGION_TEXTS, D["region_text"], ";"),
            _coded(PRODUCT_NAMES, D["product"], ";"), _coded(SOURCE_TEXTS, L["source"][lead], ";"),
            _coded(LOST_REASON_TEXTS, D["reason"], ";"), _ints(lead_ids[lead]),
            _coded(UTM_SOURCES, L["utm_source"][lead], ";"), _coded(UTM_MEDIUMS, L["utm_medium"][lead], ";"),
            _coded(camp_texts, L["utm_campaign"][lead], ";")]


def _write_deals(fh, w: World, rng: np.random.Generator, L: dict, D: dict, lead_ids: np.ndarray,
                 camp_texts: list[str], n_bad: int) -> tuple[np.ndarray, int]:
    """crm_deals.csv rows of one chunk, with planted impossible dates and exact duplicate lines."""
    n = D["id"].size
    bad = np.zeros(n, bool)
    bad[rng.choice(n, size=min(n_bad, n), replace=False)] = True
    created = _datetimes(D["created"], "ru")
    if bad.any():
        created = pc.if_else(pa.array(bad), _impossible_dates(rng, D["created"], bad), created)
    cols = _deal_columns(w, L, D, lead_ids, created, _budget(rng, D["minor"]), camp_texts)
    dup = np.flatnonzero((rng.random(n) < DUPLICATE_RATE) & ~bad)   # an export page read twice
    key = np.concatenate([np.arange(n, dtype=float), dup + rng.uniform(0, n - dup)])
    order = np.concatenate([np.arange(n), dup])[np.argsort(key, kind="stable")]
    fh.write(_lines(cols, ";", "\r\n", order))
    return bad, dup.size


def _write_leads(fh, w: World, L: dict, lead_ids: np.ndarray, deal_of_lead: np.ndarray,
                 camp_texts: list[str]) -> None:
    cols = [_ints(lead_ids), _datetimes(L["created"], "ru"), _coded(REGION_TEXTS, L["region_text"], ";"),
            _coded(SOURCE_TEXTS, L["source"], ";"), _coded(UTM_SOURCES, L["utm_source"], ";"),
            _coded(UTM_MEDIUMS, L["utm_medium"], ";"), _coded(camp_texts, L["utm_campaign"], ";"),
            _coded(LEAD_STATUS, L["status"], ";"), _datetimes(L["contact"], "ru", ~L["contacted"]),
            _coded(w.mgr["name"], L["manager"], ";"), _ints(deal_of_lead, deal_of_lead < 0)]
    fh.write(_lines(cols, ";", "\n"))


def _write_touches(fh, w: World, T: dict, lead_ids: np.ndarray, deal_of_lead: np.ndarray) -> None:
    deal, names = deal_of_lead[T["lead"]], [*w.camp["name"], ""]
    camp = np.where(T["camp"] < 0, len(names) - 1, T["camp"])          # no campaign -> ""
    cols = [_datetimes(T["at"], "iso"), _ints(lead_ids[T["lead"]]), _ints(deal, deal < 0),
            _coded(CHANNEL_KEYS, T["chan"], ","), _coded(names, camp, ",")]
    fh.write(_lines(cols, ",", "\n"))


class _Tally:
    """Running counts over the monthly chunks: realised truths and what each file holds."""

    def __init__(self, w: World):
        self.n: dict[str, int] = {}
        self.bucket_leads, self.bucket_deals = np.zeros(len(DELAY_BUCKETS) + 1), np.zeros(len(DELAY_BUCKETS) + 1)
        self.won_by_channel, self.won_by_region = np.zeros(N_CHANNELS), np.zeros(N_REGIONS)
        self.flight_revenue, self.flight_won = np.zeros(len(w.flights)), np.zeros(len(w.flights))
        self.money: dict[str, int] = {"RUB": 0, "USD": 0}
        self.lead_status, self.deal_status = np.zeros(len(LEAD_STATUS), np.int64), np.zeros(3, np.int64)
        self.invoices: list[dict] = []
        self.impossible_ids: list[int] = []

    def count(self, key: str, value) -> None:
        self.n[key] = self.n.get(key, 0) + int(value)

    def add_leads(self, L: dict, n_touches: int) -> None:
        delay_h = (L["contact"] - L["created"]) / 3600
        bucket = np.where(L["contacted"], np.searchsorted([1, 4, 24], delay_h, side="right"), len(DELAY_BUCKETS))
        self.bucket_leads += np.bincount(bucket, minlength=self.bucket_leads.size)
        self.bucket_deals += np.bincount(bucket[L["converted"]], minlength=self.bucket_leads.size)
        self.lead_status += np.bincount(L["status"], minlength=len(LEAD_STATUS))
        self.count("leads", L["created"].size)
        self.count("touches", n_touches)
        self.count("leads_no_source", L["blank"].sum())
        self.count("leads_alias_region", ((L["region_text"] >= N_REGIONS) & (L["region_text"] < UNKNOWN_START)).sum())
        self.count("leads_unknown_region", (L["region_text"] >= UNKNOWN_START).sum())

    def add_deals(self, L: dict, D: dict, bad: np.ndarray, n_dup: int) -> None:
        won = D["stage"] == WON
        chan, region = L["chan"][D["lead"]], L["region"][D["lead"]]
        self.won_by_channel += np.bincount(chan[won], weights=D["rub_kop"][won] / 100, minlength=N_CHANNELS)
        self.won_by_region += np.bincount(region[won], weights=D["rub_kop"][won] / 100, minlength=N_REGIONS)
        flight = L["flight"][D["lead"]]
        hit = won & (flight >= 0)
        self.flight_revenue += np.bincount(flight[hit], weights=D["rub_kop"][hit] / 100, minlength=self.flight_won.size)
        self.flight_won += np.bincount(flight[hit], minlength=self.flight_won.size)
        self._add_file_totals(D, bad, n_dup)
        self.invoices.append({"day": D["invoice_day"][won], "region": region[won], "product": D["product"][won],
                              "customer": D["customer"][won], "kop": D["rub_kop"][won], "deal": D["id"][won]})

    def _add_file_totals(self, D: dict, bad: np.ndarray, n_dup: int) -> None:
        ok, won = ~bad, D["stage"] == WON
        self.count("deals", D["id"].size)
        self.count("deals_no_source", D["no_source"].sum())
        self.count("deal_duplicate_rows", n_dup)
        self.count("deals_alias_region", ((D["region_text"] >= N_REGIONS) & (D["region_text"] < UNKNOWN_START)).sum())
        self.count("deals_unknown_region", (D["region_text"] >= UNKNOWN_START).sum())
        self.impossible_ids += [int(i) for i in D["id"][bad]]
        status = np.where(D["stage"] < WON, 0, np.where(won, 1, 2))
        self.deal_status += np.bincount(status[ok], minlength=3)
        self.money["RUB"] += int(D["minor"][ok & won & ~D["usd"]].sum())
        self.money["USD"] += int(D["minor"][ok & won & D["usd"]].sum())


def _month_bounds(w: World) -> np.ndarray:
    days = w.horizon[:w.n_days]
    firsts = np.flatnonzero(days == days.astype("datetime64[M]").astype("datetime64[D]"))
    return np.append(firsts, w.n_days)


def _write_crm(out: Path, w: World, rng: np.random.Generator) -> _Tally:
    """crm_leads, crm_deals and touchpoints month by month, so memory stays flat at any size."""
    bounds = _month_bounds(w)
    expected = np.array([(w.lam0[:, a:b] * (1 + w.lift[:, a:b]) * (w.conv @ w.mix)[:, None]).sum()
                         for a, b in zip(bounds[:-1], bounds[1:])])
    bad_per_month = rng.multinomial(int(rng.integers(5, 21)), expected / expected.sum())
    chunk_rngs = rng.spawn(len(bounds) - 1)       # one stream per month: order-independent draws
    camp_texts, tally = _campaign_texts(w), _Tally(w)
    next_lead, next_deal = 1_000_001, 50_000_001
    with open(out / "crm_leads.csv", "wb") as fl, open(out / "crm_deals.csv", "wb") as fd, \
            open(out / "touchpoints.csv", "wb") as ft:
        fl.write(_header(LEADS_HEADER, ";", "\n"))
        fd.write(b"\xef\xbb\xbf" + _header(DEALS_HEADER, ";", "\r\n"))
        ft.write(_header(TOUCH_HEADER, ",", "\n"))
        for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
            crng = chunk_rngs[i]
            L = _leads(w, crng, a, b)
            _contact(w, crng, L)
            L["status"] = _lead_status(w, crng, L)
            _lead_texts(w, crng, L)
            D = _deals(w, crng, L, next_deal)
            lead_ids = next_lead + np.arange(L["created"].size)
            deal_of_lead = np.full(lead_ids.size, -1)
            deal_of_lead[D["lead"]] = D["id"]
            T = _touches(w, crng, L)
            _write_leads(fl, w, L, lead_ids, deal_of_lead, camp_texts)
            bad, n_dup = _write_deals(fd, w, crng, L, D, lead_ids, camp_texts, int(bad_per_month[i]))
            _write_touches(ft, w, T, lead_ids, deal_of_lead)
            tally.add_leads(L, T["lead"].size)
            tally.add_deals(L, D, bad, n_dup)
            next_lead, next_deal = next_lead + lead_ids.size, next_deal + D["id"].size
    return tally


# ------------------------------------------------------------------------------- ad spend
def _spend_base(w: World, i: int) -> tuple[list[int], np.ndarray]:
    """Regions and unscaled budget shape (regions x horizon days) of campaign i."""
    c, days = w.camp, np.arange(w.horizon.size)
    last = w.horizon.size - 1 if c["ongoing"][i] else c["end"][i]
    active = (days >= c["start"][i]) & (days <= last)
    if c["flight"][i] >= 0:                 # flights spend evenly in their treated regions
        rs, shape = list(w.flights[c["flight"][i]]["regions"]), np.ones(days.size)
    else:                                   # always-on budgets follow demand, damped
        rs = list(range(N_REGIONS)) if c["region"][i] < 0 else [int(c["region"][i])]
        shape = c["weight"][i] * np.sqrt(w.smooth / w.smooth.mean())
    return rs, REGION_WEIGHT[rs][:, None] * (shape * active)[None, :]


def _spend_scales(w: World, rng: np.random.Generator, exp: dict) -> tuple[np.ndarray, list[float]]:
    """RUB per unit of budget shape: always-on cost tracks the channel's revenue; a flight costs
    its expected incremental revenue divided by a drawn ROAS (so some flights pay off, some not)."""
    scale, n, roas = np.zeros(w.camp["name"].size), w.n_days, []
    baseline = exp["by_channel"].copy()
    for f in exp["flights"]:
        baseline[CHANNEL_KEYS.index(f["channel"])] -= f["incremental_revenue"]
    for key, ratio in SPEND_RATIO.items():
        ids = np.flatnonzero((w.camp["channel"] == CHANNEL_KEYS.index(key)) & (w.camp["flight"] < 0))
        total = sum(_spend_base(w, i)[1][:, :n].sum() for i in ids)
        scale[ids] = ratio * baseline[CHANNEL_KEYS.index(key)] / total
    for i in np.flatnonzero(w.camp["flight"] >= 0):
        roas.append(round(float(rng.uniform(*FLIGHT_ROAS)), 3))
        scale[i] = exp["flights"][w.camp["flight"][i]]["incremental_revenue"] / roas[-1] / _spend_base(w, i)[1].sum()
    return scale, roas


def _ad_spend(w: World, rng: np.random.Generator, exp: dict) -> dict:
    """Daily cost, impressions and clicks per paid campaign x region x day (rows only where it ran)."""
    scale, roas = _spend_scales(w, rng, exp)
    parts, expected = [], np.zeros((N_REGIONS, w.horizon.size))
    for i in np.flatnonzero(scale > 0):
        rs, base = _spend_base(w, i)
        cost = scale[i] * base
        expected[rs] += cost
        r, d = np.nonzero(cost[:, :w.n_days] > 0)
        rub = cost[r, d] * np.exp(rng.normal(-0.02, 0.2, r.size))     # mean-one daily wobble
        _, cpc, ctr = PLATFORMS[w.camp["platform"][i]]
        clicks = rng.poisson(rub / cpc)
        parts.append({"day": d, "camp": np.full(r.size, i), "region": np.array(rs)[r],
                      "impressions": rng.poisson(clicks / ctr + 1), "clicks": clicks,
                      "kop": np.round(rub * 100).astype(np.int64)})
    S = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((S["region"], S["camp"], S["day"]))
    S = {k: v[order] for k, v in S.items()}
    S["expected"], S["roas"] = expected, roas
    return S


def _write_ad_spend(path: Path, w: World, S: dict) -> None:
    cols = [_dates(w.horizon[S["day"]].astype(np.int64), "ru"), _coded(w.camp["platform"], S["camp"], ";"),
            _coded(w.camp["name"], S["camp"], ";"), _coded(REGION_NAMES, S["region"], ";"),
            _ints(S["impressions"]), _ints(S["clicks"]), _fixed(S["kop"], 2, " "),
            _coded(["RUB"], np.zeros(S["day"].size, np.int8), ";")]
    path.write_bytes(_header("Дата;Площадка;Кампания;Регион;Показы;Клики;Расход;Валюта", ";", "\n")
                     + _lines(cols, ";", "\n"))


# --------------------------------------------------------------------------- web analytics
def _traffic(w: World, rng: np.random.Generator, S: dict) -> dict:
    """Daily visits per utm_source x utm_campaign: paid clicks that landed, organic, email, partners."""
    n, n_camp = w.n_days, w.camp["name"].size
    clicks = np.bincount(S["day"] * n_camp + S["camp"], weights=S["clicks"], minlength=n * n_camp)
    visits = np.round(clicks.reshape(n, n_camp) * rng.uniform(0.8, 0.95, (n, n_camp)))
    demand = w.lam0.sum(0)
    weekday = (w.horizon[:n].astype(np.int64) + 3) % 7
    for name, per_lead in (("all_email_digest", np.where(weekday == 1, 12.0, 1.0)),   # sent on Tuesdays
                           ("all_email_promo", np.where(weekday == 3, 4.0, 0.3)),
                           ("all_partner_program", np.full(n, 2.0))):
        visits[:, list(w.camp["name"]).index(name)] = rng.poisson(demand * per_lead)
    source = np.array([PLATFORM_UTM[p] for p in w.camp["platform"]])
    d, c = np.nonzero(visits > 0)
    organic = rng.poisson(np.outer(demand, (25.0, 15.0)))           # yandex, google organic
    day = np.concatenate([d, np.arange(n), np.arange(n)])
    texts = np.concatenate([source[c], np.full(n, "yandex"), np.full(n, "google")])
    campaign = np.concatenate([w.camp["name"][c], np.full(2 * n, "")])
    count = np.concatenate([visits[d, c], organic[:, 0], organic[:, 1]]).astype(np.int64)
    order = np.lexsort((campaign, texts, day))
    visitors = np.round(count * rng.uniform(0.75, 0.9, count.size)).astype(np.int64)
    return {"day": day[order], "source": texts[order], "campaign": campaign[order], "visits": count[order],
            "visitors": visitors[order]}


def _write_traffic(path: Path, w: World, V: dict) -> None:
    cols = [_dates(w.horizon[V["day"]].astype(np.int64), "iso"), pa.array(V["source"]),
            pa.array(V["campaign"]), _ints(V["visits"]), _ints(V["visitors"])]
    path.write_bytes(b"\xef\xbb\xbf" + _header("Дата визита,UTM Source,UTM Campaign,Визиты,Посетители", ",", "\n")
                     + _lines(cols, ",", "\n"))


# ------------------------------------------------------------------- small tables (csv module)
def _write_table(path: Path, header: list[str], rows: list[list], sep: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=sep, lineterminator="\n")   # QUOTE_MINIMAL: only when needed
        writer.writerow(header)
        writer.writerows(rows)


def _write_campaigns(path: Path, w: World) -> None:
    c, rows = w.camp, []
    for i, name in enumerate(c["name"]):
        region = REGION_NAMES[c["region"][i]] if c["region"][i] >= 0 else ""   # multi-region flights too
        rows.append([name, _campaign_id(i), c["platform"][i], PLATFORMS[c["platform"][i]][0], region,
                     c["product"][i] or "", str(w.horizon[c["start"][i]]),
                     "" if c["ongoing"][i] else str(w.horizon[c["end"][i]])])
    _write_table(path, ["campaign", "campaign_id", "platform", "channel", "region", "product", "start_date",
                        "end_date"], rows, ",")


def _per_month(month: np.ndarray, daily: np.ndarray) -> np.ndarray:
    """Regions x days summed into regions x months."""
    return np.stack([np.bincount(month, weights=row) for row in daily])


def _plan(w: World, rng: np.random.Generator, spend_expected: np.ndarray) -> tuple[list[list], dict]:
    """Monthly targets = model expectation (no shocks, noise or flights) x each region's ambition."""
    month = (w.horizon.astype("datetime64[M]") - w.horizon[0].astype("datetime64[M]")).astype(np.int64)
    leads = REGION_WEIGHT[:, None] * w.smooth[None, :]
    won_per_lead = (w.mix[None, :] * w.conv * w.win).sum(1)
    target = {"leads": _per_month(month, leads), "deals": _per_month(month, leads) * (w.conv @ w.mix)[:, None],
              "revenue": _per_month(month, leads * w.amount_mean[None, :]) * won_per_lead[:, None],
              "spend": _per_month(month, spend_expected)}
    ambition = {"sales": rng.uniform(0.9, 1.15, N_REGIONS), "marketing": rng.uniform(0.9, 1.15, N_REGIONS),
                "company": 1.05}
    owner = {"revenue": "sales", "deals": "sales", "leads": "marketing", "spend": "marketing"}
    rows, first = [], np.datetime64(w.start, "M")
    for m in range(month.max() + 1):
        label = (first + m).astype("datetime64[D]").astype(dt.date).strftime("%d.%m.%Y")
        company = int(round(target["revenue"][:, m].sum() * ambition["company"], -3))
        rows.append([label, "", "", "revenue", company, "company"])
        for r, name in enumerate(REGION_NAMES):
            for metric, who in owner.items():
                value = round(target[metric][r, m] * ambition[who][r], -3 if metric in ("revenue", "spend") else 0)
                rows.append([label, name, "", metric, int(value), who])
    truth = {"basis": "expected value from the model without shocks, regional noise or flights, x ambition",
             "ambition": {"sales": dict(zip(REGION_NAMES, np.round(ambition["sales"], 3).tolist())),
                          "marketing": dict(zip(REGION_NAMES, np.round(ambition["marketing"], 3).tolist())),
                          "company": ambition["company"]},
             "revenue_basis": "won amount of deals created in the month (eventual, RUB)"}
    return rows, truth


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


def _activities(w: World, rng: np.random.Generator, flight_spend: list[float]) -> list[list]:
    """The joint calendar: flights (as run), launch, events, promos, e-mail sends and call blitzes."""
    rows, H = [], w.horizon.size
    for f, spend in zip(w.flights, flight_spend):
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
        a, r = int(rng.integers(0, H - 5)), int(_sample(rng, REGION_WEIGHT, 1)[0])
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


# ------------------------------------------------------------------------------------ 1C
def _invoices(w: World, rng: np.random.Generator, tally: _Tally) -> tuple[dict, dict]:
    """1C lines: won deals' invoices minus a few lost in accounting, plus returns and strangers."""
    inv = {k: np.concatenate([c[k] for c in tally.invoices]) for k in tally.invoices[0]}
    n = inv["deal"].size
    missing = np.sort(rng.choice(n, min(n, 3 + int(rng.integers(0, 8)) + min(n // 5000, 190)), replace=False))
    keep = np.ones(n, bool)
    keep[missing] = False
    sales = {k: v[keep] for k, v in inv.items()}
    ret = np.flatnonzero(rng.random(sales["deal"].size) < 0.01)
    ret_day = sales["day"][ret] + rng.integers(5, 60, ret.size)
    ret, ret_day = ret[ret_day < w.n_days], ret_day[ret_day < w.n_days]
    returns = {k: v[ret] for k, v in sales.items()}
    returns["day"] = ret_day
    returns["kop"] = -np.where(rng.random(ret.size) < 0.8, returns["kop"], returns["kop"] // 2)  # some partial
    orphans = _orphan_invoices(w, rng, 3 + int(rng.integers(0, 8)) + min(n // 8000, 150))
    parts = [(sales, 0), (returns, 1), (orphans, 0)]
    lines = {k: np.concatenate([p[k] for p, _ in parts]) for k in sales}
    lines["kind"] = np.concatenate([np.full(p["deal"].size, kind) for p, kind in parts])
    order = np.lexsort((lines["deal"], lines["kind"], lines["day"]))
    lines = {k: v[order] for k, v in lines.items()}
    return lines, {"missing_deal_ids": inv["deal"][missing].tolist(), "returns": int(ret.size),
                   "orphans": int(orphans["deal"].size)}


def _orphan_invoices(w: World, rng: np.random.Generator, k: int) -> dict:
    """Sales posted in 1C that nobody entered in the CRM."""
    day = rng.integers(0, w.n_days, k)
    product = _products(rng, day >= w.launch)
    rub = np.array([p[1] for p in PRODUCTS])[product] * np.exp(AMOUNT_SIGMA * rng.standard_normal(k))
    return {"day": day, "region": _sample(rng, REGION_WEIGHT, k), "product": product,
            "customer": rng.integers(0, len(CUSTOMERS), k), "kop": (np.round(rub / 500) * 50_000).astype(np.int64),
            "deal": np.full(k, -1)}


def _write_1c(path: Path, w: World, lines: dict) -> dict:
    """cp1251 report as 1C saves it: title lines, header, detail rows, and a final Итого row."""
    kind, n = lines["kind"], lines["kind"].size
    number = np.zeros(n, np.int64)
    for k in (0, 1):                          # sales and returns are numbered separately
        number[kind == k] = np.arange(1, (kind == k).sum() + 1)
    date = _dates(w.horizon[lines["day"]].astype(np.int64), "ru")
    title = _coded(["Реализация товаров и услуг", "Возврат товаров от покупателя"], kind, ";")
    doc = pc.binary_join_element_wise(title, pc.utf8_lpad(_ints(number), width=8, padding="0"), "от", date, " ")
    qty = np.where(kind == 1, -1000, 1000)
    cols = [date, _coded(REGION_NAMES, lines["region"], ";"), doc, _coded(CUSTOMERS, lines["customer"], ";"),
            _coded(PRODUCT_NAMES, lines["product"], ";"), _fixed(qty, 3, NBSP), _fixed(lines["kop"], 2, NBSP)]
    period = f"{w.start.strftime('%d.%m.%Y')} - {w.end.strftime('%d.%m.%Y')}"
    head = ["Продажи", f"Период: {period}", "Показатели: Количество, Сумма", "",
            "Дата;Регион;Документ продажи;Контрагент;Номенклатура;Количество;Сумма"]
    total_qty, total_kop = int(qty.sum()), int(lines["kop"].sum())
    footer = "Итого;;;;;" + _fixed(np.array([total_qty]), 3, NBSP)[0].as_py() + ";" \
        + _fixed(np.array([total_kop]), 2, NBSP)[0].as_py() + "\r\n"
    with open(path, "wb") as fh:
        fh.write("\r\n".join(head + [""]).encode("cp1251"))
        for s in range(0, n, 500_000):       # re-encode in slices to bound memory
            fh.write(_lines([c[s:s + 500_000] for c in cols], ";", "\r\n").decode("utf-8").encode("cp1251"))
        fh.write(footer.encode("cp1251"))
    return {"detail_rows": n, "quantity": total_qty / 1000, "amount": total_kop / 100,
            "returns_amount": int(lines["kop"][kind == 1].sum()) / 100,
            "note": "detail rows only: the final Итого row repeats the total and is not a sale"}


# ---------------------------------------------------------------------------------- truth
def _r(x, digits: int = 2):
    return round(float(x), digits)


def _shares(values: np.ndarray, keys: list[str]) -> dict:
    return {k: _r(v / values.sum(), 4) for k, v in zip(keys, values)}


def _truth_flights(w: World, exp: dict, S: dict, tally: _Tally) -> list[dict]:
    out = []
    for i, f in enumerate(exp["flights"]):
        camp = int(np.flatnonzero(w.camp["flight"] == i)[0])
        spend = S["kop"][S["camp"] == camp].sum() / 100
        row = {k: v for k, v in f.items() if not k.startswith("_")}
        row.update({k: _r(row[k]) for k in row if k.startswith(("baseline", "incremental"))})
        row.update(spend=_r(spend), roas_planted=S["roas"][i],
                   realised_incremental_revenue=_r(tally.flight_revenue[i]),
                   realised_incremental_won_deals=int(tally.flight_won[i]),
                   metric_basis="won amount of deals by created_at date",
                   note="expected won revenue as of `end` (RUB, USD at fx) of deals from leads created in the "
                        "treated regions in the window; deals are created hours after their lead")
        out.append(row)
    return out


def _truth_regions(w: World, exp: dict, tally: _Tally) -> list[dict]:
    expected, realised = _shares(exp["by_region"], REGION_NAMES), _shares(tally.won_by_region, REGION_NAMES)
    return [{"name": name, "code": REGION_CODES[r], "weight": _r(REGION_WEIGHT[r], 4),
             "expected_revenue_share": expected[name], "realised_revenue_share": realised[name],
             "win_rate_factor": _r(w.region_win[r], 3),
             "managers": [str(m) for m in w.mgr["name"][w.mgr["by_region"][r, :w.mgr["count"][r]]]]}
            for r, name in enumerate(REGION_NAMES)]


def _truth_speed(w: World, tally: _Tally) -> dict:
    out = _speed_truth(w)
    names = [b[0] for b in DELAY_BUCKETS] + ["never"]
    out["realised_conversion_by_bucket"] = {
        k: _r(d / max(n, 1), 4) for k, n, d in zip(names, tally.bucket_leads, tally.bucket_deals)}
    out["realised_leads_by_bucket"] = {k: int(n) for k, n in zip(names, tally.bucket_leads)}
    return out


def _truth_managers(w: World) -> list[dict]:
    m = w.mgr
    return [{"name": str(m["name"][i]), "regions": [REGION_NAMES[REGION_CODES.index(c)] for c in MANAGERS[i][1]],
             "median_first_contact_hours": _r(m["median_h"][i], 3), "sigma": _r(m["sigma"][i], 3),
             "never_contacted_share": _r(m["never"][i], 4)} for i in range(len(MANAGERS))]


def _truth_dirty(tally: _Tally, sales_dirty: dict) -> dict:
    n = tally.n
    return {
        "crm_deals.csv": {"duplicate_rows": n["deal_duplicate_rows"], "impossible_dates": len(tally.impossible_ids),
                          "impossible_date_deal_ids": tally.impossible_ids,
                          "alias_regions": n["deals_alias_region"], "unknown_regions": n["deals_unknown_region"],
                          "no_source": n["deals_no_source"]},
        "crm_leads.csv": {"alias_regions": n["leads_alias_region"], "unknown_regions": n["leads_unknown_region"],
                          "no_source": n["leads_no_source"]},
        "1c_sales.csv": {"deals_missing_in_1c": len(sales_dirty["missing_deal_ids"]),
                         "missing_deal_ids": sales_dirty["missing_deal_ids"],
                         "lines_without_crm_deal": sales_dirty["orphans"], "returns": sales_dirty["returns"]},
        "note": "counts per unique deal/lead; alias = any non-canonical spelling that data/regions.csv resolves",
    }


def _truth_totals(w: World, tally: _Tally, S: dict, V: dict, sales: dict, n_rows: dict) -> dict:
    n, valid = tally.n, tally.n["deals"] - len(tally.impossible_ids)
    return {
        "crm_deals.csv": {"rows": n["deals"] + n["deal_duplicate_rows"], "unique_deal_ids": n["deals"],
                          "valid_deals": valid, "valid_by_status": dict(zip(("open", "won", "lost"),
                                                                           tally.deal_status.tolist())),
                          "valid_won_amount_by_currency": {k: v / 100 for k, v in tally.money.items()},
                          "note": "valid = unique deals without an impossible date"},
        "crm_leads.csv": {"rows": n["leads"], "by_status": dict(zip(LEAD_STATUS, tally.lead_status.tolist()))},
        "touchpoints.csv": {"rows": n["touches"]},
        "ad_spend.csv": {"rows": int(S["day"].size), "cost_rub": int(S["kop"].sum()) / 100,
                         "clicks": int(S["clicks"].sum()), "impressions": int(S["impressions"].sum())},
        "campaigns.csv": {"rows": int(w.camp["name"].size)},
        "plan.csv": {"rows": n_rows["plan"]},
        "activities.csv": {"rows": n_rows["activities"]},
        "1c_sales.csv": sales,
        "metrica_traffic.csv": {"rows": int(V["day"].size), "visits": int(V["visits"].sum())},
    }


def _truth_model(w: World) -> dict:
    launch = str(w.horizon[w.launch])
    return {
        "products": [{"name": p, "median_amount_rub": m, "sigma": AMOUNT_SIGMA, "share": s,
                      "on_sale_from": launch if i == LAUNCHED else str(w.start)}
                     for i, (p, m, s) in enumerate(PRODUCTS)],
        "win_rate": {"by_channel": {c.key: c.win for c in CHANNELS}, "region_factor": "see regions[].win_rate_factor"},
        "deal_lag_hours_after_contact": {"median": DEAL_LAG_H[0], "sigma": DEAL_LAG_H[1]},
        "close_lag_days": {"won": {"median": WON_LAG[0], "sigma": WON_LAG[1]},
                           "lost": {"median": LOST_LAG[0], "sigma": LOST_LAG[1]}},
        "usd_share": USD_RATE, "fx_usd_rub": FX_USD_RUB,
        "demand": {"trend_per_year": TREND, "month_factor": MONTH_FACTOR.tolist(),
                   "weekday_factor_mon_first": WEEKDAY_FACTOR.tolist(),
                   "region_noise": {"ar1_phi": NOISE_PHI, "sd": NOISE_SD}},
        "money": "truth money is RUB; USD deals count at fx_usd_rub",
        "planted_effects": "only flights change demand; events, promos and blitzes are calendar entries",
    }


def _truth(w: World, exp: dict, tally: _Tally, S: dict, V: dict, lines: tuple, plan_truth: dict,
           n_rows: dict) -> dict:
    sales, sales_dirty = lines
    return {
        "seed": w.seed, "start": str(w.start), "end": str(w.end), "deals": w.deals,
        "deals_realised": tally.n["deals"], "leads_realised": tally.n["leads"],
        "expected_deals_per_lead": _r(exp["deals_per_lead"], 4),
        "regions": _truth_regions(w, exp, tally),
        "region_aliases": {a: name for name, _, _, aliases in REGIONS for a in aliases},
        "unknown_region_texts": list(UNKNOWN_REGIONS),
        "channels": [{"key": c.key, "planted_revenue_share": c.revenue_share, "lead_share": _r(w.mix[i], 4),
                      "p_channel": c.p_contact, "win_rate": c.win} for i, c in enumerate(CHANNELS)],
        "channel_revenue_share": _shares(exp["by_channel"], CHANNEL_KEYS),
        "realised_channel_revenue_share": _shares(tally.won_by_channel, CHANNEL_KEYS),
        "channel_note": "channel = the lead's true source (also for leads whose source was blanked); "
                        "flight-driven leads come through the flight's channel",
        "flights": _truth_flights(w, exp, S, tally),
        "speed_to_lead": _truth_speed(w, tally),
        "managers": _truth_managers(w),
        "shocks": w.shocks,
        "plan": plan_truth,
        "model": _truth_model(w),
        "dirty": _truth_dirty(tally, sales_dirty),
        "totals": _truth_totals(w, tally, S, V, sales, n_rows),
    }


# ------------------------------------------------------------------------------------ main
PLAN_HEADER = ["Месяц", "Регион", "Продукт", "Показатель", "План", "Ответственный"]
ACTIVITIES_HEADER = ["ID", "Ответственный отдел", "Тип", "Название", "Регион", "Продукт", "Дата начала",
                     "Дата окончания", "Бюджет", "Ответственный", "Статус"]


def generate(out_dir: Path, *, seed: int = 42, deals: int = 50_000, end: dt.date | None = None,
             months: int = 24) -> dict:
    """Write the demo company's export files into out_dir; return (and write) the planted truth."""
    end = end or dt.date.today() - dt.timedelta(days=1)
    if months < 9:
        raise ValueError("months must be at least 9: flights need a pre-period and the launch is in month 8")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    w = _world(rng, seed, deals, end, months)
    exp = _expectations(w)
    S = _ad_spend(w, rng, exp)
    _write_ad_spend(out / "ad_spend.csv", w, S)
    V = _traffic(w, rng, S)
    _write_traffic(out / "metrica_traffic.csv", w, V)
    _write_campaigns(out / "campaigns.csv", w)
    plan_rows, plan_truth = _plan(w, rng, S["expected"])
    _write_table(out / "plan.csv", PLAN_HEADER, plan_rows, ";")
    flight_spend = [S["kop"][S["camp"] == np.flatnonzero(w.camp["flight"] == i)[0]].sum() / 100
                    for i in range(len(w.flights))]
    acts = _activities(w, rng, flight_spend)
    _write_table(out / "activities.csv", ACTIVITIES_HEADER, acts, ";")
    tally = _write_crm(out, w, rng)
    lines, sales_dirty = _invoices(w, rng, tally)
    sales = _write_1c(out / "1c_sales.csv", w, lines)
    truth = _truth(w, exp, tally, S, V, (sales, sales_dirty), plan_truth,
                   {"plan": len(plan_rows), "activities": len(acts)})
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2), encoding="utf-8")
    return truth
