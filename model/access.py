"""Row-level security: which rows of which query a user may see, applied by the runner (the one door).

Every queries/app file declares in model/catalog.py (ACCESS) how it is restricted; the runner calls
`prepare` before a query runs and `screen` on its rows, so no page, export, deck or CLI can skip it.
Default deny: no user runs nothing, and a query with no declaration runs for no restricted user.

The rules, for a restricted user (one who sees only `regions`; everyone else sees everything):
- anonymous: runs before anyone signs in (the sign-in gate asks whether the warehouse is the demo
  company); one flag of the build's record, nothing else.
- public: no regional data (config, build time, labels); runs as it is.
- regions: its $regions filter is the user's regions intersected with the asked ones (nothing in
  common, or nothing asked: all of the user's), so no parameter can widen it; rows naming another
  region are dropped as well.
- regional: as "regions", and rows with no region (a federal campaign's spend, an export's
  freshness, a raw value's share: company-wide figures) are dropped too.
- region: its one $region must be one of the user's; rows as for "regions".
- rows: no region parameter; only the rows of the user's regions are kept (rows without one dropped).
- company: company-wide figures with no region to cut by; only a user who may see company totals
  gets rows (others get the query's columns and no rows: nothing is computed for them).
- presence: status figures (how many rows a source holds); a restricted user learns only whether
  there are any (1) or none (0).
- options: the filter's option list: regions only the user's (products are not regional).
- plan_lines: as "regions", without the company's own plan lines (company totals).
- flights: as "regions"; a flight that also covers other regions is masked: its campaign and those
  regions by `mask`, its spend and share empty. It stays for what the estimate needs (which regions
  another flight exposed) and is listed nowhere.
- panel: every region x day of the impact estimate (the controls are what it is estimated from):
  the user's regions under their names, the others masked, so a page can draw the estimate and
  "control regions" but never their names.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace

import pandas as pd

from model import catalog
from model.filters import Filters
from model.users import User

RULES = ("anonymous", "public", "regions", "regional", "region", "rows", "company", "presence", "options", "plan_lines",
         "flights", "panel")
# A masked name: the same region (or campaign) gets the same mask within a process, and the key is
# random per process, so a mask cannot be matched to a name by hashing candidate names.
MASK_PREFIX = "~ctrl-"
_MASK = re.compile(re.escape(MASK_PREFIX) + r"[0-9a-f]{10}")
_MASK_LIST = re.compile(_MASK.pattern + r"(?:, " + _MASK.pattern + r")*")
_KEY = secrets.token_bytes(16)


# Whoever runs a CLI (python -m report, bench) on the warehouse file: they can read every row of the file
# anyway, so they see every region. `--as LOGIN` takes a user's own access instead.
OPERATOR = User(login="operator", name="operator", role="data_admin")


class AccessDenied(PermissionError):
    """A query the user may not run: `code` (no_user, no_regions, undeclared, region) and `fields` let each
    surface word it in its reader's language; str() is one English line."""

    def __init__(self, code: str, line: str, **fields):
        super().__init__(line)
        self.code, self.fields = code, fields


@dataclass(frozen=True)
class Scope:
    """What a user may see, as a hashable value (a cache key part): `regions` None means every region."""
    regions: tuple[str, ...] | None
    company: bool

    @property
    def restricted(self) -> bool:
        return self.regions is not None


# The scope of a query declared "anonymous": it holds no data, so nobody needs to be signed in.
NOBODY = Scope(None, False)


def scope_of(user: User | None) -> Scope:
    """The user's scope; no user (or a disabled one) is refused: default deny."""
    if user is None or user.disabled:
        raise AccessDenied("no_user", "nobody is signed in: sign in to see the numbers")
    if user.regions is None:
        return Scope(None, user.can("company_totals"))
    if not user.regions:
        raise AccessDenied("no_regions", f"user {user.login} has no regions in data/access.toml: "
                           "ask the data admin to add the regions you may see")
    return Scope(tuple(user.regions), user.can("company_totals"))


def within(named, allowed) -> bool:
    """The one rule for an item that names regions (a commitment, a planned activity, a flight): it is within
    `allowed` when it names none (company-wide, None entries ignored) or only allowed ones; `allowed` None
    means every region. An item that also names another region is outside: showing it would name that
    region, acting on it would act there (the Meeting page, its CLI, the deck, the digest, the Joint plan)."""
    return allowed is None or {r for r in named if r is not None} <= set(allowed)


def narrow(f: Filters, user: User | None) -> Filters:
    """The filters as a user's numbers are computed: a restricted user's regions are the asked ones that are
    theirs, or all of theirs (what the captions and the deck's filters line then name). Only a label: the
    runner restricts every query whatever the filters say."""
    if user is None or user.regions is None:
        return f
    asked = tuple(r for r in f.regions if r in user.regions)
    return replace(f, regions=asked or tuple(user.regions))


def rule_of(name: str) -> str | None:
    return catalog.ACCESS.get(name)


def prepare(scope: Scope, name: str, sql: str, params: dict) -> tuple[str, dict]:
    """The SQL and params `name` runs with under `scope` (params already the ones its SQL names)."""
    rule = rule_of(name)
    if not scope.restricted:
        return sql, params
    if rule is None:
        raise AccessDenied("undeclared", f"queries/app/{name}.sql declares no access rule in model/catalog.py "
                           "(ACCESS), so it does not run for a user restricted to regions", query=name)
    allowed = scope.regions or ()
    params = dict(params)
    # these rules' queries name $regions (a test checks)
    if "regions" in params or rule in ("regions", "regional", "plan_lines", "flights"):
        asked = [r for r in (params.get("regions") or []) if r in allowed]
        params["regions"] = asked or list(allowed)
    if "region" in params and params["region"] not in allowed:
        raise AccessDenied("region", f"region {params['region']!r} is not one of yours", region=params["region"])
    if rule == "region" and "region" not in params:
        raise AccessDenied("region", f"queries/app/{name}.sql takes no $region to restrict", region="")
    if rule == "company" and not scope.company:
        # the query's columns and no rows: nothing of the company is computed for this user
        sql = "select * from (\n" + sql + "\n) as company_only where false"
    return sql, params


def screen(scope: Scope, name: str, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of `name` the scope may see (rows from a query prepared by `prepare`)."""
    rule = rule_of(name)
    if not scope.restricted:
        return rows
    allowed = set(scope.regions or ())
    if rule in ("regions", "region", "plan_lines", "flights") and "region" in rows:
        rows = rows[rows.region.isna() | rows.region.isin(allowed)]
    if rule in ("rows", "regional"):
        rows = rows[rows.region.isin(allowed)] if "region" in rows else rows.iloc[0:0]
    if rule == "options":
        rows = rows[(rows.kind != "region") | rows.value.isin(allowed)]
    if rule == "plan_lines":
        rows = rows[rows.level != "company"]
    if rule == "presence":
        numbers = rows.select_dtypes("number").columns
        rows = rows.assign(**{c: (rows[c].fillna(0) > 0).astype("int64") for c in numbers})
    if rule == "flights":
        rows = _mask_flights(rows, allowed)
    if rule == "panel":
        rows = rows.assign(region=[r if r in allowed else mask(r) for r in rows.region])
    return rows.reset_index(drop=True)


def _mask_flights(rows: pd.DataFrame, allowed: set) -> pd.DataFrame:
    own = [within(r, allowed) for r in rows.regions]
    out = rows.assign(
        campaign=[c if o else mask(c) for c, o in zip(rows.campaign, own, strict=True)],
        regions=[list(r) if o else [x if x in allowed else mask(x) for x in r]
                 for r, o in zip(rows.regions, own, strict=True)])
    for col in ("spend", "share", "platform", "channel"):
        if col in out:
            out[col] = out[col].where(own, None)
    # the share of a flight's campaign spend in its regions comes from the campaign's spend elsewhere
    if "share" in out:
        out["share"] = None
    return out


def mask(name: str) -> str:
    """A region's or campaign's stand-in for a restricted user: stable within the process, not reversible."""
    return MASK_PREFIX + hmac.new(_KEY, str(name).encode(), hashlib.sha256).hexdigest()[:10]


def masked(name) -> bool:
    return isinstance(name, str) and name.startswith(MASK_PREFIX)


def unmask_text(text: str, label: str) -> str:
    """`text` with each masked name (or comma-separated list of them) replaced by `label`."""
    return _MASK_LIST.sub(label, text)
