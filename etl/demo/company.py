"""The demo company's facts: regions, channels, products, people, campaigns and the model's parameters."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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
SOURCE_TEXTS = ["", "Сайт", "Звонок с сайта", "Партнёр", "Холодный звонок", "Входящий звонок", "Выставка",
                "Заявка с квиза"]   # the last: only planted anomalies (etl/demo/anomalies.py) write it
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


def campaign_id(i: int) -> str:
    """The platform's numeric campaign ID, fixed per campaign."""
    return str(CAMPAIGN_ID_BASE + 7919 * i)


PRODUCT_NAMES = [p[0] for p in PRODUCTS]
