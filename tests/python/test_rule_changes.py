"""Rules that change over time (RULES.md section 14): a change never rewrites the past.

Fast tests: the refresh plan (warehouse/refresh.py) on the fixture build's manifest, with the
seed `tier_thresholds` edited in a copy of its file: rules dated after the last as-of date need
nothing, rules dated inside the window need the window, rules dated before it widen the window
to their day; a change of the seed's shape or of a seed that is code is still code.

Slow tests (`@pytest.mark.slow`): `make run` on a copy of the project, as an operator drives
it, on the fixture landing zone with accounts of its own whose histories are worked out by hand
at a change's edges, then on a generated landing zone with a change inside the history. Each
daily run is compared, row for row, with a full build of the same seed.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.python.project_copy import Project
from warehouse.compare import relations_differ
from warehouse.config import PROJECT_DIR
from warehouse.contract import write_landing_table
from warehouse.fixtures import FIXTURE_AS_OF, build_fixture_landing
from warehouse.refresh import (
    BuildState,
    landing_snapshot,
    plan_refresh,
    record_build,
)

SEED = "seed.tiktok_one_warehouse.tier_thresholds"
SEED_FILE = "seeds/tier_thresholds.csv"
SHIPPED = (PROJECT_DIR / SEED_FILE).read_text()
WINDOW_START = FIXTURE_AS_OF - timedelta(days=59)  # recompute_days = 60
# What a daily run and a full build must agree on; the outbox holds what was sent and is never
# rewritten (models/marts/delivery/outbox_tier_events.sql), so it is compared with itself.
WAREHOUSE_SCHEMAS = ("marts", "audit", "intermediate")
INCREMENTAL_READING_RULES = (
    "int_account_tiers_assigned",
    "fct_creative_requests",
    "fct_tier_members_daily",
)


def with_rows(*rows: str) -> str:
    """The shipped seed with rows added (tier,tier_rank,minimum,cap,effective_from)."""
    return SHIPPED.rstrip("\n") + "\n" + "\n".join(rows) + "\n"


# --- The plan ------------------------------------------------------------------------------


class Planned:
    """The fixture build's manifest with its seeds read from a folder of this test's own, and
    a record of every model and seed as built by the fixture build."""

    def __init__(self, root: Path, manifest_path: Path) -> None:
        self.root = root
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        shutil.copytree(PROJECT_DIR / "seeds", root / "seeds")
        for node in self.manifest["nodes"].values():
            if node["resource_type"] == "seed":
                node["root_path"] = str(root)
        self.landing = build_fixture_landing(root / "landing")
        self.warehouse = root / "warehouse.duckdb"
        self.snapshot = landing_snapshot(self.landing)
        built = [
            unique_id
            for unique_id, node in self.manifest["nodes"].items()
            if node["resource_type"] in ("model", "seed")
        ]
        self.selected = built
        record_build(
            self.manifest, BuildState(), built, self.snapshot, self.landing, FIXTURE_AS_OF
        ).save(self.warehouse)

    def write_seed(self, text: str, name: str = "tier_thresholds.csv") -> None:
        (self.root / "seeds" / name).write_text(text)

    def plan(self, as_of: date = FIXTURE_AS_OF, manifest: dict[str, Any] | None = None):
        return plan_refresh(
            manifest or self.manifest,
            self.selected,
            self.warehouse,
            self.landing,
            self.snapshot,
            as_of,
        )


@pytest.fixture
def planned(tmp_path: Path, fixture_dbt_target: Path) -> Planned:
    return Planned(tmp_path, fixture_dbt_target / "manifest.json")


def test_the_record_keeps_the_rule_rows_each_model_consumed(planned: Planned):
    models = BuildState.load(planned.warehouse).models
    shipped = models[SEED]["seeds"]["tier_thresholds"]
    assert len(shipped) == 4 and all('"effective_from": "2020-01-01"' in row for row in shipped)
    for name in (*INCREMENTAL_READING_RULES, "fct_tier_outlook", "int_tier_rules_daily"):
        assert models[f"model.tiktok_one_warehouse.{name}"]["seeds"] == {
            "tier_thresholds": shipped
        }, name
    # The spend rolled reads no rule: a rule change is nothing to it.
    assert models["model.tiktok_one_warehouse.int_account_spend_rolled_30d"]["seeds"] == {}


def test_unchanged_rules_need_nothing_beyond_the_window(planned: Planned):
    plan = planned.plan()
    assert not plan.full_refresh
    assert plan.recompute_from == WINDOW_START
    assert plan.reasons == ()


def test_rules_dated_after_the_last_as_of_date_rebuild_no_stored_day(planned: Planned):
    planned.write_seed(with_rows("classic,2,12000,50,2026-04-15", "premium,3,40000,100,2026-04-15"))
    plan = planned.plan()
    assert not plan.full_refresh
    assert plan.recompute_from == WINDOW_START  # the usual window, nothing more
    assert plan.reasons == tuple(
        f"{name}: tier_thresholds rows from 2026-04-15, after its last as-of date "
        f"{FIXTURE_AS_OF}: no stored day changes"
        for name in INCREMENTAL_READING_RULES
    )


def test_rules_dated_inside_the_window_are_recomputed_by_it(planned: Planned):
    planned.write_seed(with_rows(f"essential,1,2000,5,{WINDOW_START + timedelta(days=3)}"))
    plan = planned.plan()
    assert not plan.full_refresh and plan.recompute_from == WINDOW_START
    assert all("inside the window" in reason for reason in plan.reasons)


def test_rules_dated_before_the_window_widen_it_to_their_day(planned: Planned):
    planned.write_seed(with_rows("classic,2,12000,50,2026-01-20", "premium,3,40000,100,2026-02-10"))
    plan = planned.plan()
    assert not plan.full_refresh
    assert plan.recompute_from == date(2026, 1, 20)
    assert plan.summary() == "incremental from 2026-01-20: " + "; ".join(
        f"{name}: tier_thresholds rows from 2026-01-20, before the window"
        for name in INCREMENTAL_READING_RULES
    )


def test_a_changed_or_removed_row_is_dated_by_its_effective_from(planned: Planned):
    planned.write_seed(with_rows("classic,2,12000,50,2026-01-20"))
    state = BuildState.load(planned.warehouse)
    record_build(
        planned.manifest, state, planned.selected, planned.snapshot, planned.landing, FIXTURE_AS_OF
    ).save(planned.warehouse)
    # The same row with another minimum: the old and the new row both date from 01-20.
    planned.write_seed(with_rows("classic,2,12500,50,2026-01-20"))
    assert planned.plan().recompute_from == date(2026, 1, 20)
    # The row taken out again.
    planned.write_seed(SHIPPED)
    assert planned.plan().recompute_from == date(2026, 1, 20)


def test_an_old_rule_edited_in_place_recomputes_from_its_first_day(planned: Planned):
    """Editing a shipped row rewrites history from 2020-01-01: the whole history, by date."""
    planned.write_seed(SHIPPED.replace("classic,2,10000,50", "classic,2,12000,50"))
    plan = planned.plan()
    assert not plan.full_refresh and plan.recompute_from == date(2020, 1, 1)


def test_a_row_that_cannot_be_dated_is_a_full_refresh(planned: Planned):
    planned.write_seed(with_rows("classic,2,12000,50,next spring"))
    plan = planned.plan()
    assert plan.full_refresh
    assert "int_account_tiers_assigned: tier_thresholds rows could not be dated" in plan.reasons


def test_the_rules_shape_and_seeds_that_are_code_are_still_code(planned: Planned):
    # A new column of the dated seed: its shape is code.
    planned.write_seed(SHIPPED.replace("effective_from\n", "effective_from,note\n", 1))
    assert planned.plan().full_refresh
    planned.write_seed(SHIPPED)
    # Its column types in the YAML: code.
    retyped = copy.deepcopy(planned.manifest)
    retyped["nodes"][SEED]["config"]["column_types"]["weekly_creative_cap"] = "bigint"
    assert planned.plan(manifest=retyped).full_refresh
    # A seed without dates_moved (the day counts) is code: an edit (dbt's checksum of the file
    # changes) rebuilds whatever reads it.
    edited = copy.deepcopy(planned.manifest)
    edited["nodes"]["seed.tiktok_one_warehouse.tier_day_counts"]["checksum"]["checksum"] = "edited"
    plan = planned.plan(manifest=edited)
    assert plan.full_refresh
    assert "int_account_tiers_assigned: its code or code upstream of it changed" in plan.reasons
    # The dated seed's rows are not in any code fingerprint: a new checksum alone is nothing.
    edited = copy.deepcopy(planned.manifest)
    edited["nodes"][SEED]["checksum"]["checksum"] = "edited"
    assert not planned.plan(manifest=edited).full_refresh


# --- Whole runs on the fixture: a change worked out by hand at its edges --------------------

LONG_AGO = date(2025, 1, 1)
# Scheduled after the as-of date (next week): essential's minimum raised to 3,000.
SCHEDULED = "essential,1,3000,10,2026-04-07"
# Inside the history, before the window (from 2026-01-31): classic's minimum raised to 12,000
# and premium's lowered to 40,000 from 01-20; essential's cap cut to 5 from Wednesday 02-18.
IN_HISTORY = (
    "classic,2,12000,50,2026-01-20",
    "premium,3,40000,100,2026-01-20",
    "essential,1,2000,5,2026-02-18",
)


def scenario_account(account_id: str) -> dict:
    return {
        "account_id": account_id,
        "account_name": account_id.replace("_", " ").title(),
        "country_code": "US",
        "ads_manager_created_on": LONG_AGO,
        "tiktok_one_joined_on": LONG_AGO,
        "is_first_time_advertiser": False,
        "business_profile_completed_on": LONG_AGO,
        "is_managed": False,
        "agency_id": None,
    }


def scenario_spend(account_id: str, day: date, amount: str) -> dict:
    return {
        "account_id": account_id,
        "spend_date": day,
        "campaign_id": "cmp_rules",
        "campaign_type": "in_feed",
        "creative_id": "crt_rules",
        "is_tiktok_one_creative": True,
        "spend": Decimal(amount),
        "currency": "USD",
        "reported_at": datetime.combine(day + timedelta(days=1), datetime.min.time()),
    }


def scenario_request(request_id: str, at: datetime, creatives: int) -> dict:
    return {
        "request_id": request_id,
        "account_id": "acc_rule_cap",
        "project_id": "prj_rules",
        "requested_at": at,
        "creatives_requested": creatives,
    }


def rule_change_landing(out_dir: Path) -> Path:
    """The fixture landing zone, and a file per source of accounts made for the rule changes:
    - acc_rule_raised: 11,000 on 01-05, classic; from 01-20 classic needs 12,000;
    - acc_rule_lowered: 45,000 on 01-10, classic; from 01-20 premium needs 40,000;
    - acc_rule_cap: 3,000 on 02-10, essential all February, requests around 02-18;
    - acc_rule_scheduled: 2,500 on 03-25, essential on the as-of date.
    """
    build_fixture_landing(out_dir)
    accounts = ["acc_rule_raised", "acc_rule_lowered", "acc_rule_cap", "acc_rule_scheduled"]
    write_landing_table(
        out_dir, "accounts", [scenario_account(a) for a in accounts], "rules.parquet"
    )
    spend = [
        scenario_spend("acc_rule_raised", date(2026, 1, 5), "11000.00"),
        scenario_spend("acc_rule_lowered", date(2026, 1, 10), "45000.00"),
        scenario_spend("acc_rule_cap", date(2026, 2, 10), "3000.00"),
        scenario_spend("acc_rule_scheduled", date(2026, 3, 25), "2500.00"),
    ]
    write_landing_table(out_dir, "ad_spend", spend, "rules.parquet")
    requests = [
        scenario_request("req_rule_tue", datetime(2026, 2, 17, 9), 4),
        scenario_request("req_rule_wed", datetime(2026, 2, 18, 9), 3),
        scenario_request("req_rule_thu", datetime(2026, 2, 19, 9), 2),
    ]
    write_landing_table(out_dir, "creative_requests", requests, "rules.parquet")
    return out_dir


class FixtureRuns:
    """The daily runs of one copy of the project, in order, with a snapshot after each."""

    def __init__(self, root: Path) -> None:
        self.project = Project(root, rule_change_landing(root / "landing"))
        self.project.make_run(FIXTURE_AS_OF)
        self.shipped = self.project.snapshot("shipped")
        self.project.add_rules(SCHEDULED)
        self.project.make_run(FIXTURE_AS_OF)
        self.scheduled_refresh = self.project.last_refresh()
        self.scheduled_tags = self.project.last_run_tags()
        self.scheduled = self.project.snapshot("scheduled")
        self.project.add_rules(*IN_HISTORY)
        self.project.make_run(FIXTURE_AS_OF)
        self.in_history_refresh = self.project.last_refresh()
        self.changed = self.project.snapshot("changed")
        self.full = self.project.full_build(FIXTURE_AS_OF)


@pytest.fixture(scope="module")
def fixture_runs(tmp_path_factory: pytest.TempPathFactory) -> FixtureRuns:
    return FixtureRuns(tmp_path_factory.mktemp("rule-changes"))


def query(path: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def rows_differing(left: Path, right: Path, relation: str, where: str) -> int:
    """Rows of `relation` matching `where` in one warehouse and not the other, both ways."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as left_db (read_only)")
        connection.execute(f"attach '{right}' as right_db (read_only)")
        [(count,)] = connection.execute(
            f"""
            select count(*) from (
                (from left_db.{relation} where {where} except all
                    from right_db.{relation} where {where})
                union all
                (from right_db.{relation} where {where} except all
                    from left_db.{relation} where {where})
            )
            """
        ).fetchall()
    return count


@pytest.mark.slow
def test_a_rule_dated_after_the_as_of_date_changes_the_outlook_only(fixture_runs: FixtureRuns):
    assert "no stored day changes" in fixture_runs.scheduled_refresh
    assert "full refresh" not in fixture_runs.scheduled_refresh
    for name in INCREMENTAL_READING_RULES:
        assert (
            f"{name}: tier_thresholds rows from 2026-04-07, after its last as-of date 2026-03-31"
            in fixture_runs.scheduled_refresh
        )
    # The run's metadata says it too (its refresh tag).
    tag = fixture_runs.scheduled_tags["warehouse/refresh"]
    assert tag.startswith(f"incremental from {WINDOW_START}: ")
    assert "tier_thresholds rows from 2026-04-07, after its last as-of date" in tag
    assert relations_differ(
        fixture_runs.shipped, fixture_runs.scheduled, (*WAREHOUSE_SCHEMAS, "outbox")
    ) == ["intermediate.int_tier_rules_daily", "marts.fct_tier_outlook"]


@pytest.mark.slow
def test_the_outlook_sees_a_change_scheduled_next_week(fixture_runs: FixtureRuns):
    """2,500 on 03-25: essential while it is in the window, to 04-23, under the minimum of the
    as-of date; from 04-07 essential needs 3,000, so the last day at the tier is 04-06 and the
    tier drops, with no more spend, 30 days later: on 05-06 instead of 05-23."""
    outlook = """
        select tier, days_below_tier, downgrade_date_without_spend,
            tier_after_downgrade_without_spend
        from marts.fct_tier_outlook where account_id = 'acc_rule_scheduled'
    """
    assert query(fixture_runs.shipped, outlook) == [("essential", 0, date(2026, 5, 23), "none")]
    assert query(fixture_runs.scheduled, outlook) == [("essential", 0, date(2026, 5, 6), "none")]


@pytest.mark.slow
def test_a_rule_dated_inside_the_history_recomputes_from_its_day(fixture_runs: FixtureRuns):
    assert fixture_runs.in_history_refresh.startswith("incremental from 2026-01-20: ")
    assert (
        "int_account_tiers_assigned: tier_thresholds rows from 2026-01-20, before the window"
        in fixture_runs.in_history_refresh
    )
    # The daily run equals a full build of the same seed, every mart and table; the outbox
    # keeps the events already sent, as they were sent (never rewritten).
    assert relations_differ(fixture_runs.changed, fixture_runs.full, WAREHOUSE_SCHEMAS) == []
    assert relations_differ(fixture_runs.scheduled, fixture_runs.changed, ("outbox",)) == []


@pytest.mark.slow
def test_a_rule_change_leaves_every_day_before_it_as_it_was(fixture_runs: FixtureRuns):
    before, after = fixture_runs.scheduled, fixture_runs.changed
    for relation, where in (
        ("marts.fct_account_tier_daily", "date_day < date '2026-01-20'"),
        ("marts.fct_tier_changes", "effective_date < date '2026-01-20'"),
        ("marts.fct_tier_members_daily", "date_day < date '2026-01-20'"),
        ("marts.fct_creative_requests", "requested_at < timestamp '2026-01-20'"),
        ("marts.fct_downgrade_warnings", "coalesce(resolved_on, warning_date) < date '2026-01-20'"),
    ):
        assert rows_differing(before, after, relation, where) == 0, relation
    # ... and changes the days from it.
    assert rows_differing(before, after, "marts.fct_account_tier_daily", "true") > 0


@pytest.mark.slow
def test_a_raised_minimum_holds_the_tier_29_days_warns_on_the_25th_downgrades_on_the_30th(
    fixture_runs: FixtureRuns,
):
    """11,000 on 01-05: classic under 10,000. From 01-20 classic needs 12,000: q is essential
    from 01-20 (the last day at classic is 01-19), classic holds on 01-20 .. 02-17 (29 days
    below), the warning goes out on 02-13 (the 25th day) and the downgrade lands on 02-18 (the
    30th), to essential, the best q of those 30 days. Under the old minimum it held to 03-04."""
    days = query(
        fixture_runs.changed,
        """
        select date_day, qualified_tier, tier, days_below_tier from marts.fct_account_tier_daily
        where account_id = 'acc_rule_raised' and date_day between date '2026-01-18'
            and date '2026-02-19'
        order by date_day
        """,
    )
    expected = []
    for offset in range(33):
        day = date(2026, 1, 18) + timedelta(days=offset)
        if day < date(2026, 1, 20):
            qualified = "classic"
        else:  # 11,000 is below 12,000; 01-05 leaves the window on 02-04.
            qualified = "essential" if day <= date(2026, 2, 3) else "none"
        if day < date(2026, 1, 20):
            expected.append((day, qualified, "classic", 0))
        elif day < date(2026, 2, 18):
            expected.append((day, qualified, "classic", (day - date(2026, 1, 19)).days))
        else:
            expected.append((day, qualified, "essential", (day - date(2026, 2, 3)).days))
    assert days == expected
    assert query(
        fixture_runs.changed,
        """
        select warning_date, tier_at_risk, below_since, scheduled_downgrade_date, projected_tier,
            outcome, resolved_on
        from marts.fct_downgrade_warnings
        where account_id = 'acc_rule_raised' and tier_at_risk = 'classic'
        """,
    ) == [
        (
            date(2026, 2, 13),
            "classic",
            date(2026, 1, 20),
            date(2026, 2, 18),
            "essential",
            "downgraded",
            date(2026, 2, 18),
        )
    ]
    changes = """
        select effective_date, change_type, from_tier, to_tier, change_reason
        from marts.fct_tier_changes
        where account_id = 'acc_rule_raised' and change_type = 'downgrade'
        order by effective_date
    """
    first = query(fixture_runs.changed, changes)[0]
    assert first[:4] == (date(2026, 2, 18), "downgrade", "classic", "essential")
    # The reason quotes the minimum in effect on the day it explains.
    assert "below Classic's $12,000 since 2026-01-20" in first[4]
    assert query(fixture_runs.scheduled, changes)[0][:4] == (
        date(2026, 3, 5),
        "downgrade",
        "classic",
        "none",
    )


@pytest.mark.slow
def test_a_lowered_minimum_upgrades_the_same_day(fixture_runs: FixtureRuns):
    """45,000 on 01-10: classic under premium's 50,000; premium from 01-20, the day its minimum
    becomes 40,000."""
    changes = """
        select effective_date, change_type, from_tier, to_tier, change_reason
        from marts.fct_tier_changes
        where account_id = 'acc_rule_lowered' and effective_date >= date '2026-01-10'
        order by effective_date
    """
    changed = query(fixture_runs.changed, changes)
    assert [row[:4] for row in changed] == [
        (date(2026, 1, 10), "upgrade", "none", "classic"),
        (date(2026, 1, 20), "upgrade", "classic", "premium"),
        (date(2026, 3, 10), "downgrade", "premium", "none"),
    ]
    assert "at or above Premium's $40,000" in changed[1][4]
    assert [row[:4] for row in query(fixture_runs.scheduled, changes)] == [
        (date(2026, 1, 10), "upgrade", "none", "classic"),
        (date(2026, 3, 10), "downgrade", "classic", "none"),
    ]


@pytest.mark.slow
def test_a_requests_cap_on_the_day_the_cap_changes(fixture_runs: FixtureRuns):
    """Essential all week; the cap is 10 on Tuesday 02-17 and 5 from Wednesday 02-18, the day
    of the cut: the 4 creatives of Tuesday fit, Wednesday's 3 meet a cap of 5 with 4 already
    requested (1 fits), Thursday's 2 are over."""
    requests = """
        select request_id, tier, weekly_cap, creatives_within_cap, creatives_over_cap
        from marts.fct_creative_requests where account_id = 'acc_rule_cap' order by requested_at
    """
    assert query(fixture_runs.changed, requests) == [
        ("req_rule_tue", "essential", 10, 4, 0),
        ("req_rule_wed", "essential", 5, 1, 2),
        ("req_rule_thu", "essential", 5, 0, 2),
    ]
    assert query(fixture_runs.scheduled, requests) == [
        ("req_rule_tue", "essential", 10, 4, 0),
        ("req_rule_wed", "essential", 10, 3, 0),
        ("req_rule_thu", "essential", 10, 2, 0),
    ]


# --- Whole runs on a generated landing zone ------------------------------------------------

GENERATED_END = date(2026, 11, 20)
GENERATED_CHANGE = GENERATED_END - timedelta(days=90)


@pytest.fixture(scope="module")
def generated_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("rule-changes-generated")
    subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "python"),
            "-m",
            "warehouse.generate",
            "--accounts",
            "300",
            "--days",
            "150",
            "--seed",
            "11",
            "--end-date",
            GENERATED_END.isoformat(),
            "--out",
            str(root / "landing"),
        ],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    )
    project = Project(root, root / "landing")
    project.make_run(GENERATED_END)
    project.snapshot("before")
    # Every minimum raised by half, every cap halved, 90 days back (outside the window).
    project.add_rules(
        *(
            f"{tier},{rank},{minimum},{cap},{GENERATED_CHANGE}"
            for tier, rank, minimum, cap in (
                ("none", 0, 0, 0),
                ("essential", 1, 3000, 5),
                ("classic", 2, 15000, 25),
                ("premium", 3, 75000, 50),
            )
        )
    )
    project.make_run(GENERATED_END)
    yield project


@pytest.mark.slow
def test_a_generated_history_with_a_change_inside_it_equals_a_full_build(
    generated_runs: Project,
):
    project = generated_runs
    assert project.last_refresh().startswith(f"incremental from {GENERATED_CHANGE}: ")
    assert (
        relations_differ(project.warehouse, project.full_build(GENERATED_END), WAREHOUSE_SCHEMAS)
        == []
    )
    before = project.root / "before.duckdb"
    # The events already sent stay as they were sent.
    assert relations_differ(before, project.warehouse, ("outbox",)) == []
    day = f"date '{GENERATED_CHANGE}'"
    assert (
        rows_differing(
            before, project.warehouse, "marts.fct_account_tier_daily", f"date_day < {day}"
        )
        == 0
    )
    assert (
        rows_differing(
            before, project.warehouse, "marts.fct_tier_changes", f"effective_date < {day}"
        )
        == 0
    )
    # From the change on, members fall or keep their tier on less headroom: the tiers differ.
    assert (
        rows_differing(
            before, project.warehouse, "marts.fct_account_tier_daily", f"date_day >= {day}"
        )
        > 0
    )
    [(raised_caps,)] = query(
        project.warehouse,
        f"""
        select count(*) from marts.fct_creative_requests
        where cast(requested_at as date) >= {day} and tier = 'classic' and weekly_cap != 25
        """,
    )
    assert raised_caps == 0


# --- The dashboard reads the rules of the day ----------------------------------------------


def test_the_dashboard_shows_the_rules_in_effect_and_the_ones_scheduled(
    published_fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """In a copy whose rules changed in the history (classic 12,000 from 01-20) and have a
    change scheduled (essential 3,000 from 04-07): the caps and minimums shown are those in
    effect on the as-of date, the scheduled change is named, and the account timeline draws
    each minimum over the days it was in effect."""
    copied = tmp_path / "bi.duckdb"
    shutil.copy(published_fixture, copied)
    with duckdb.connect(str(copied)) as connection:
        connection.execute(
            """
            insert into rules.tier_thresholds values
                ('classic', 2, 12000, 40, date '2026-01-20'),
                ('essential', 1, 3000, 10, date '2026-04-07')
            """
        )
    monkeypatch.setenv("PUBLISHED_WAREHOUSE_PATH", str(copied))
    monkeypatch.delenv("WHAT_IF_PATH", raising=False)
    app = AppTest.from_file(str(PROJECT_DIR / "dashboard" / "app.py"), default_timeout=60).run()
    assert not app.exception
    captions = [caption.value for caption in app.caption]
    assert any(
        "Weekly caps per account: Essential 10, Classic 40, Premium 100 creatives" in caption
        and "Scheduled: from 2026-04-07, Essential $3,000.00 (cap 10)." in caption
        for caption in captions
    ), captions
    assert "What-if" not in app.radio(key="page").options
    app.radio(key="page").set_value("Account").run()
    app.text_input(key="account_search").set_value("acc_two_step_drop").run()
    assert not app.exception
    [timeline] = [
        element
        for element in app.get("vega_lite_chart")
        if "against the tier minimums" in element.proto.spec
    ]
    frames = [
        pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in timeline.proto.datasets
    ]
    minimums = next(frame for frame in frames if "valid_until" in frame.columns)
    classic = minimums[minimums["tier"] == "classic"].sort_values("valid_from")
    assert list(classic["min_rolling_30d_spend_usd"]) == [10000, 12000]
    assert classic["valid_until"].iloc[0] == classic["valid_from"].iloc[1]
    assert classic["valid_from"].iloc[1].date() == date(2026, 1, 20)
