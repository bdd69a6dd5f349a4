"""`make what-if RULES=proposal.csv [FROM=YYYY-MM-DD]`: the program as it would have been had a
proposal of tier rules applied since FROM, computed from the built warehouse without changing it
or the BI copy, into a DuckDB file of its own (RULES.md section 14; docs/rule-changes.md).

The proposal is a CSV with the columns of seeds/tier_thresholds.csv, one row per tier; its
`effective_from`, if given, is FROM (default: 90 days before the warehouse's as-of date). The
rules of the what-if are the warehouse's rules dated before FROM and the proposal from FROM on.

How, with dbt's own mechanisms and the warehouse's own SQL (no second implementation):

1. The what-if file is prepared with what the tier models read that a proposal changes or that
   dbt must find there: `rules.tier_thresholds` (the what-if's rules), `rules.tier_day_counts`
   (copied), the stored tier days of the 60 days before FROM (`int_account_tiers_assigned`:
   unchanged under the proposal, they are the days the warnings open on FROM look back to),
   and an empty `fct_tier_members_daily`. The two incremental models then exist, so dbt runs
   them incrementally: each recomputes its days from FROM (`recompute_from`), reading the days
   before from what it holds, exactly as the daily run reads the days before its window.
2. `dbt run --profile tiktok_one_what_if --defer --state <manifest>` builds only the tier models
   that read the rules (WHAT_IF_MODELS) into that file (profiles.yml: the what-if file with the
   warehouse attached read-only under its own catalog name). A model it does not build and the
   file does not hold (the spend rolled over 30 days, the as-of date, the accounts) resolves,
   through `--defer`, to the warehouse's relation, named by a manifest parsed for the warehouse.
3. The answer is written in schema `what_if` beside, from the what-if's models and the
   warehouse's marts: `fct_account_tier_daily` for [FROM, as-of] (the warehouse's columns; its
   rows equal those of a full build whose seed holds the proposal's rows), the days whose tier
   differs, members per tier per day both ways, the accounts whose tier on the as-of date
   differs, the changes and warnings of both, events per week, and the weekly creative capacity
   both ways. The work schemas are dropped, so the file reads on its own (`make dashboard
   WHAT_IF=<file>`: the What-if page).

The file is built under a temporary folder and renamed into place when complete. The warehouse
is only ever opened read-only: DuckDB refuses that while a build writes it (the what-if then
stops and says so), and a build waits for no what-if longer than the what-if runs. The what-if
is DuckDB-only (the dashboard and the BI copy are DuckDB whatever the engine).

Usage: python -m commands.what_if --rules proposal.csv [--from YYYY-MM-DD] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from warehouse.config import PROJECT_DIR, warehouse_path
from warehouse.dbt_results import describe, failures
from warehouse.spark import READ_AFTER_BUILD_RELATIONS

DBT = str(PROJECT_DIR / ".venv" / "bin" / "dbt")
PROFILE = "tiktok_one_what_if"
# The tier models that read the rules and what the answer reads of them, in build order.
WHAT_IF_MODELS = (
    "int_tier_rules_daily",
    "int_account_tiers_qualified",
    "int_account_tiers_assigned",
    "fct_account_tier_daily",
    "int_downgrade_warnings_raised",
    "fct_downgrade_warnings",
    "fct_tier_changes",
    "fct_tier_members_daily",
)
COLUMNS = (
    "tier",
    "tier_rank",
    "min_rolling_30d_spend_usd",
    "weekly_creative_cap",
    "effective_from",
)
REQUIRED = COLUMNS[:4]
DAYS_BACK = 90
WORK_SCHEMAS = ("rules", "intermediate", "marts")
BUILDING_FILE = "what_if_building.duckdb"


class WhatIfError(Exception):
    """A proposal, a FROM or a warehouse the what-if cannot use: the message names it."""


@dataclass(frozen=True)
class Rule:
    tier: str
    tier_rank: int
    minimum: Decimal
    cap: int


@dataclass(frozen=True)
class Proposal:
    path: Path
    rules: tuple[Rule, ...]
    effective_from: date | None


@dataclass(frozen=True)
class Warehouse:
    path: Path
    catalog: str
    as_of: date
    tiers: dict[str, int]
    first_rule_day: date
    hold_days: int


# --- Reading --------------------------------------------------------------------------------


def read_warehouse(path: Path) -> Warehouse:
    """What the what-if needs to know of the built warehouse, read-only."""
    if not path.exists():
        raise WhatIfError(f"No warehouse at {path}: `make run` builds it (WAREHOUSE_PATH).")
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        raise WhatIfError(
            f"The warehouse {path} is being written by a build ({error}): try again when it is "
            "done."
        ) from None
    try:
        [(catalog,)] = connection.execute("select current_database()").fetchall()
        [(as_of,)] = connection.execute(
            "select as_of_date from intermediate.int_as_of_date"
        ).fetchall()
        tiers = dict(
            connection.execute(
                "select distinct tier, tier_rank from rules.tier_thresholds order by tier_rank"
            ).fetchall()
        )
        [(first_rule_day,)] = connection.execute(
            "select min(effective_from) from rules.tier_thresholds"
        ).fetchall()
        [(hold_days,)] = connection.execute(
            "select days from rules.tier_day_counts where day_count = 'tier_hold_days'"
        ).fetchall()
        connection.execute("select count(*) from intermediate.int_tier_rules_daily limit 1")
    except (duckdb.CatalogException, duckdb.BinderException, ValueError):
        if read_from_spark(connection):
            raise WhatIfError(
                f"The warehouse {path} holds what a Spark build reads back (its marts), not the "
                "intermediate tier models the what-if runs from: the what-if runs on DuckDB "
                "only. Build on DuckDB first (`make run` with WAREHOUSE_ENGINE unset), then try "
                "again."
            ) from None
        raise WhatIfError(
            f"The warehouse {path} is not built with dated tier rules yet: `make run` builds it."
        ) from None
    finally:
        connection.close()
    return Warehouse(path, catalog, as_of, tiers, first_rule_day, int(hold_days))


def read_from_spark(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether a DuckDB file holds what a Spark build reads back into it: its marts, and of the
    intermediate models only those the steps after the build read (READ_AFTER_BUILD_RELATIONS,
    warehouse/spark.py), where a DuckDB build stores every intermediate model."""
    read_back = {
        relation for relation in READ_AFTER_BUILD_RELATIONS if relation.startswith("intermediate.")
    }
    tables = {
        f"{schema}.{name}"
        for schema, name in connection.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in ('marts', 'intermediate')"
        ).fetchall()
    }
    intermediate = {table for table in tables if table.startswith("intermediate.")}
    return intermediate != tables and intermediate <= read_back


def read_proposal(path: Path, tiers: dict[str, int]) -> Proposal:
    """The proposal's rules, checked: the columns of tier_thresholds.csv, every tier once with
    its rank, amounts and caps that are numbers, minimums strictly increasing by rank, and one
    effective_from if any."""
    if not path.is_file():
        raise WhatIfError(f"{path}: no such file (RULES=path/to/proposal.csv).")
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        header = [column.strip() for column in reader.fieldnames or []]
        rows = [
            {key.strip(): (value or "").strip() for key, value in row.items()} for row in reader
        ]
    known = ", ".join(COLUMNS)
    for column in header:
        if column not in COLUMNS:
            raise WhatIfError(
                f"{path}: unknown column {column!r} (a proposal has the columns of "
                f"seeds/tier_thresholds.csv: {known})."
            )
    for column in REQUIRED:
        if column not in header:
            raise WhatIfError(f"{path}: no column {column!r} (the columns are {known}).")
    rules: dict[str, Rule] = {}
    days: set[str] = set()
    for row in rows:
        tier = row["tier"]
        if tier not in tiers:
            raise WhatIfError(f"{path}: unknown tier {tier!r} (the tiers are {', '.join(tiers)}).")
        if tier in rules:
            raise WhatIfError(f"{path}: two rows for tier {tier!r}; a proposal has one per tier.")
        rank = _number(path, tier, "tier_rank", row["tier_rank"], int)
        if rank != tiers[tier]:
            raise WhatIfError(
                f"{path}: tier {tier!r} has tier_rank {rank}; its rank is {tiers[tier]} "
                "(tiers and ranks never change)."
            )
        minimum = _number(
            path, tier, "min_rolling_30d_spend_usd", row["min_rolling_30d_spend_usd"], Decimal
        )
        if minimum < 0 or minimum != round(minimum, 2):
            raise WhatIfError(
                f"{path}: min_rolling_30d_spend_usd of {tier!r} is "
                f"{row['min_rolling_30d_spend_usd']}, not an amount in USD and cents of at least 0."
            )
        cap = _number(path, tier, "weekly_creative_cap", row["weekly_creative_cap"], int)
        if cap < 0:
            raise WhatIfError(f"{path}: weekly_creative_cap of {tier!r} is {cap}, below 0.")
        rules[tier] = Rule(tier, rank, minimum, cap)
        if row.get("effective_from"):
            days.add(row["effective_from"])
    missing = [tier for tier in tiers if tier not in rules]
    if missing:
        raise WhatIfError(
            f"{path}: no row for tier {missing[0]!r} (a proposal gives every tier: "
            f"{', '.join(tiers)})."
        )
    ordered = sorted(rules.values(), key=lambda rule: rule.tier_rank)
    for lower, higher in zip(ordered, ordered[1:], strict=False):
        if higher.minimum <= lower.minimum:
            raise WhatIfError(
                f"{path}: the minimums do not increase with the rank: {higher.tier}'s "
                f"{higher.minimum:,} is not above {lower.tier}'s {lower.minimum:,}."
            )
    if len(days) > 1:
        raise WhatIfError(
            f"{path}: the rows have different effective_from ({', '.join(sorted(days))}): a "
            "proposal takes effect on one day."
        )
    if days and len(days) == 1 and any(not row.get("effective_from") for row in rows):
        raise WhatIfError(f"{path}: effective_from is empty on some rows: give it on all or none.")
    effective_from = None
    if days:
        text = next(iter(days))
        try:
            effective_from = date.fromisoformat(text)
        except ValueError:
            raise WhatIfError(
                f"{path}: effective_from {text!r} is not a date (YYYY-MM-DD)."
            ) from None
    return Proposal(path, tuple(ordered), effective_from)


def _number(path: Path, tier: str, column: str, text: str, kind: type) -> int | Decimal:
    try:
        if kind is int:
            return int(text)
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
        return value
    except (ValueError, InvalidOperation):
        raise WhatIfError(f"{path}: {column} of {tier!r} is {text!r}, not a number.") from None


def resolve_from(proposal: Proposal, given: date | None, warehouse: Warehouse) -> date:
    """FROM: given, else the proposal's effective_from, else 90 days before the as-of date."""
    if given and proposal.effective_from and given != proposal.effective_from:
        raise WhatIfError(
            f"FROM={given} and the proposal's effective_from {proposal.effective_from} differ: "
            "give one of them."
        )
    start = given or proposal.effective_from or warehouse.as_of - timedelta(days=DAYS_BACK)
    if start > warehouse.as_of:
        raise WhatIfError(
            f"FROM {start} is after the warehouse's as-of date {warehouse.as_of}: there is no day "
            "to try it on (a rule dated after the as-of date changes only the outlook: schedule "
            "it in seeds/tier_thresholds.csv, docs/rule-changes.md)."
        )
    if start <= warehouse.first_rule_day:
        raise WhatIfError(
            f"FROM {start} is not after the first day of the rules ({warehouse.first_rule_day})."
        )
    return start


# --- Building -------------------------------------------------------------------------------


def attach(connection: duckdb.DuckDBPyConnection, warehouse: Warehouse) -> None:
    connection.execute(f"attach '{warehouse.path}' as \"{warehouse.catalog}\" (read_only)")


def prepare(
    connection: duckdb.DuckDBPyConnection, warehouse: Warehouse, proposal: Proposal, start: date
) -> None:
    """What dbt finds in the what-if file: the what-if's rules, the day counts, the stored tier
    days before FROM that the window and the warnings read, an empty members table."""
    source = f'"{warehouse.catalog}"'
    for schema in WORK_SCHEMAS:
        connection.execute(f"create schema {schema}")
    connection.execute(
        f"""
        create table rules.tier_thresholds as
        select tier, tier_rank, min_rolling_30d_spend_usd, weekly_creative_cap, effective_from
        from {source}.rules.tier_thresholds
        where effective_from < $start
        """,
        {"start": start},
    )
    connection.executemany(
        "insert into rules.tier_thresholds values (?, ?, ?, ?, ?)",
        [[rule.tier, rule.tier_rank, rule.minimum, rule.cap, start] for rule in proposal.rules],
    )
    connection.execute(
        f"create table rules.tier_day_counts as select * from {source}.rules.tier_day_counts"
    )
    connection.execute(
        f"""
        create table intermediate.int_account_tiers_assigned as
        select * from {source}.intermediate.int_account_tiers_assigned
        where date_day >= $first and date_day < $start
        """,
        {"first": start - timedelta(days=2 * warehouse.hold_days), "start": start},
    )
    connection.execute(
        f"""
        create table marts.fct_tier_members_daily as
        select * from {source}.marts.fct_tier_members_daily limit 0
        """
    )


def dbt(arguments: list[str], env: dict[str, str], target: Path) -> None:
    """A dbt invocation; its failure as dbt's own messages (from its artifacts)."""
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [DBT, *arguments, "--quiet", "--target-path", str(target)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        results_path = target / "run_results.json"
        run_results = json.loads(results_path.read_text()) if results_path.exists() else None
        found = failures(run_results, [result.stdout[-2000:] + result.stderr[-2000:]])
        raise WhatIfError(describe(found) or "dbt failed")


def run_dbt(warehouse: Warehouse, building: Path, start: date) -> None:
    """The warehouse's manifest (for --defer), then the tier models into the what-if file."""
    # The warehouse's run parameters (WAREHOUSE_<VAR>) are not the what-if's: its vars say all.
    base = {key: value for key, value in os.environ.items() if not key.startswith("WAREHOUSE_")}
    base["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    # dbt's artifacts under DBT_TARGET_PATH (as every run's), where its partial parse is kept.
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    target = (target if target.is_absolute() else PROJECT_DIR / target) / "what_if"
    dbt(
        ["parse", "--target", "duckdb"],
        {**base, "WAREHOUSE_PATH": str(warehouse.path)},
        target / "warehouse",
    )
    dbt(
        [
            "run",
            "--profile",
            PROFILE,
            "--select",
            *WHAT_IF_MODELS,
            "--defer",
            "--state",
            str(target / "warehouse"),
            "--vars",
            json.dumps(
                {"as_of_date": warehouse.as_of.isoformat(), "recompute_from": start.isoformat()}
            ),
        ],
        {
            **base,
            "WAREHOUSE_PATH": str(warehouse.path),
            "WHAT_IF_PATH": str(building),
            "WHAT_IF_WAREHOUSE_CATALOG": warehouse.catalog,
        },
        target / "run",
    )


# The answer, in schema what_if: `{warehouse}` is the warehouse attached read-only (under its
# own catalog name, which its views name); unqualified relations are the what-if's own models;
# $start and $as_of are FROM and the as-of date.
ANSWER = """
create schema what_if;

create table what_if.fct_account_tier_daily as
select * from marts.fct_account_tier_daily
where date_day between $start and $as_of;

create table what_if.tier_thresholds as
select * from rules.tier_thresholds;

create table what_if.rules_compared as
select
    actual.tier,
    actual.tier_rank,
    actual.min_rolling_30d_spend_usd as actual_min_rolling_30d_spend_usd,
    what_if.min_rolling_30d_spend_usd as what_if_min_rolling_30d_spend_usd,
    actual.weekly_creative_cap as actual_weekly_creative_cap,
    what_if.weekly_creative_cap as what_if_weekly_creative_cap
from {warehouse}.intermediate.int_tier_rules_daily as actual
inner join intermediate.int_tier_rules_daily as what_if
    on actual.tier = what_if.tier
    and actual.date_day = what_if.date_day
where actual.date_day = $as_of;

create table what_if.tier_days_compared as
select
    what_if.account_id,
    what_if.date_day,
    actual.tier as actual_tier,
    what_if.tier as what_if_tier,
    actual.qualified_tier as actual_qualified_tier,
    what_if.qualified_tier as what_if_qualified_tier,
    actual.days_below_tier as actual_days_below_tier,
    what_if.days_below_tier as what_if_days_below_tier,
    what_if.qualifying_spend_usd
from what_if.fct_account_tier_daily as what_if
inner join {warehouse}.marts.fct_account_tier_daily as actual
    on what_if.account_id = actual.account_id
    and what_if.date_day = actual.date_day
where actual.date_day between $start and $as_of
    and (
        actual.tier != what_if.tier
        or actual.qualified_tier != what_if.qualified_tier
        or actual.days_below_tier != what_if.days_below_tier
    );

create table what_if.members_per_tier_daily as
select
    what_if.date_day,
    what_if.tier,
    what_if.tier_rank,
    coalesce(actual.members, 0) as actual_members,
    what_if.members as what_if_members,
    coalesce(actual.members_below_tier, 0) as actual_members_below_tier,
    what_if.members_below_tier as what_if_members_below_tier
from marts.fct_tier_members_daily as what_if
left join {warehouse}.marts.fct_tier_members_daily as actual
    on what_if.date_day = actual.date_day
    and what_if.tier = actual.tier
where what_if.date_day between $start and $as_of;

create table what_if.accounts_tier_differing as
with
tier_codes as (
    select distinct tier, tier_rank from rules.tier_thresholds
),
actual as (
    select account_id, tier_rank, days_below_tier
    from {warehouse}.intermediate.int_account_tiers_assigned
    where date_day = $as_of
),
what_if as (
    select account_id, tier_rank, days_below_tier, qualifying_spend_usd
    from intermediate.int_account_tiers_assigned
    where date_day = $as_of
),
what_if_rules as (
    select tier_rank, min_rolling_30d_spend_usd
    from intermediate.int_tier_rules_daily
    where date_day = $as_of
)
select
    what_if.account_id,
    accounts.account_name,
    actual_tier.tier as actual_tier,
    what_if_tier.tier as what_if_tier,
    case when what_if.tier_rank < actual.tier_rank then 'lower' else 'higher' end as what_if_change,
    cast(round(what_if.qualifying_spend_usd, 2) as decimal(18, 2)) as qualifying_spend_usd,
    actual.days_below_tier as actual_days_below_tier,
    what_if.days_below_tier as what_if_days_below_tier,
    -- What the 30-day spend lacks, on the as-of date, of the actual tier's proposed minimum.
    case when what_if.tier_rank < actual.tier_rank then
        cast(ceil((what_if_rules.min_rolling_30d_spend_usd - what_if.qualifying_spend_usd) * 100)
            / 100 as decimal(18, 2))
    end as spend_to_keep_actual_tier_usd
from what_if
inner join actual
    on what_if.account_id = actual.account_id
inner join tier_codes as actual_tier
    on actual.tier_rank = actual_tier.tier_rank
inner join tier_codes as what_if_tier
    on what_if.tier_rank = what_if_tier.tier_rank
left join what_if_rules
    on actual.tier_rank = what_if_rules.tier_rank
left join {warehouse}.marts.dim_accounts as accounts
    on what_if.account_id = accounts.account_id
where what_if.tier_rank != actual.tier_rank;

create table what_if.tier_changes as
select
    'actual' as scenario, account_id, effective_date, change_type, from_tier, to_tier,
    qualifying_spend_usd, change_reason
from {warehouse}.marts.fct_tier_changes
where effective_date between $start and $as_of
union all
select
    'what_if' as scenario, account_id, effective_date, change_type, from_tier, to_tier,
    qualifying_spend_usd, change_reason
from marts.fct_tier_changes
where effective_date between $start and $as_of;

-- The warnings raised from FROM on, and those raised before it still open on FROM (whose
-- outcome the proposal can change).
create table what_if.downgrade_warnings as
select
    'actual' as scenario, account_id, warning_date, tier_at_risk, projected_tier, below_since,
    scheduled_downgrade_date, outcome, resolved_on, warning_reason
from {warehouse}.marts.fct_downgrade_warnings
where warning_date >= $start or scheduled_downgrade_date >= $start
union all
select
    'what_if' as scenario, account_id, warning_date, tier_at_risk, projected_tier, below_since,
    scheduled_downgrade_date, outcome, resolved_on, warning_reason
from marts.fct_downgrade_warnings
where warning_date >= $start or scheduled_downgrade_date >= $start;

create table what_if.events_weekly as
with events as (
    select scenario, effective_date as event_date, change_type as event
    from what_if.tier_changes
    where change_type in ('upgrade', 'downgrade')
    union all
    select scenario, warning_date as event_date, 'warning' as event
    from what_if.downgrade_warnings
    where warning_date >= $start
)
select
    cast(date_trunc('week', event_date) as date) as week_start,
    event,
    count(*) filter (where scenario = 'actual') as actual,
    count(*) filter (where scenario = 'what_if') as what_if
from events
group by all;

create table what_if.creative_capacity as
with
tier_codes as (
    select distinct tier, tier_rank from rules.tier_thresholds
),
actual as (
    select tier_rank, count(*) as members
    from {warehouse}.intermediate.int_account_tiers_assigned
    where date_day = $as_of
    group by tier_rank
),
what_if as (
    select tier_rank, count(*) as members
    from intermediate.int_account_tiers_assigned
    where date_day = $as_of
    group by tier_rank
)
select
    tier_codes.tier,
    tier_codes.tier_rank,
    coalesce(actual.members, 0) as actual_members,
    actual_caps.weekly_creative_cap as actual_weekly_cap,
    coalesce(actual.members, 0) * actual_caps.weekly_creative_cap as actual_capacity,
    coalesce(what_if.members, 0) as what_if_members,
    what_if_caps.weekly_creative_cap as what_if_weekly_cap,
    coalesce(what_if.members, 0) * what_if_caps.weekly_creative_cap as what_if_capacity
from tier_codes
left join actual
    on tier_codes.tier_rank = actual.tier_rank
left join what_if
    on tier_codes.tier_rank = what_if.tier_rank
inner join {warehouse}.intermediate.int_tier_rules_daily as actual_caps
    on tier_codes.tier = actual_caps.tier
    and actual_caps.date_day = $as_of
inner join intermediate.int_tier_rules_daily as what_if_caps
    on tier_codes.tier = what_if_caps.tier
    and what_if_caps.date_day = $as_of;
"""


def answer(
    connection: duckdb.DuckDBPyConnection,
    warehouse: Warehouse,
    proposal: Proposal,
    start: date,
) -> None:
    """Schema what_if, then the work schemas dropped: the file reads on its own."""
    parameters = {"start": start, "as_of": warehouse.as_of}
    sql = ANSWER.replace("{warehouse}", f'"{warehouse.catalog}"')
    for statement in filter(str.strip, sql.split(";")):
        used = {name: value for name, value in parameters.items() if f"${name}" in statement}
        connection.execute(statement, used)
    connection.execute(
        """
        create table what_if.run as
        select $as_of as as_of_date, $start as from_date,
            cast(date_diff('day', $start, $as_of) + 1 as integer) as days,
            $proposal as proposal, $warehouse as warehouse, now() as computed_at
        """,
        {
            **parameters,
            "proposal": str(proposal.path.resolve()),
            "warehouse": str(warehouse.path.resolve()),
        },
    )
    connection.execute(f'detach "{warehouse.catalog}"')
    for schema in WORK_SCHEMAS:
        connection.execute(f"drop schema {schema} cascade")
    connection.execute("checkpoint")


def run_what_if(
    rules: Path, given_from: date | None, warehouse_file: Path, out: Path
) -> tuple[Path, str]:
    """The what-if file for a proposal, and its summary."""
    warehouse = read_warehouse(warehouse_file)
    proposal = read_proposal(rules, warehouse.tiers)
    start = resolve_from(proposal, given_from, warehouse)
    if out.resolve() == warehouse.path.resolve():
        raise WhatIfError(f"The what-if file {out} is the warehouse: choose another file.")
    folder = out.parent / f".{out.stem}-building"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # A catalog name of its own while it is built (DuckDB names a file's catalog after it): not
    # the warehouse's, nor the schema what_if's. Nothing in the finished file names it.
    building = folder / BUILDING_FILE
    try:
        with duckdb.connect(str(building)) as connection:
            attach(connection, warehouse)
            prepare(connection, warehouse, proposal, start)
        run_dbt(warehouse, building, start)
        with duckdb.connect(str(building)) as connection:
            connection.execute("set TimeZone = 'UTC'")
            attach(connection, warehouse)
            answer(connection, warehouse, proposal, start)
            text = summary(connection)
        building.replace(out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out, text


# --- The summary ----------------------------------------------------------------------------


def _change(before: float, after: float, money: bool = False) -> str:
    shown = (lambda value: f"${value:,.0f}") if money else (lambda value: f"{value:,.0f}")
    if before == after:
        return f"{shown(before)} (unchanged)"
    return f"{shown(before)} -> {shown(after)} ({after - before:+,.0f})"


def summary(connection: duckdb.DuckDBPyConnection) -> str:
    """A few lines: the rules changed, members per tier, accounts that move, events, capacity."""
    as_of, start, days = connection.execute(
        "select as_of_date, from_date, days from what_if.run"
    ).fetchone()
    lines = [f"What-if from {start} to the as-of date {as_of} ({days} days):"]
    changed = connection.execute(
        """
        select tier, actual_min_rolling_30d_spend_usd, what_if_min_rolling_30d_spend_usd,
            actual_weekly_creative_cap, what_if_weekly_creative_cap
        from what_if.rules_compared
        where actual_min_rolling_30d_spend_usd != what_if_min_rolling_30d_spend_usd
            or actual_weekly_creative_cap != what_if_weekly_creative_cap
        order by tier_rank
        """
    ).fetchall()
    lines.append(
        "  Rules: "
        + (
            "; ".join(
                f"{tier} minimum {_change(float(a), float(b), money=True)}, "
                f"weekly cap {_change(c, d)}"
                for tier, a, b, c, d in changed
            )
            or "the same as the warehouse's on the as-of date"
        )
    )
    members = connection.execute(
        """
        select tier, actual_members, what_if_members
        from what_if.creative_capacity order by tier_rank desc
        """
    ).fetchall()
    lines.append(
        f"  Members on {as_of}: " + ", ".join(f"{tier} {_change(a, b)}" for tier, a, b in members)
    )
    [(moved, lower, higher)] = connection.execute(
        """
        select count(*), count(*) filter (where what_if_change = 'lower'),
            count(*) filter (where what_if_change = 'higher')
        from what_if.accounts_tier_differing
        """
    ).fetchall()
    lines.append(
        f"  Accounts whose tier on {as_of} differs: {moved:,} ({lower:,} lower, {higher:,} higher)"
    )
    events = dict(
        (event, (actual, what_if))
        for event, actual, what_if in connection.execute(
            """
            select event, sum(actual), sum(what_if) from what_if.events_weekly
            group by event
            """
        ).fetchall()
    )
    lines.append(
        f"  Since {start}: "
        + ", ".join(
            f"{event}s {_change(*events.get(event, (0, 0)))}"
            for event in ("upgrade", "downgrade", "warning")
        )
    )
    [(actual_capacity, what_if_capacity)] = connection.execute(
        "select sum(actual_capacity), sum(what_if_capacity) from what_if.creative_capacity"
    ).fetchall()
    lines.append(
        f"  Weekly creative capacity on {as_of}: {_change(actual_capacity, what_if_capacity)}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, required=True, help="the proposal (CSV)")
    parser.add_argument(
        "--from",
        dest="start",
        help="the day the proposal takes effect (default: its effective_from, else 90 days "
        "before the as-of date)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="the what-if file (default: <warehouse>_what_if.duckdb beside the warehouse)",
    )
    args = parser.parse_args(argv)
    warehouse = warehouse_path()
    out = args.out or warehouse.with_name(f"{warehouse.stem}_what_if.duckdb")
    try:
        start = date.fromisoformat(args.start) if args.start else None
    except ValueError:
        print(f"make what-if: FROM={args.start} is not a date (YYYY-MM-DD).", file=sys.stderr)
        return 2
    try:
        written, text = run_what_if(args.rules, start, warehouse, out.resolve())
    except WhatIfError as error:
        print(f"make what-if: {error}", file=sys.stderr)
        return 2
    print(text)
    print(f"Written to {written} (schema what_if). See it: make dashboard WHAT_IF={written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
