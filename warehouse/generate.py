"""Deterministic, vectorised sample-data generator for the landing zone.

Writes one folder of Parquet files (``part-NNNN.parquet``) per source named in the landing
contract (``shared/spec/RULES.md``, section 1) with exactly the contracted column names and
types (each written file is checked against ``warehouse.contract``). Every random draw comes
from a ``numpy.random.default_rng`` stream derived from the seed, or from DuckDB ``hash()`` of
(seed, keys), so the same arguments give byte-identical files (with the same numpy and DuckDB
versions: ``hash()`` is not guaranteed stable across DuckDB releases). Nothing iterates over
rows in Python: per-row work is numpy array maths or DuckDB SQL; the only Python loops are over
sources, quarters, currencies and the coupon outcome fixed point.

The spend (tens of millions of rows at 100,000 accounts x 730 days) is generated once into a
compact DuckDB table; everything derived from it (billing, invoices) reads that table.

Usage::

    python -m warehouse.generate --accounts 2000 --days 400 --seed 7 \
        --end-date 2026-11-20 --out data/sample_landing

The window is ``[end_date - days + 1, end_date]``. Nothing with an event date or time after
the end of ``end_date`` is written (deadlines may lie later), except ``ad_spend.reported_at``,
which is the report's arrival time (the day after the spend day, or later for restatements).

A landing zone it makes starts with a ``.generated_sample`` marker file; it refuses to write
into a folder that holds anything else, and replaces an earlier sample only with ``--replace``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.config import landing_dir
from warehouse.contract import LANDING_SCHEMAS

# ---------------------------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendMatchOffer:
    """One new-advertiser spend-match offer (a row of the seed `seeds/spend_match_offers.csv`)."""

    offer_id: str
    country_code: str
    valid_from: date
    valid_to: date
    spend_threshold_usd: float
    credit_amount_usd: float
    credit_validity_days: int
    processing_sla_hours: int


# Spend-match offers and eligible campaign types. These mirror the dbt seeds
# `seeds/spend_match_offers.csv` and `seeds/spend_match_eligible_campaign_types.csv`, so that
# the billing credits generated here line up with what the warehouse expects: keep them in
# sync with the seeds. BR and JP have no offer.
SPEND_MATCH_OFFERS: tuple[SpendMatchOffer, ...] = tuple(
    SpendMatchOffer(
        offer_id=f"nao_{cc.lower()}_2025",
        country_code=cc,
        valid_from=date(2024, 1, 1),
        valid_to=date(2027, 12, 31),
        spend_threshold_usd=500.0,
        credit_amount_usd=500.0,
        credit_validity_days=30,
        processing_sla_hours=48,
    )
    for cc in ("US", "GB", "DE", "FR", "IT", "ES", "CA", "AU")
)
SPEND_MATCH_ELIGIBLE_CAMPAIGN_TYPES: tuple[str, ...] = (
    "in_feed",
    "video_views",
    "traffic",
    "conversions",
)

# Tier thresholds over a rolling 30 days (seed `seeds/tier_thresholds.csv`), used to shape
# the "oscillating" spend segment.
TIER_THRESHOLDS_USD: tuple[int, ...] = (2_000, 10_000, 50_000)


def _duckdb_type(t: pa.DataType) -> str:
    """The DuckDB type that writes as Arrow/Parquet type `t` in the landing contract."""
    if pa.types.is_decimal(t):
        return f"DECIMAL({t.precision},{t.scale})"
    simple = {
        pa.string(): "VARCHAR",
        pa.date32(): "DATE",
        pa.timestamp("us"): "TIMESTAMP",
        pa.int32(): "INTEGER",
        pa.bool_(): "BOOLEAN",
        pa.float64(): "DOUBLE",
    }
    return simple[t]


# Landing contract (RULES.md section 1, `warehouse.contract`): source -> [(column, DuckDB type)].
CONTRACT: dict[str, list[tuple[str, str]]] = {
    source: [(f.name, _duckdb_type(f.type)) for f in schema]
    for source, schema in LANDING_SCHEMAS.items()
}
SOURCES: tuple[str, ...] = tuple(CONTRACT)

COUNTRIES = np.array(["US", "GB", "DE", "FR", "IT", "ES", "CA", "AU", "BR", "JP"])
COUNTRY_WEIGHTS = np.array([0.34, 0.15, 0.12, 0.10, 0.05, 0.05, 0.06, 0.05, 0.05, 0.03])
CURRENCY_BY_COUNTRY = {"GB": "GBP", "DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR"}
FX_BASE_USD_PER_UNIT = {"EUR": 1.08, "GBP": 1.27}

CREATOR_COUNTRIES = np.array(["US", "GB", "DE", "FR", "IT", "ES", "CA", "AU", "BR"])
CREATOR_COUNTRY_WEIGHTS = np.array([0.30, 0.12, 0.10, 0.09, 0.07, 0.07, 0.09, 0.08, 0.08])

# Spend segments (index = code used in the spend SQL).
SEGMENTS = ("inactive", "steady", "growing", "churning", "oscillating", "spiky", "gappy")
SEGMENT_WEIGHTS = np.array([0.05, 0.28, 0.15, 0.15, 0.15, 0.10, 0.12])
# Spend classes: typical daily USD spend ranges (lo, hi), roughly none/essential/classic/premium.
SPEND_CLASSES = ((8.0, 60.0), (75.0, 300.0), (360.0, 1500.0), (1800.0, 4000.0))
SPEND_CLASS_WEIGHTS = np.array([0.45, 0.30, 0.17, 0.08])
SPEND_CLASS_WEIGHTS_MANAGED = np.array([0.10, 0.30, 0.40, 0.20])

MAX_SLOTS = 4  # campaign/creative "slots" an account runs in parallel
EXTRA_SLOT_ACTIVE_P = 0.6  # chance a slot other than the first spends on an active day
RESTATED_P = 0.02  # share of spend keys re-sent with a corrected amount
RESTATED_TWICE_P = 0.15  # share of restated keys that are re-sent a second time

FIRST_NAMES = np.array(
    ["alex", "sam", "maria", "li", "noah", "emma", "omar", "yuki", "lena", "raj", "chloe", "ivan"]
)
LAST_NAMES = np.array(
    ["smith", "garcia", "chen", "mueller", "dubois", "rossi", "kim", "silva", "novak", "khan"]
)
NAME_ADJ = np.array(
    [
        "Blue",
        "Bright",
        "Urban",
        "Golden",
        "Green",
        "Happy",
        "Little",
        "Nordic",
        "Prime",
        "Royal",
        "Silver",
        "Sunny",
        "Swift",
        "True",
        "Wild",
        "Zen",
    ]
)
NAME_NOUN = np.array(
    [
        "Bakery",
        "Beauty",
        "Bikes",
        "Books",
        "Coffee",
        "Cosmetics",
        "Fitness",
        "Games",
        "Garden",
        "Home",
        "Kitchen",
        "Outdoors",
        "Pets",
        "Shoes",
        "Studio",
        "Tech",
        "Toys",
        "Travel",
    ]
)
NAME_SUFFIX = np.array(["Co", "Ltd", "Inc", "GmbH", "Shop", "Store", "Labs", "Brands"])

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
EPOCH = date(1970, 1, 1)


# ---------------------------------------------------------------------------------------------
# Context and helpers
# ---------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    """Run-wide settings, the DuckDB connection and the row counts written so far."""

    out_dir: Path
    accounts: int
    days: int
    seed: int
    end_date: date
    con: duckdb.DuckDBPyConnection
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def end(self) -> int:
        """Last day of the window, as days since 1970-01-01."""
        return (self.end_date - EPOCH).days

    @property
    def start(self) -> int:
        """First day of the window, as days since 1970-01-01."""
        return self.end - self.days + 1

    @property
    def end_us(self) -> int:
        """Exclusive end of the window (midnight after end_date) in microseconds."""
        return (self.end + 1) * DAY_US

    def rng(self, stream: str) -> np.random.Generator:
        """An independent, reproducible random stream per source."""
        key = [self.seed] + [ord(c) for c in stream]
        return np.random.default_rng(key)


def _day_to_date(d: int) -> date:
    """Day number (days since 1970-01-01) to a date."""
    return EPOCH + timedelta(days=int(d))


def _ids(prefix: str, n: np.ndarray, width: int) -> np.ndarray:
    """Vectorised `prefix + zero-padded n` (numpy string ufuncs)."""
    digits = np.asarray(n).astype(np.int64).astype(str)
    if digits.size == 0:
        return digits
    return np.strings.add(prefix, np.strings.zfill(digits, width))


def _date_arr(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Arrow date32 array from day numbers (days since 1970-01-01); `null` masks values."""
    return pa.array(np.asarray(days).astype(np.int32), type=pa.date32(), mask=null)


def _ts_arr(us: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Arrow timestamp[us] array from microseconds since the epoch; `null` masks values."""
    return pa.array(np.asarray(us).astype(np.int64), type=pa.timestamp("us"), mask=null)


def _prepare_folder(ctx: _Ctx, source: str) -> Path:
    """Create the source folder (prepare_target has made sure it holds no file of ours)."""
    folder = ctx.out_dir / source
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _copy(
    ctx: _Ctx,
    source: str,
    select_sql: str,
    part: int = 0,
    con: duckdb.DuckDBPyConnection | None = None,
) -> int:
    """Write `select_sql` as `SOURCE/part-NNNN.parquet`, cast to the contract; return rows.

    Adds the rows to `ctx.counts` unless another connection (`con`, e.g. a cursor used from
    a worker thread) is given: then the caller counts.
    """
    cols = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in CONTRACT[source])
    path = ctx.out_dir / source / f"part-{part:04d}.parquet"
    target = str(path).replace("'", "''")
    sql = f"COPY (SELECT {cols} FROM ({select_sql})) TO '{target}' (FORMAT parquet)"
    n = int((con or ctx.con).execute(sql).fetchone()[0])
    written = pq.read_schema(path)
    expected = LANDING_SCHEMAS[source]
    if [(f.name, f.type) for f in written] != [(f.name, f.type) for f in expected]:
        raise AssertionError(f"{path} does not match the landing contract:\n{written}")
    if con is None:
        ctx.counts[source] = ctx.counts.get(source, 0) + n
    return n


def _write_arrow(
    ctx: _Ctx, source: str, table: pa.Table, select_sql: str = "SELECT * FROM src"
) -> int:
    """Write an Arrow table (registered as `src`) through `select_sql` into one part file."""
    _prepare_folder(ctx, source)
    ctx.con.register("src", table)
    try:
        return _copy(ctx, source, select_sql)
    finally:
        ctx.con.unregister("src")


def _acc_id_sql(col: str) -> str:
    """SQL turning account number column `col` into `acc_000001`-style ids."""
    return f"'acc_' || lpad(CAST({col} AS VARCHAR), 6, '0')"


# ---------------------------------------------------------------------------------------------
# accounts
# ---------------------------------------------------------------------------------------------


def gen_accounts(ctx: _Ctx) -> pd.DataFrame:
    """Accounts and their hidden spend profile; writes `accounts`.

    Shapes: ids `acc_000001`...; countries mostly US/GB/DE/FR (also IT, ES, CA, AU, BR, JP);
    `ads_manager_created_on` 25% up to 400 days before the window, the rest spread over it;
    ~60% join TikTok One, mostly 1-8 months after creation (some at once, some right at the
    end, some before the window), the rest never (null); ~70% first-time advertisers; business
    profile null for ~15%, else 0-5 days (sometimes up to 60) after creation; ~15% managed, half
    of them through an agency. The returned frame also carries the spend profile (segment,
    level, active span, slots, TikTok One creative share) used by `gen_ad_spend`.
    """
    rng = ctx.rng("accounts")
    n = ctx.accounts
    a = np.arange(1, n + 1, dtype=np.int64)
    country = rng.choice(COUNTRIES, size=n, p=COUNTRY_WEIGHTS)
    currency = np.full(n, "USD", dtype="<U3")
    for cc, cur in CURRENCY_BY_COUNTRY.items():
        currency[country == cc] = cur

    before = rng.random(n) < 0.25
    in_window_span = max(1, ctx.days - 14)
    created = np.where(
        before,
        ctx.start - rng.integers(1, 401, n),
        ctx.start + rng.integers(0, in_window_span, n),
    )

    joins = rng.random(n) < 0.60
    quick = rng.random(n) < 0.15
    lag = np.where(quick, rng.integers(0, 11, n), rng.integers(30, 241, n))
    joined = created + lag
    too_late = joined > ctx.end
    joined = np.where(
        too_late, created + (rng.random(n) * (ctx.end - created + 1)).astype(np.int64), joined
    )

    first_time = rng.random(n) < 0.70
    bp_lag = np.where(rng.random(n) < 0.85, rng.integers(0, 6, n), rng.integers(6, 61, n))
    bp = created + bp_lag
    bp_null = (rng.random(n) < 0.15) | (bp > ctx.end)

    managed = rng.random(n) < 0.15
    n_agencies = max(5, n // 400)
    agency = rng.integers(1, n_agencies + 1, n)
    agency_null = ~managed | (rng.random(n) < 0.5)

    name = np.strings.add(
        np.strings.add(rng.choice(NAME_ADJ, n), " "),
        np.strings.add(np.strings.add(rng.choice(NAME_NOUN, n), " "), rng.choice(NAME_SUFFIX, n)),
    )

    # --- hidden spend profile -----------------------------------------------------------
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_WEIGHTS)
    cls = np.where(
        managed,
        rng.choice(4, size=n, p=SPEND_CLASS_WEIGHTS_MANAGED),
        rng.choice(4, size=n, p=SPEND_CLASS_WEIGHTS),
    )
    lo = np.array([c[0] for c in SPEND_CLASSES])[cls]
    hi = np.array([c[1] for c in SPEND_CLASSES])[cls]
    base = np.exp(np.log(lo) + rng.random(n) * (np.log(hi) - np.log(lo)))
    osc_thr = np.array(TIER_THRESHOLDS_USD, dtype=float)[rng.choice(3, size=n, p=[0.5, 0.35, 0.15])]
    is_osc = seg == SEGMENTS.index("oscillating")
    base = np.where(is_osc, osc_thr / 30.0 * rng.uniform(0.97, 1.25, n), base)
    cls = np.where(is_osc, np.searchsorted(TIER_THRESHOLDS_USD, osc_thr) + 1, cls)

    r = rng.random(n)
    start_lag = np.where(
        r < 0.6,
        rng.integers(0, 8, n),
        np.where(r < 0.9, rng.integers(8, 46, n), rng.integers(46, 201, n)),
    )
    s_idx = np.maximum(created + start_lag, ctx.start)
    e_idx = np.full(n, ctx.end, dtype=np.int64)
    churn = seg == SEGMENTS.index("churning")
    span = np.maximum(e_idx - s_idx, 0)
    e_idx = np.where(
        churn, s_idx + 20 + (rng.random(n) * np.maximum(span - 20, 0)).astype(np.int64), e_idx
    )
    active = (seg != SEGMENTS.index("inactive")) & (s_idx <= ctx.end)

    gap_p = np.select(
        [seg == SEGMENTS.index("gappy"), seg == SEGMENTS.index("spiky"), is_osc],
        [rng.uniform(0.2, 0.4, n), np.full(n, 0.05), np.zeros(n)],
        rng.uniform(0.0, 0.03, n),
    )
    week_gap_p = np.where(seg == SEGMENTS.index("gappy"), rng.uniform(0.1, 0.25, n), 0.0)
    n_slots = rng.choice(np.arange(1, MAX_SLOTS + 1), size=n, p=[0.45, 0.35, 0.15, 0.05])
    t1_share = np.where(is_osc, 1.0, rng.uniform(0.5, 1.0, n))

    df = pd.DataFrame(
        {
            "a": a,
            "account_name": name,
            "country_code": country,
            "currency": currency,
            "created": created,
            "joined": np.where(joins, joined, -1),
            "first_time": first_time,
            "bp": np.where(bp_null, -1, bp),
            "managed": managed,
            "agency": np.where(agency_null, -1, agency),
            "seg": seg,
            "cls": cls,
            "base": base,
            "osc_amp": rng.uniform(0.25, 0.5, n),
            "osc_period": rng.uniform(40.0, 160.0, n),
            "osc_phase": rng.uniform(0.0, 160.0, n),
            "s_idx": s_idx,
            "e_idx": e_idx,
            "active": active,
            "gap_p": gap_p,
            "week_gap_p": week_gap_p,
            "n_slots": n_slots,
            "t1_share": t1_share,
            "cr_life": rng.integers(7, 31, n),
            "cp_life": rng.integers(60, 181, n),
        }
    )

    table = pa.table(
        {
            "a": pa.array(a),
            "account_name": pa.array(name),
            "country_code": pa.array(country),
            "ads_manager_created_on": _date_arr(created),
            "tiktok_one_joined_on": _date_arr(joined, ~joins),
            "is_first_time_advertiser": pa.array(first_time),
            "business_profile_completed_on": _date_arr(bp, bp_null),
            "is_managed": pa.array(managed),
            "agency": pa.array(agency, mask=agency_null),
        }
    )
    _write_arrow(
        ctx,
        "accounts",
        table,
        f"SELECT {_acc_id_sql('a')} AS account_id, *, "
        "'agy_' || lpad(CAST(agency AS VARCHAR), 3, '0') AS agency_id FROM src ORDER BY a",
    )
    return df


# ---------------------------------------------------------------------------------------------
# fx_rates
# ---------------------------------------------------------------------------------------------


def gen_fx_rates(ctx: _Ctx) -> None:
    """EUR and GBP `usd_per_unit` from 40 days before the window to its end; writes `fx_rates`.

    Shapes: a small random walk around 1.08 (EUR) / 1.27 (GBP); about half of the weekend
    days are missing, so "the latest rate on or before the day" matters. Also creates the
    DuckDB table `fx_dense(currency, d, rate)` (forward-filled, every day) for internal use.
    """
    rng = ctx.rng("fx_rates")
    days = np.arange(ctx.start - 40, ctx.end + 1, dtype=np.int64)
    dow = (days + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    frames = []
    for cur, base in FX_BASE_USD_PER_UNIT.items():
        walk = np.cumsum(rng.normal(0.0, 0.003, days.size))
        walk -= np.linspace(0.0, walk[-1], days.size) * 0.5  # keep it near its base
        rate = np.round(base * np.exp(walk), 6)
        keep = (dow < 5) | (rng.random(days.size) < 0.5)
        keep[0] = True
        # Forward-fill the skipped days for the internal dense table.
        last = np.maximum.accumulate(np.where(keep, np.arange(days.size), 0))
        frames.append(
            pd.DataFrame({"currency": cur, "d": days, "rate": rate[last], "published": keep})
        )
    dense = pd.concat(frames, ignore_index=True)
    ctx.con.register("fx_df", dense)
    ctx.con.execute(
        "CREATE OR REPLACE TABLE fx_dense AS SELECT currency, CAST(d AS INTEGER) AS d, rate "
        "FROM fx_df"
    )
    ctx.con.unregister("fx_df")
    pub = dense[dense["published"]]
    table = pa.table(
        {
            "currency": pa.array(pub["currency"].to_numpy()),
            "rate_date": _date_arr(pub["d"].to_numpy()),
            "usd_per_unit": pa.array(pub["rate"].to_numpy()),
        }
    )
    _write_arrow(ctx, "fx_rates", table, "SELECT * FROM src ORDER BY currency, rate_date")


# ---------------------------------------------------------------------------------------------
# ad_spend
# ---------------------------------------------------------------------------------------------


def _bits(h: str, shift: int) -> str:
    """SQL: 16 bits of hash expression `h` starting at bit `shift`, as an integer in [0, 65536)."""
    return f"CAST(({h} >> {shift}) & 65535 AS INTEGER)"


CAMPAIGN_TYPES: tuple[str, ...] = (*SPEND_MATCH_ELIGIBLE_CAMPAIGN_TYPES, "topview")
SPEND_CURRENCIES: tuple[str, ...] = ("EUR", "GBP", "USD")  # sorted: index = `cur` code
ACC_NUM_SQL = "lpad(CAST(a AS VARCHAR), 6, '0')"
_P16 = 65536.0


def _spend_rows_sql(ctx: _Ctx) -> str:
    """SQL for the compact spend rows of the whole window, one per (account, day, slot).

    Columns: a, d (day number), slot, kep/cep (campaign/creative epoch), ctype (index into
    CAMPAIGN_TYPES), is_t1, cents0 (spend in cents of the account's currency), rep_s (seconds
    after midnight of the report), rs (key is restated). Every value is a pure function of
    (seed, account, day, slot); a few 64-bit hashes per row are sliced into 16-bit draws.
    """
    s, e = ctx.seed, ctx.end
    hd = f"hash({s}, a, d)"  # per account-day
    hw = f"hash({s}, a, d // 7, 2)"  # per account-week (whole gap weeks)
    h = f"hash({s}, a, d, slot)"  # per row
    hk = f"hash({s}, a, slot, kep, 3)"  # per campaign
    hc = f"hash({s}, a, slot, cep, 4)"  # per creative
    seg = {name: i for i, name in enumerate(SEGMENTS)}
    level = f"""CASE seg
        WHEN {seg["growing"]} THEN base * (0.2 + 2.8 * (d - s_idx) / greatest(1, {e} - s_idx))
        WHEN {seg["churning"]} THEN base * least(1.0, 0.15 + (e_idx - d) / 30.0)
        WHEN {seg["oscillating"]}
            THEN base * (1 + osc_amp * sin(2 * pi() * (d + osc_phase) / osc_period))
        WHEN {seg["spiky"]} THEN base * CASE WHEN {_bits("hd", 16)} < {0.05 * _P16}
                                THEN 6 + 20 * {_bits("hd", 32)} / {_P16} ELSE 0.8 END
        ELSE base END"""
    eligible_types = len(SPEND_MATCH_ELIGIBLE_CAMPAIGN_TYPES)
    return f"""
    WITH ad AS (
        SELECT *, CAST(unnest(range(s_idx, e_idx + 1)) AS INTEGER) AS d FROM acc_spend
    ), dh AS (
        SELECT *, {hd} AS hd FROM ad
    ), act AS (
        SELECT *, {level} AS lvl FROM dh
        WHERE {_bits("hd", 0)} >= gap_p * {_P16}
          AND (week_gap_p = 0 OR {_bits(hw, 0)} >= week_gap_p * {_P16})
    ), sl AS (
        SELECT *, CAST(unnest(range(n_slots)) AS INTEGER) AS slot FROM act
    ), r0 AS (
        SELECT *, {h} AS h FROM sl
    ), r1 AS (
        SELECT a, cur, d, slot, h, joined, t1_share,
            (d + (cp_ph + 53 * slot) % cp_life) // cp_life AS kep,
            (d + (cr_ph + 11 * slot) % cr_life) // cr_life AS cep,
            (d + (cr_ph + 11 * slot) % cr_life) // cr_life * cr_life
                - (cr_ph + 11 * slot) % cr_life AS cr_start,
            greatest(1, round(lvl * (0.75 + 0.5 * {_bits("h", 16)} / {_P16})
                 * (0.5 + (w_ph + 0.618034 * slot) % 1.0)
                 / (1 + {EXTRA_SLOT_ACTIVE_P} * (n_slots - 1)) / rate0 * 100)) AS cents0
        FROM r0
        WHERE slot = 0 OR {_bits("h", 0)} < {EXTRA_SLOT_ACTIVE_P * _P16}
    )
    SELECT CAST(a AS INTEGER) AS a, CAST(cur AS TINYINT) AS cur, d, CAST(slot AS TINYINT) AS slot,
        CAST(kep AS INTEGER) AS kep, CAST(cep AS INTEGER) AS cep,
        CAST(CASE WHEN {_bits(hk, 0)} < {0.05 * _P16} THEN {eligible_types}
                  ELSE [0, 0, 1, 2, 3][1 + {_bits(hk, 16)} % 5] END AS TINYINT) AS ctype,
        {_bits(hc, 0)} / {_P16} < CASE WHEN cr_start >= joined
            THEN t1_share * least(1.0, 0.5 + (cr_start - joined) / 60.0) ELSE 0.03 END AS is_t1,
        CAST(cents0 AS INTEGER) AS cents0,
        CAST(7200 + {_bits("h", 32)} % 43200 AS INTEGER) AS rep_s,
        {_bits("h", 48)} < {RESTATED_P * _P16} AS rs
    FROM r1
    """


def _restated_sql(ctx: _Ctx) -> str:
    """SQL for the restated keys: the spend rows with `rs`, their re-send lags and amounts.

    `has1`/`has2`: the first/second re-send has arrived by the day after the window end;
    `eff_cents` is the amount of the latest one that has.
    """
    s, e = ctx.seed, ctx.end
    h2 = f"hash({s}, a, d, slot, 1)"
    return f"""
    WITH r AS (SELECT *, {h2} AS h2 FROM spend_rows WHERE rs
    ), l AS (
        SELECT *,
            2 + CAST(h2 & 255 AS INTEGER) % 20 AS lag1,
            3 + CAST(h2 & 255 AS INTEGER) % 20 + CAST((h2 >> 8) & 255 AS INTEGER) % 30 AS lag2,
            CAST(greatest(1, round(cents0 * (0.7 + 0.6 * {_bits("h2", 32)} / {_P16})))
                 AS INTEGER) AS cents1,
            CAST(greatest(1, round(cents0 * (0.7 + 0.6 * {_bits("h2", 48)} / {_P16})))
                 AS INTEGER) AS cents2
        FROM r
    ), f AS (
        SELECT *, d + lag1 <= {e} + 1 AS has1,
               d + lag2 <= {e} + 1 AND {_bits("h2", 16)} < {RESTATED_TWICE_P * _P16} AS has2
        FROM l
    )
    SELECT * EXCLUDE (h2),
           CASE WHEN has2 THEN cents2 WHEN has1 THEN cents1 ELSE cents0 END AS eff_cents
    FROM f WHERE has1
    """


def _spend_out_sql(cents: str, rep_days: str) -> str:
    """SQL select list mapping spend rows (with `acc_num`) onto the `ad_spend` contract.

    Everything is computed from the row itself (no join), so the output keeps the row order.
    """
    types = ", ".join(f"'{t}'" for t in CAMPAIGN_TYPES)
    curs = ", ".join(f"'{c}'" for c in SPEND_CURRENCIES)
    return f"""'acc_' || acc_num AS account_id, DATE '1970-01-01' + d AS spend_date,
        'cmp_' || acc_num || '_' || CAST(slot * 1000 + kep % 1000 AS VARCHAR) AS campaign_id,
        [{types}][ctype + 1] AS campaign_type,
        'cr_' || acc_num || '_' || CAST(slot * 10000 + cep % 10000 AS VARCHAR) AS creative_id,
        is_t1 AS is_tiktok_one_creative,
        CAST({cents} / 100.0 AS DECIMAL(18,2)) AS spend, [{curs}][cur + 1] AS currency,
        make_timestamp((d + {rep_days})::BIGINT * {DAY_US} + rep_s::BIGINT * 1000000)
            AS reported_at"""


def gen_ad_spend(ctx: _Ctx, acc: pd.DataFrame) -> None:
    """Daily spend rows; writes `ad_spend` (one file per calendar quarter + a restatement file).

    Shapes: per account a segment (steady, growing, churning = stops after a 30-day taper,
    oscillating around a tier threshold's daily equivalent, spiky, gappy = many zero days and
    whole zero weeks; everyone has a few zero days), 1-4 parallel campaign/creative slots with
    campaigns lasting 2-6 months and creatives 1-4 weeks; ~5% of campaigns are TopView.
    Creatives started after `tiktok_one_joined_on` are TikTok One creatives with a share that
    ramps up over ~a month (to 50-100%); before joining ~3% are. Spend is in the account's
    currency (EUR for DE/FR/IT/ES, GBP for GB, USD otherwise); `reported_at` is the next day
    plus 2-14 h. ~2% of keys are re-sent (15% of those twice) 2-21 (up to 51) days later with a
    spend corrected by -30%..+30%, in the last file; re-sends arriving after the day following
    the window end are left out.

    Leaves the DuckDB tables `acc_spend` (per-account profile), `spend_rows` (compact rows),
    `spend_restated` (restated keys) and `spend_month(a, month_start, cents, elig_cents)`: each
    account-month's effective (restated) spend in cents of its currency, in total and on
    spend-match-eligible campaign types.
    """
    _prepare_folder(ctx, "ad_spend")
    rng = ctx.rng("ad_spend")
    act = acc[acc["active"]]
    n = len(act)
    rate0 = act["currency"].map({**FX_BASE_USD_PER_UNIT, "USD": 1.0}).to_numpy()
    cols: dict[str, np.ndarray] = {
        "a": act["a"].to_numpy(),
        "currency": act["currency"].to_numpy(),
        "cur": np.searchsorted(SPEND_CURRENCIES, act["currency"].to_numpy()),
        "rate0": rate0,
        "joined": np.where(act["joined"] < 0, 10**7, act["joined"]),
        "cp_ph": rng.integers(0, 1000, n),
        "cr_ph": rng.integers(0, 1000, n),
        "w_ph": rng.random(n),
    }
    for c in (
        "seg",
        "base",
        "osc_amp",
        "osc_period",
        "osc_phase",
        "s_idx",
        "e_idx",
        "gap_p",
        "week_gap_p",
        "n_slots",
        "t1_share",
        "cr_life",
        "cp_life",
    ):
        cols[c] = act[c].to_numpy()
    table = pa.table(
        {k: pa.array(v.astype(np.int32) if v.dtype.kind == "i" else v) for k, v in cols.items()}
    )
    con = ctx.con
    con.register("acc_spend_arrow", table)
    con.execute("CREATE OR REPLACE TABLE acc_spend AS SELECT * FROM acc_spend_arrow ORDER BY a")
    con.unregister("acc_spend_arrow")
    con.execute(f"CREATE OR REPLACE TABLE spend_rows AS {_spend_rows_sql(ctx)}")
    con.execute(f"CREATE OR REPLACE TABLE spend_restated AS {_restated_sql(ctx)}")

    # One file per calendar quarter of spend_date (the original reports). Each file is written
    # by one thread (in parallel, DuckDB's Parquet row-group boundaries depend on timing and the
    # files would differ byte-wise from run to run); files are written side by side instead.
    quarters: list[tuple[int, int]] = []
    q_start = ctx.start
    while q_start <= ctx.end:
        sd = _day_to_date(q_start)
        q_month = 3 * ((sd.month - 1) // 3) + 1
        nxt = date(sd.year + (q_month + 2) // 12, (q_month + 2) % 12 + 1, 1)
        q_end = min((nxt - EPOCH).days - 1, ctx.end)
        quarters.append((q_start, q_end))
        q_start = q_end + 1

    def write_quarter(part: int) -> int:
        q0, q1 = quarters[part]
        sql = f"""SELECT {_spend_out_sql("cents0", "1")}
                  FROM (SELECT *, {ACC_NUM_SQL} AS acc_num FROM spend_rows
                        WHERE d BETWEEN {q0} AND {q1})"""
        with con.cursor() as cur:
            return _copy(ctx, "ad_spend", sql, part, con=cur)

    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    con.execute("SET threads = 1")
    try:
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            written = list(pool.map(write_quarter, range(len(quarters))))
    finally:
        con.execute(f"SET threads = {threads}")
    ctx.counts["ad_spend"] = sum(written)
    part = len(quarters)

    # Restatements: the corrected re-sends, in a file of their own.
    out = _spend_out_sql(
        "CASE WHEN k = 1 THEN cents1 ELSE cents2 END", "CASE WHEN k = 1 THEN lag1 ELSE lag2 END"
    )
    _copy(
        ctx,
        "ad_spend",
        f"""SELECT {out}
            FROM (SELECT *, {ACC_NUM_SQL} AS acc_num,
                         unnest(CASE WHEN has2 THEN [1, 2] ELSE [1] END) AS k
                  FROM spend_restated)
            ORDER BY a, d, slot, k""",
        part,
    )

    n_elig = len(SPEND_MATCH_ELIGIBLE_CAMPAIGN_TYPES)
    con.execute(
        f"""CREATE OR REPLACE TABLE spend_month AS
        WITH x AS (
            SELECT a, d, ctype, cents0 AS cents FROM spend_rows
            UNION ALL
            SELECT a, d, ctype, eff_cents - cents0 FROM spend_restated
        )
        SELECT a, CAST(date_trunc('month', DATE '1970-01-01' + d) AS DATE) AS month_start,
               sum(cents) AS cents,
               coalesce(sum(cents) FILTER (WHERE ctype < {n_elig}), 0) AS elig_cents
        FROM x GROUP BY ALL"""
    )


def _account_offers(acc: pd.DataFrame) -> pd.DataFrame:
    """Each account's spend-match offer and eligibility (RULES.md section 6), one row per account.

    Columns: a, offer_id (None: no offer), threshold_usd, amount_cents, validity_us, sla_us,
    eligible (offer + first-time advertiser + business profile completed).
    """
    offers = pd.DataFrame(
        {
            "country_code": [o.country_code for o in SPEND_MATCH_OFFERS],
            "offer_id": [o.offer_id for o in SPEND_MATCH_OFFERS],
            "lo": [(o.valid_from - EPOCH).days for o in SPEND_MATCH_OFFERS],
            "hi": [(o.valid_to - EPOCH).days for o in SPEND_MATCH_OFFERS],
            "threshold_usd": [o.spend_threshold_usd for o in SPEND_MATCH_OFFERS],
            "amount_cents": [round(100 * o.credit_amount_usd) for o in SPEND_MATCH_OFFERS],
            "validity_us": [o.credit_validity_days * DAY_US for o in SPEND_MATCH_OFFERS],
            "sla_us": [o.processing_sla_hours * HOUR_US for o in SPEND_MATCH_OFFERS],
        }
    )
    m = acc[["a", "country_code", "created", "first_time", "bp"]].merge(offers, on="country_code")
    m = m[(m["created"] >= m["lo"]) & (m["created"] <= m["hi"])]
    m = m.sort_values(["a", "lo"], kind="stable").drop_duplicates("a")
    out = acc[["a"]].merge(
        m.drop(columns=["country_code", "created", "lo", "hi"]), on="a", how="left"
    )
    out["eligible"] = out["offer_id"].notna() & out["first_time"].eq(True) & (out["bp"] >= 0)
    return out.drop(columns=["first_time", "bp"])


def _spend_match_crossings(ctx: _Ctx, acc: pd.DataFrame) -> pd.DataFrame:
    """Spend-match offer per account and the day its eligible USD spend crossed the threshold.

    Returns `_account_offers` plus `cross_day` (-1: not eligible or never crossed). A lower
    bound of the crossing month comes from `spend_month` at each month's lowest rate; the exact
    day from the daily spend up to the end of that month at each day's rate.
    """
    offers = _account_offers(acc)
    el = offers[offers["eligible"]]
    n_elig = len(SPEND_MATCH_ELIGIBLE_CAMPAIGN_TYPES)
    con = ctx.con
    con.register(
        "elig_arrow",
        pa.table({"a": pa.array(el["a"].to_numpy()), "thr": pa.array(el["threshold_usd"])}),
    )
    month_cum = """sum(elig_cents * coalesce(r.rate, 1.0) / 100.0)
                   OVER (PARTITION BY a ORDER BY month_start)"""
    cross = con.execute(
        f"""
        WITH ea AS (SELECT a, currency, thr FROM acc_spend JOIN elig_arrow USING (a)),
        min_rate AS (
            SELECT currency, CAST(date_trunc('month', DATE '1970-01-01' + d) AS DATE)
                       AS month_start, min(rate) AS rate
            FROM fx_dense GROUP BY ALL
        ),
        bound AS (
            SELECT a, CAST(min(month_start) + INTERVAL 1 MONTH AS DATE)
                       - DATE '1970-01-01' - 1 AS hi
            FROM (SELECT a, thr, month_start, {month_cum} AS cum
                  FROM spend_month JOIN ea USING (a)
                  LEFT JOIN min_rate r USING (currency, month_start))
            WHERE cum >= thr GROUP BY a
        ),
        x AS (
            SELECT s.a, s.d, s.cents0 AS cents FROM spend_rows s JOIN bound b USING (a)
            WHERE s.d <= b.hi AND s.ctype < {n_elig}
            UNION ALL
            SELECT s.a, s.d, s.eff_cents - s.cents0 FROM spend_restated s JOIN bound b USING (a)
            WHERE s.d <= b.hi AND s.ctype < {n_elig}
        ),
        daily AS (
            SELECT x.a, x.d, any_value(ea.thr) AS thr,
                   sum(x.cents) * coalesce(any_value(f.rate), 1.0) / 100.0 AS usd
            FROM x JOIN ea USING (a)
            LEFT JOIN fx_dense f ON f.currency = ea.currency AND f.d = x.d
            GROUP BY x.a, x.d
        )
        SELECT a, min(d) AS cross_day FROM (
            SELECT a, d, thr, sum(usd) OVER (PARTITION BY a ORDER BY d) AS cum FROM daily
        ) WHERE cum >= thr GROUP BY a ORDER BY a
        """
    ).df()
    con.unregister("elig_arrow")
    out = offers.merge(cross, on="a", how="left")
    out["cross_day"] = out["cross_day"].fillna(-1).astype(np.int64)
    return out


# ---------------------------------------------------------------------------------------------
# payment_methods
# ---------------------------------------------------------------------------------------------


def gen_payment_methods(ctx: _Ctx, acc: pd.DataFrame, cross: pd.DataFrame) -> pd.DataFrame:
    """Payment methods; writes `payment_methods`, returns (a, linked_us, removed_us or -1).

    Shapes: ~80% link within 3 days of creation; ~7% link late (1-30 days after their
    spend-match threshold was crossed, or 20-120 days after creation); ~8% never link; ~5%
    remove their method after 10-200 days and (mostly) add another 1-40 days later; ~3% add
    a second method alongside the first. Events after the window end are not written.
    """
    rng = ctx.rng("payment_methods")
    n = len(acc)
    a = acc["a"].to_numpy()
    created_us = acc["created"].to_numpy() * DAY_US
    cross_day = cross["cross_day"].to_numpy()
    r = rng.random(n)
    normal = r < 0.80
    late = (r >= 0.80) & (r < 0.87)
    swap = (r >= 0.92) & (r < 0.97)
    extra = rng.random(n) < 0.03

    first_link = created_us + (rng.random(n) * 3 * DAY_US).astype(np.int64)
    late_link = np.where(
        cross_day >= 0,
        (cross_day + 1) * DAY_US + rng.integers(1, 31, n) * DAY_US,
        created_us + rng.integers(20, 121, n) * DAY_US,
    ) + rng.integers(0, DAY_US, n)
    link1 = np.where(late, late_link, first_link)
    has1 = normal | late | swap
    removed1 = np.where(
        swap, link1 + rng.integers(10, 201, n) * DAY_US + rng.integers(0, DAY_US, n), -1
    )
    readd = swap & (rng.random(n) < 0.8)
    link2 = np.where(
        readd, removed1 + rng.integers(1, 41, n) * DAY_US, link1 + rng.integers(5, 300, n) * DAY_US
    )
    has2 = readd | (extra & has1)

    pm = pd.DataFrame(
        {
            "a": np.concatenate([a[has1], a[has2]]),
            "linked_us": np.concatenate([link1[has1], link2[has2]]),
            "removed_us": np.concatenate([removed1[has1], np.full(int(has2.sum()), -1)]),
        }
    )
    pm = pm[pm["linked_us"] < ctx.end_us].copy()
    pm.loc[pm["removed_us"] >= ctx.end_us, "removed_us"] = -1
    pm = pm.sort_values(["linked_us", "a"], kind="stable").reset_index(drop=True)
    table = pa.table(
        {
            "pm": pa.array(np.arange(1, len(pm) + 1)),
            "a": pa.array(pm["a"].to_numpy()),
            "linked_at": _ts_arr(pm["linked_us"].to_numpy()),
            "removed_at": _ts_arr(pm["removed_us"].to_numpy(), pm["removed_us"].to_numpy() < 0),
        }
    )
    _write_arrow(
        ctx,
        "payment_methods",
        table,
        f"SELECT 'pm_' || lpad(CAST(pm AS VARCHAR), 7, '0') AS payment_method_id, "
        f"{_acc_id_sql('a')} AS account_id, linked_at, removed_at FROM src",
    )
    return pm


def _pm_active_at(pm: pd.DataFrame, a: np.ndarray, t_us: np.ndarray) -> np.ndarray:
    """Vectorised: does account a[i] have a linked payment method at moment t_us[i]?"""
    q = pd.DataFrame({"i": np.arange(a.size), "a": a, "t": t_us})
    m = q.merge(pm, on="a", how="inner")
    ok = (m["linked_us"] <= m["t"]) & ((m["removed_us"] < 0) | (m["removed_us"] > m["t"]))
    hit = np.zeros(a.size, dtype=bool)
    hit[m.loc[ok, "i"].to_numpy()] = True
    return hit


# ---------------------------------------------------------------------------------------------
# billing: spend-match part
# ---------------------------------------------------------------------------------------------


def _billing_spend_match(
    ctx: _Ctx, acc: pd.DataFrame, cross: pd.DataFrame, pm: pd.DataFrame
) -> pd.DataFrame:
    """Spend-match credits as billing recorded them (written later by `gen_billing_credits`).

    Shapes: for eligible accounts whose threshold was crossed and that have a trigger
    (payment method on file, RULES.md section 6): ~85% issued 5 min to SLA-1 h after the
    trigger, ~7% late (SLA+1 h to SLA+10 days), ~2% early (1 h-3 days before the trigger),
    ~6% missing. ~2% of the records (at least 2) are duplicated 1 h-5 days later, as many
    have a wrong amount and as many a wrong expiry. ~1% of the accounts with an offer that
    are not eligible or never crossed get a credit anyway (unexpected). Credits not issued by
    the window end are not recorded (so triggers in the last SLA hours are pending).
    """
    rng = ctx.rng("billing_spend_match")
    crossed = cross[cross["eligible"] & (cross["cross_day"] >= 0)]
    cand = pd.DataFrame(
        {"a": crossed["a"].to_numpy(), "t": (crossed["cross_day"].to_numpy() + 1) * DAY_US}
    )
    m = cand.merge(pm, on="a", how="inner")
    m["cand"] = np.maximum(m["t"], m["linked_us"])
    m = m[(m["removed_us"] < 0) | (m["removed_us"] > m["cand"])]
    trig = m.groupby("a", as_index=False)["cand"].min().rename(columns={"cand": "trigger"})
    trig = trig.sort_values("a").merge(cross, on="a").reset_index(drop=True)
    k = len(trig)
    t0 = trig["trigger"].to_numpy()
    sla = trig["sla_us"].to_numpy().astype(np.int64)
    r = rng.random(k)
    ontime = t0 + (5 * 60_000_000 + rng.random(k) * (sla - HOUR_US - 5 * 60_000_000)).astype(
        np.int64
    )
    late = t0 + sla + rng.integers(HOUR_US, 10 * DAY_US, k)
    early = t0 - rng.integers(HOUR_US, 3 * DAY_US, k)
    issued = np.select([r < 0.07, r < 0.09], [late, early], ontime)
    keep = ~((r >= 0.09) & (r < 0.15))  # ~6% missing
    sm = trig.assign(issued=issued)[keep]

    # Unexpected: accounts with an offer that are not eligible or never crossed.
    not_due = cross[cross["offer_id"].notna() & ~(cross["eligible"] & (cross["cross_day"] >= 0))]
    not_due = not_due.merge(acc[["a", "created"]], on="a")
    n_unexp = min(max(3, int(0.01 * len(not_due))), len(not_due))
    ue = not_due.iloc[np.sort(rng.choice(len(not_due), size=n_unexp, replace=False))]
    lo_us = np.maximum(ue["created"].to_numpy(), ctx.start) * DAY_US
    ue = ue.assign(
        issued=lo_us + (rng.random(len(ue)) * np.maximum(ctx.end_us - lo_us, 1)).astype(np.int64)
    )
    sm = pd.concat([sm, ue], ignore_index=True)

    def some(n: int) -> np.ndarray:
        """A mask of ~2% (at least 2) of n rows."""
        mask = np.zeros(n, dtype=bool)
        mask[rng.choice(n, size=min(n, max(2, round(0.02 * n))), replace=False)] = True
        return mask

    # Duplicates.
    dup = sm[some(len(sm))]
    dup = dup.assign(issued=dup["issued"] + rng.integers(HOUR_US, 5 * DAY_US, len(dup)))
    sm = pd.concat([sm, dup], ignore_index=True)

    n = len(sm)
    amount = sm["amount_cents"].to_numpy().astype(np.int64)
    wrong_amount = rng.choice([-45000, -25000, 50], n)  # $50 or $250 instead of $500, or +$0.50
    sm["amount_cents"] = np.where(some(n), amount + wrong_amount, amount)
    validity = sm["validity_us"].to_numpy().astype(np.int64)
    wrong_validity = rng.choice([14, 60, 90], n) * DAY_US
    sm["expires"] = sm["issued"] + np.where(some(n), wrong_validity, validity)
    sm["source_ref"] = sm["offer_id"]
    sm["credit_source"] = "spend_match"
    sm["currency"] = "USD"
    sm = sm[sm["issued"] < ctx.end_us]
    return sm[["a", "credit_source", "source_ref", "amount_cents", "currency", "issued", "expires"]]


# ---------------------------------------------------------------------------------------------
# coupons
# ---------------------------------------------------------------------------------------------


def gen_coupon_codes(ctx: _Ctx) -> pd.DataFrame:
    """Coupon codes; writes `coupon_codes`.

    Shapes: max(40, accounts/50) codes like `SPRING-7KX2Q`; credit 50-500 mostly USD (~10%
    EUR); `redeem_by` spread from early in the window to 4 months after it (about a third
    already passed at the end); validity 14-60 days; 70% single-use, 20% 5 uses, 10% 100 uses.
    """
    rng = ctx.rng("coupon_codes")
    n = max(40, ctx.accounts // 50)
    prefixes = np.array(
        ["WELCOME", "SPRING", "SUMMER", "BFCM", "PARTNER", "WEBINAR", "SMB", "BOOST"]
    )
    alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
    body = alphabet[rng.integers(0, alphabet.size, (n, 5))]
    body = np.ascontiguousarray(body).view("<U5").ravel()
    code = np.strings.add(np.strings.add(rng.choice(prefixes, n), "-"), body)
    # Ensure uniqueness deterministically by suffixing the index where needed.
    _, first = np.unique(code, return_index=True)
    dup = np.ones(n, dtype=bool)
    dup[first] = False
    code = np.where(dup, np.strings.add(code, np.arange(n).astype(str)), code)

    credit = rng.choice([50, 75, 100, 150, 200, 250, 300, 400, 500], n) * 100
    currency = np.where(rng.random(n) < 0.1, "EUR", "USD")
    redeem_by_day = ctx.start + (rng.uniform(0.4, 1.6, n) * ctx.days).astype(np.int64)
    redeem_by = redeem_by_day * DAY_US + DAY_US - 1_000_000  # 23:59:59
    validity = rng.integers(14, 61, n)
    max_red = rng.choice([1, 5, 100], n, p=[0.7, 0.2, 0.1])
    popularity = rng.permutation(1.0 / np.arange(1, n + 1) ** 0.8)
    codes = pd.DataFrame(
        {
            "code": code,
            "credit_cents": credit,
            "currency": currency,
            "redeem_by": redeem_by,
            "validity": validity,
            "max_red": max_red,
            "popularity": popularity / popularity.sum(),
        }
    )
    table = pa.table(
        {
            "coupon_code": pa.array(code),
            "credit_amount": pa.array(credit / 100.0),
            "currency": pa.array(currency),
            "redeem_by": _ts_arr(redeem_by),
            "credit_validity_days": pa.array(validity),
            "max_redemptions": pa.array(max_red),
        }
    )
    _write_arrow(ctx, "coupon_codes", table)
    return codes


def gen_coupon_redemption_attempts(
    ctx: _Ctx,
    acc: pd.DataFrame,
    codes: pd.DataFrame,
    pm: pd.DataFrame,
    sm: pd.DataFrame,
) -> pd.DataFrame:
    """Redemption attempts; writes `coupon_redemption_attempts`, returns the applied ones.

    Shapes: ~20% of accounts try a code at a random time (7% of tries are unknown codes);
    ~4% try within 3 days of creating the account (often before linking a payment method or
    completing the profile); ~4% try while a spend-match credit is active; ~5% of tries are
    followed by another try of a different code 1-20 days later (blocked by the first if it
    applied); ~1% collide with another account's try of the same code at the same second.
    Popular single-use codes are tried by many accounts; some tries come after `redeem_by`.
    Outcomes follow RULES.md section 7 exactly (a vectorised fixed-point over the attempts in
    time order); the returned frame holds the `applied` attempts for billing.
    """
    rng = ctx.rng("coupon_attempts")
    n_acc = len(acc)
    created = acc["created"].to_numpy()
    n_codes = len(codes)
    lo_day = np.maximum(created, ctx.start)

    def rand_time(lo_us: np.ndarray) -> np.ndarray:
        return lo_us + (rng.random(lo_us.size) * np.maximum(ctx.end_us - lo_us, 1)).astype(np.int64)

    def pick_codes(k: int) -> np.ndarray:
        known = rng.choice(n_codes, size=k, p=codes["popularity"].to_numpy())
        return np.where(rng.random(k) < 0.07, -1 - rng.integers(0, 10, k), known)

    # (a) random tries
    ia = rng.choice(n_acc, size=int(0.2 * n_acc))
    ta = rand_time(lo_day[ia] * DAY_US)
    ca = pick_codes(ia.size)
    # (b) right after creation
    ib = rng.choice(n_acc, size=int(0.04 * n_acc))
    ib = ib[created[ib] >= ctx.start]
    tb = created[ib] * DAY_US + rng.integers(0, 3 * DAY_US, ib.size)
    cb = pick_codes(ib.size)
    # (c) while a spend-match credit is active
    smx = sm.drop_duplicates("a")
    k = min(len(smx), int(0.04 * n_acc))
    sel = np.sort(rng.choice(len(smx), size=k, replace=False)) if k else np.array([], dtype=int)
    ic = smx["a"].to_numpy()[sel] - 1
    tc = smx["issued"].to_numpy()[sel] + rng.integers(HOUR_US, 25 * DAY_US, ic.size)
    cc = pick_codes(ic.size)
    # (d) second try 1-20 days after an (a) try
    rep = rng.random(ia.size) < 0.05
    i_d = ia[rep]
    td = ta[rep] + rng.integers(DAY_US, 20 * DAY_US, i_d.size)
    cd = pick_codes(i_d.size)

    att_a = np.concatenate([ia, ib, ic, i_d]) + 1
    att_t = np.concatenate([ta, tb, tc, td])
    att_c = np.concatenate([ca, cb, cc, cd])
    # (e) same code, same second, another account
    tie = rng.random(att_a.size) < 0.01
    att_a = np.concatenate([att_a, rng.integers(1, n_acc + 1, int(tie.sum()))])
    att_t = np.concatenate([att_t, att_t[tie]])
    att_c = np.concatenate([att_c, att_c[tie]])

    att_t = (att_t // 1_000_000) * 1_000_000  # whole seconds
    keep = (att_t >= ctx.start * DAY_US) & (att_t < ctx.end_us)
    att_a, att_t, att_c = att_a[keep], att_t[keep], att_c[keep]
    order = np.lexsort((att_c, att_a, att_t))
    att_a, att_t, att_c = att_a[order], att_t[order], att_c[order]
    m = att_a.size
    idx = np.arange(m)

    code_str = np.where(
        att_c >= 0,
        codes["code"].to_numpy()[np.maximum(att_c, 0)],
        _ids("PROMO-", -att_c * 7919 % 100000, 5),
    )

    # --- outcome (RULES.md section 7), vectorised ---------------------------------------
    known = att_c >= 0
    ci = np.maximum(att_c, 0)
    expired = known & (att_t > codes["redeem_by"].to_numpy()[ci])
    base_ok = known & ~expired
    bp = acc["bp"].to_numpy()[att_a - 1]
    profile_ok = (bp >= 0) & (bp <= att_t // DAY_US)
    eligible = _pm_active_at(pm, att_a, att_t) & profile_ok
    q = pd.DataFrame({"i": idx, "a": att_a, "t": att_t})
    ms = q.merge(sm[["a", "issued", "expires"]], on="a")
    sm_block = np.zeros(m, dtype=bool)
    sm_block[ms.loc[(ms["issued"] <= ms["t"]) & (ms["t"] < ms["expires"]), "i"].to_numpy()] = True
    validity_us = codes["validity"].to_numpy()[ci] * DAY_US
    pairs = q.merge(q, on="a", suffixes=("", "_j"))
    pj_all = pairs["i_j"].to_numpy()
    pairs = pairs[
        (pj_all < pairs["i"].to_numpy())
        & (pairs["t"].to_numpy() < pairs["t_j"].to_numpy() + validity_us[pj_all])
    ]
    pi, pj = pairs["i"].to_numpy(), pairs["i_j"].to_numpy()
    by_code = np.lexsort((idx, att_c))
    code_sorted = att_c[by_code]
    group_start = np.r_[0, np.flatnonzero(np.diff(code_sorted)) + 1]
    group_id = np.cumsum(np.r_[0, np.diff(code_sorted) != 0])
    max_red = codes["max_red"].to_numpy()[ci]

    applied = np.zeros(m, dtype=bool)
    for _ in range(m + 1 if m else 0):  # fixed point over whole arrays, well before m steps
        c = applied[by_code].astype(np.int64)
        excl = np.cumsum(c) - c
        prior = np.empty(m, dtype=np.int64)
        prior[by_code] = excl - excl[group_start][group_id]
        used = prior >= max_red
        coupon_block = np.bincount(pi, weights=applied[pj], minlength=m) > 0
        new = base_ok & ~used & eligible & ~sm_block & ~coupon_block
        if np.array_equal(new, applied):
            break
        applied = new

    table = pa.table(
        {
            "n": pa.array(idx + 1),
            "a": pa.array(att_a),
            "coupon_code": pa.array(code_str),
            "attempted_at": _ts_arr(att_t),
        }
    )
    _write_arrow(
        ctx,
        "coupon_redemption_attempts",
        table,
        "SELECT 'att_' || lpad(CAST(n AS VARCHAR), 7, '0') AS attempt_id, "
        f"{_acc_id_sql('a')} AS account_id, coupon_code, attempted_at FROM src",
    )
    ap = np.flatnonzero(applied)
    return pd.DataFrame(
        {
            "a": att_a[ap],
            "credit_source": "coupon",
            "source_ref": _ids("att_", ap + 1, 7),
            "amount_cents": codes["credit_cents"].to_numpy()[ci[ap]],
            "currency": codes["currency"].to_numpy()[ci[ap]],
            "issued": att_t[ap],
            "expires": att_t[ap] + validity_us[ap],
        }
    )


# ---------------------------------------------------------------------------------------------
# managed credits
# ---------------------------------------------------------------------------------------------


def gen_managed_credit_grants(ctx: _Ctx, acc: pd.DataFrame) -> pd.DataFrame:
    """Credits granted to managed accounts; writes `managed_credit_grants`, returns billing rows.

    Shapes: each managed account gets 1-4 grants at random times in the window (after
    creation); agreement `agency` when it has an agency, else `jbp` (60%) or `ad_hoc`; ~60%
    free credits of 500-20,000, ~40% discount coupons of 5-20% capped at 100-2,000 (a fifth
    of the caps at 100-250, small enough to hit); mostly USD, ~15% in the account's EUR/GBP;
    expiry 30-90 days after the grant; `granted_by` an account manager's e-mail.
    """
    rng = ctx.rng("managed_grants")
    man = acc[acc["managed"]]
    reps = rng.integers(1, 5, len(man))
    a = np.repeat(man["a"].to_numpy(), reps)
    agency = np.repeat(man["agency"].to_numpy(), reps)
    cur_acc = np.repeat(man["currency"].to_numpy(), reps)
    lo_us = np.maximum(np.repeat(man["created"].to_numpy(), reps), ctx.start) * DAY_US
    k = a.size
    granted = lo_us + (rng.random(k) * np.maximum(ctx.end_us - lo_us, 1)).astype(np.int64)
    granted = (granted // 1_000_000) * 1_000_000
    agreement = np.where(agency >= 0, "agency", np.where(rng.random(k) < 0.6, "jbp", "ad_hoc"))
    free = rng.random(k) < 0.6
    amount = np.round(rng.uniform(500, 20000, k) / 50) * 50 * 100
    pct = np.round(rng.uniform(5, 20, k) * 2) / 2
    cap = (
        np.where(
            rng.random(k) < 0.2,
            rng.integers(100, 251, k),
            np.round(rng.uniform(250, 2000, k) / 10) * 10,
        ).astype(np.int64)
        * 100
    )
    currency = np.where(rng.random(k) < 0.15, cur_acc, "USD")
    expires = granted + rng.integers(30, 91, k) * DAY_US
    granted_by = np.strings.add(
        np.strings.add(np.strings.add(rng.choice(FIRST_NAMES, k), "."), rng.choice(LAST_NAMES, k)),
        "@am.tiktok-ads.example",
    )
    g = pd.DataFrame(
        {
            "a": a,
            "agreement": agreement,
            "free": free,
            "amount": amount,
            "pct": pct,
            "cap": cap,
            "currency": currency,
            "granted": granted,
            "expires": expires,
            "by": granted_by,
        }
    )
    g = g[g["granted"] < ctx.end_us].sort_values(["granted", "a"], kind="stable")
    g = g.reset_index(drop=True)
    g["grant_id"] = _ids("mg_", np.arange(1, len(g) + 1), 6)
    free = g["free"].to_numpy()
    table = pa.table(
        {
            "grant_id": pa.array(g["grant_id"].to_numpy()),
            "a": pa.array(g["a"].to_numpy()),
            "agreement_type": pa.array(g["agreement"].to_numpy()),
            "credit_type": pa.array(np.where(free, "free_credit", "discount_coupon")),
            "amount": pa.array(g["amount"].to_numpy() / 100.0, mask=~free),
            "discount_pct": pa.array(g["pct"].to_numpy(), mask=free),
            "max_discount_amount": pa.array(g["cap"].to_numpy() / 100.0, mask=free),
            "currency": pa.array(g["currency"].to_numpy()),
            "granted_at": _ts_arr(g["granted"].to_numpy()),
            "expires_at": _ts_arr(g["expires"].to_numpy()),
            "granted_by": pa.array(g["by"].to_numpy()),
        }
    )
    _write_arrow(
        ctx,
        "managed_credit_grants",
        table,
        f"SELECT *, {_acc_id_sql('a')} AS account_id FROM src",
    )
    return pd.DataFrame(
        {
            "a": g["a"].to_numpy(),
            "credit_source": "managed",
            "source_ref": g["grant_id"].to_numpy(),
            "amount_cents": np.where(free, g["amount"].to_numpy(), g["cap"].to_numpy()).astype(
                np.int64
            ),
            "currency": g["currency"].to_numpy(),
            "issued": g["granted"].to_numpy(),
            "expires": g["expires"].to_numpy(),
        }
    )


def gen_billing_credits(ctx: _Ctx, parts: list[pd.DataFrame]) -> None:
    """Writes `billing_credits`: spend-match, coupon and managed credits as billing recorded them.

    Credit ids `bc_00000001`... follow `issued_at` order.
    """
    b = pd.concat(parts, ignore_index=True)
    b = b.sort_values(["issued", "a", "credit_source", "source_ref"], kind="stable")
    b = b.reset_index(drop=True)
    table = pa.table(
        {
            "n": pa.array(np.arange(1, len(b) + 1)),
            "a": pa.array(b["a"].to_numpy().astype(np.int64)),
            "credit_source": pa.array(b["credit_source"].to_numpy().astype(str)),
            "source_ref": pa.array(b["source_ref"].to_numpy().astype(str)),
            "amount": pa.array(b["amount_cents"].to_numpy().astype(np.int64)),
            "currency": pa.array(b["currency"].to_numpy().astype(str)),
            "issued_at": _ts_arr(b["issued"].to_numpy()),
            "expires_at": _ts_arr(b["expires"].to_numpy()),
        }
    )
    _write_arrow(
        ctx,
        "billing_credits",
        table,
        "SELECT 'bc_' || lpad(CAST(n AS VARCHAR), 8, '0') AS credit_id, "
        f"{_acc_id_sql('a')} AS account_id, credit_source, source_ref, "
        "CAST(amount AS DECIMAL(18,0)) / 100 AS amount, currency, issued_at, expires_at FROM src",
    )


# ---------------------------------------------------------------------------------------------
# invoices
# ---------------------------------------------------------------------------------------------


def gen_invoices(ctx: _Ctx, acc: pd.DataFrame) -> None:
    """Monthly invoices for the (restated) spend of each account-month; writes `invoices`.

    Shapes: issued on the 1st of the following month (only if that is inside the window),
    due 30 days later, amount = the month's spend in the account's currency. Payers are
    good (85%: 3% late, 0.5% never), sloppy (12%: 30% late, 3% never) or bad (3%: 50% late,
    30% never); on-time payments land 1-29 days after issue, late ones 1-60 days after the due
    date; payments after the window end are not yet known (null), so recent invoices are open.
    """
    rng = ctx.rng("invoices")
    mon = ctx.con.execute(
        """SELECT a, CAST(month_start + INTERVAL 1 MONTH AS DATE) AS issued_on, cents
           FROM spend_month ORDER BY a, issued_on"""
    ).df()
    issued = pd.to_datetime(mon["issued_on"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    mon = mon.assign(issued=issued)
    mon = mon[mon["issued"] <= ctx.end].reset_index(drop=True)
    k = len(mon)
    payer = rng.choice(3, size=len(acc), p=[0.85, 0.12, 0.03])[mon["a"].to_numpy() - 1]
    p_late = np.array([0.03, 0.3, 0.5])[payer]
    p_never = np.array([0.005, 0.03, 0.3])[payer]
    r = rng.random(k)
    issued = mon["issued"].to_numpy()
    due = issued + 30
    paid = np.where(
        r < p_never,
        -1,
        np.where(
            r < p_never + p_late, due + rng.integers(1, 61, k), issued + rng.integers(1, 30, k)
        ),
    )
    paid_null = (paid < 0) | (paid > ctx.end)
    table = pa.table(
        {
            "n": pa.array(np.arange(1, k + 1)),
            "a": pa.array(mon["a"].to_numpy().astype(np.int64)),
            "issued_on": _date_arr(issued),
            "due_on": _date_arr(due),
            "paid_on": _date_arr(paid, paid_null),
            "amount": pa.array(mon["cents"].to_numpy().astype(np.int64)),
            "currency": pa.array(acc["currency"].to_numpy()[mon["a"].to_numpy() - 1]),
        }
    )
    _write_arrow(
        ctx,
        "invoices",
        table,
        "SELECT 'inv_' || lpad(CAST(n AS VARCHAR), 8, '0') AS invoice_id, "
        f"{_acc_id_sql('a')} AS account_id, issued_on, due_on, paid_on, "
        "CAST(amount AS DECIMAL(18,0)) / 100 AS amount, currency FROM src",
    )


# ---------------------------------------------------------------------------------------------
# creative_requests
# ---------------------------------------------------------------------------------------------


def gen_creative_requests(ctx: _Ctx, acc: pd.DataFrame) -> None:
    """Weekly creative requests from TikTok One accounts; writes `creative_requests`.

    Shapes: from the ISO week of joining (or the window start) to the last week, each joined
    account is active in 20-80% of weeks; an active week has usually 1-2 requests (smaller
    spenders) or 1-5 (bigger ones) of 1-15 or 5-40 creatives, so the weekly caps 10/50/100 are
    exceeded regularly; 1-3 projects per account; `requested_at` falls inside the week, not
    before joining and not after the window end.
    """
    rng = ctx.rng("creative_requests")
    j = acc[acc["joined"] >= 0]
    first = np.maximum(j["joined"].to_numpy(), ctx.start)
    monday0 = first - (first + 3) % 7
    last_monday = ctx.end - (ctx.end + 3) % 7
    n_weeks = (last_monday - monday0) // 7 + 1
    rows = np.repeat(np.arange(len(j)), n_weeks)
    week_no = np.arange(rows.size) - np.repeat(np.cumsum(n_weeks) - n_weeks, n_weeks)
    monday = monday0[rows] + 7 * week_no
    p_active = rng.uniform(0.2, 0.8, len(j))[rows]
    big = j["cls"].to_numpy()[rows] >= 2
    act = rng.random(rows.size) < p_active
    rows, monday, big = rows[act], monday[act], big[act]
    n_req = np.where(big, 1 + rng.poisson(1.3, rows.size), 1 + rng.poisson(0.3, rows.size))
    n_req = np.minimum(n_req, 5)
    rr = np.repeat(rows, n_req)
    mon = np.repeat(monday, n_req)
    big = np.repeat(big, n_req)
    k = rr.size
    t = mon * DAY_US + (rng.random(k) * 7 * DAY_US).astype(np.int64)
    t = (t // 1_000_000) * 1_000_000
    creatives = np.where(big, rng.integers(5, 41, k), rng.integers(1, 16, k))
    a = j["a"].to_numpy()[rr]
    keep = (t >= first[rr] * DAY_US) & (t < ctx.end_us)
    n_proj = rng.integers(1, 4, len(j))[rr]
    proj = 1 + (rng.random(k) * n_proj).astype(np.int64)
    a, t, creatives, proj = a[keep], t[keep], creatives[keep], proj[keep]
    order = np.lexsort((a, t))
    table = pa.table(
        {
            "n": pa.array(np.arange(1, order.size + 1)),
            "a": pa.array(a[order]),
            "proj": pa.array(proj[order]),
            "requested_at": _ts_arr(t[order]),
            "creatives_requested": pa.array(creatives[order]),
        }
    )
    _write_arrow(
        ctx,
        "creative_requests",
        table,
        "SELECT 'req_' || lpad(CAST(n AS VARCHAR), 8, '0') AS request_id, "
        f"{_acc_id_sql('a')} AS account_id, "
        "'prj_' || lpad(CAST(a AS VARCHAR), 6, '0') || '_' || CAST(proj AS VARCHAR) AS project_id, "
        "requested_at, creatives_requested FROM src",
    )


# ---------------------------------------------------------------------------------------------
# creators
# ---------------------------------------------------------------------------------------------


def gen_creators(ctx: _Ctx) -> int:
    """Creators; writes `creators`, returns their number.

    Shapes: max(300, accounts/2) creators `crt_0000001`...; ~6% turn 18 during the last 120
    days of the window, ~3% are 16-17 throughout, the rest 19-45; countries US, GB, DE, FR,
    IT, ES, CA, AU and BR (BR is not a Creator Next region); ~85% personal, ~15% business.
    """
    rng = ctx.rng("creators")
    n = max(300, ctx.accounts // 2)
    r = rng.random(n)
    years = np.where(
        r < 0.06, 18, np.where(r < 0.09, rng.integers(16, 18, n), rng.integers(19, 46, n))
    )
    stat_days = min(120, ctx.days)
    back = np.where(r < 0.06, rng.integers(0, stat_days, n), rng.integers(0, 365, n))
    country = rng.choice(CREATOR_COUNTRIES, size=n, p=CREATOR_COUNTRY_WEIGHTS)
    account_type = np.where(rng.random(n) < 0.85, "personal", "business")
    table = pa.table(
        {
            "n": pa.array(np.arange(1, n + 1)),
            "back": pa.array(back),
            "years": pa.array(years),
            "country_code": pa.array(country),
            "account_type": pa.array(account_type),
        }
    )
    # The n-th birthday (n = years) falls `back` days before the window end.
    _write_arrow(
        ctx,
        "creators",
        table,
        "SELECT 'crt_' || lpad(CAST(n AS VARCHAR), 7, '0') AS creator_id, "
        f"CAST((DATE '{ctx.end_date.isoformat()}' - CAST(back AS INTEGER)) "
        "- to_years(CAST(years AS INTEGER)) AS DATE) AS birth_date, country_code, account_type "
        "FROM src",
    )
    return n


def gen_creator_daily_stats(ctx: _Ctx, n_creators: int) -> None:
    """One row per creator per day of the last 120 days; writes `creator_daily_stats`.

    Shapes: followers start log-normally around 10,000 (5% are big, 50k-2M) and drift by
    -20..+80 a day, so many cross ~10k inside the period; daily views are Poisson around a
    per-creator mean of ~33 (30-day sums straddle 1,000); posts are Poisson with ~0.1 a day
    (30-day counts straddle 3), with quiet stretches; ~8% have one bad-standing stretch of 3-40
    days and ~1% are in bad standing throughout.
    """
    rng = ctx.rng("creator_stats")
    n = n_creators
    nd = min(120, ctx.days)
    d0 = ctx.end - nd + 1
    t = np.arange(nd)
    f0 = np.where(
        rng.random(n) < 0.05,
        rng.uniform(50_000, 2_000_000, n),
        10_000 * np.exp(rng.normal(0, 0.3, n)),
    )
    growth = rng.uniform(-20, 80, n)
    followers = f0[:, None] + growth[:, None] * t[None, :]
    followers = followers * (1 + rng.normal(0, 0.002, (n, nd)))
    followers = np.maximum(followers, 0).astype(np.int64)
    mu = np.exp(rng.normal(np.log(33), 0.5, n))
    views = rng.poisson(mu[:, None] * rng.uniform(0.5, 1.5, (n, nd)))
    lam = np.exp(rng.normal(np.log(0.1), 0.5, n))
    quiet_start = rng.integers(0, nd, n)
    quiet_len = np.where(rng.random(n) < 0.3, rng.integers(10, 40, n), 0)
    quiet = (t[None, :] >= quiet_start[:, None]) & (t[None, :] < (quiet_start + quiet_len)[:, None])
    posts = np.where(quiet, 0, rng.poisson(np.broadcast_to(lam[:, None], (n, nd))))
    bad_start = rng.integers(0, nd, n)
    bad_len = np.where(rng.random(n) < 0.08, rng.integers(3, 41, n), 0)
    bad = (t[None, :] >= bad_start[:, None]) & (t[None, :] < (bad_start + bad_len)[:, None])
    bad |= (rng.random(n) < 0.01)[:, None]
    table = pa.table(
        {
            "n": pa.array(np.repeat(np.arange(1, n + 1), nd)),
            "stat_date": _date_arr(np.tile(d0 + t, n)),
            "follower_count": pa.array(followers.ravel()),
            "video_views": pa.array(views.ravel()),
            "posts": pa.array(posts.ravel()),
            "in_good_standing": pa.array(~bad.ravel()),
        }
    )
    _write_arrow(
        ctx,
        "creator_daily_stats",
        table,
        "SELECT 'crt_' || lpad(CAST(n AS VARCHAR), 7, '0') AS creator_id, * FROM src",
    )


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


# Written first into every landing zone the generator makes: it says the data is a generated
# sample, which only the generator (with replace=True) and `make run` may replace.
SAMPLE_MARKER = ".generated_sample"


class TargetNotEmpty(Exception):
    """The target folder holds data the generator may not replace."""


def prepare_target(out_dir: Path, replace: bool) -> None:
    """Make sure writing a sample into `out_dir` destroys nothing the generator did not make.

    An empty or missing folder is fine. A folder with anything in it must be an earlier sample
    (its marker present) and `replace` must be given; then the part files of that sample are
    deleted, and nothing else: a file someone added stays where it is.
    """
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    if not (out_dir / SAMPLE_MARKER).exists():
        raise TargetNotEmpty(
            f"{out_dir} is not empty and was not made by the generator (no {SAMPLE_MARKER} "
            "file): it may be a real landing zone. Generate into a new or empty folder."
        )
    if not replace:
        raise TargetNotEmpty(
            f"{out_dir} holds a sample generated earlier: pass --replace (make generate "
            "REPLACE=1) to replace it, or generate into a new folder."
        )
    for source in SOURCES:
        for old in (out_dir / source).glob("part-*.parquet"):
            old.unlink()


def generate(
    out_dir: Path,
    accounts: int,
    days: int,
    seed: int,
    end_date: date,
    replace: bool = False,
) -> dict[str, int]:
    """Generate every landing source under `out_dir`; return row counts per source.

    Deterministic for given arguments. `out_dir` must be new or empty, or hold an earlier
    sample (its SAMPLE_MARKER file) and `replace` be given: the generator never writes into,
    or deletes from, a folder it did not make (TargetNotEmpty).
    """
    if accounts < 1 or days < 1:
        raise ValueError("accounts and days must be positive")
    out_dir = Path(out_dir)
    prepare_target(out_dir, replace)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SAMPLE_MARKER).write_text(
        "A sample landing zone made by warehouse.generate "
        f"(accounts={accounts}, days={days}, seed={seed}, end_date={end_date}).\n"
        "`make run` (when LANDING_DIR is not set) and `make generate REPLACE=1` may replace it.\n"
    )
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    ctx = _Ctx(out_dir=out_dir, accounts=accounts, days=days, seed=seed, end_date=end_date, con=con)
    try:
        acc = gen_accounts(ctx)
        gen_fx_rates(ctx)
        gen_ad_spend(ctx, acc)
        cross = _spend_match_crossings(ctx, acc)
        pm = gen_payment_methods(ctx, acc, cross)
        sm = _billing_spend_match(ctx, acc, cross, pm)
        codes = gen_coupon_codes(ctx)
        coupon_credits = gen_coupon_redemption_attempts(ctx, acc, codes, pm, sm)
        managed_credits = gen_managed_credit_grants(ctx, acc)
        gen_billing_credits(ctx, [sm, coupon_credits, managed_credits])
        gen_invoices(ctx, acc)
        gen_creative_requests(ctx, acc)
        gen_creator_daily_stats(ctx, gen_creators(ctx))
    finally:
        con.close()
    return {s: ctx.counts.get(s, 0) for s in SOURCES}


def main(argv: list[str] | None = None) -> int:
    """CLI: python -m warehouse.generate [--accounts N] [--days D] [--seed S] ..."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000, help="accounts (default 2000)")
    parser.add_argument("--days", type=int, default=400, help="days in the window (default 400)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=date(2026, 11, 20),
        help="last day of the window, YYYY-MM-DD (default 2026-11-20)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="landing directory (default: $LANDING_DIR, else data/sample_landing)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace a sample generated earlier in --out (never a folder it did not make)",
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    out = args.out if args.out is not None else landing_dir()
    try:
        counts = generate(
            out, args.accounts, args.days, args.seed, args.end_date, replace=args.replace
        )
    except TargetNotEmpty as error:
        print(f"generate: {error}", file=sys.stderr)
        return 2
    for source, n in counts.items():
        print(f"{source:28s} {n:>12,d}")
    print(f"wrote {sum(counts.values()):,d} rows to {out} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
