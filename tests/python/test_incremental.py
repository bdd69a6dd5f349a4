"""An incremental build gives the marts of a full rebuild, whatever the day brought.

One small generated landing zone (300 accounts x 150 days) in a copy of the project, driven
the way an operator drives it: `make run` (the Dagster job, which decides per model how much
to refresh), and the Dagster CLI for a partial run. After each step the marts are compared,
row for row, with a full build of the same landing zone and code into a fresh file. The steps
share one warehouse, in order:

1. the first `make run` (a full build);
2. a realistic day: a new file in every source, a restatement 30 days back (inside the
   window) and one 90 days back (outside it), then `make run`: it widens the window; plain
   `dbt run` with the default window would not see the old restatement (shown on a copy).
   (An as-of date moved back and forward with plain `dbt run`: test_reliability.py; a
   restatement then a partial run through Dagster: test_partial_run.py.)
3. an edit of an incremental model's SQL (the day the spend basis switches), then one
   unrelated mart materialized alone with the Dagster CLI, which must not count the edit as
   built, then `make run`: the code change full-refreshes; then an edit of a macro, then
   `make run` again.

Slow tier: the incremental equalities.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.python.project_copy import Project
from warehouse.compare import relations_differ
from warehouse.config import PROJECT_DIR
from warehouse.landing_day import land_day, restate_spend
from warehouse.refresh import STATE_FILE, state_dir

pytestmark = pytest.mark.slow

END = date(2026, 11, 20)
DAY = END + timedelta(days=1)
ROLLED_MODEL = "models/intermediate/tiering/int_account_spend_rolled_30d.sql"
ROLLED_ID = "model.tiktok_one_warehouse.int_account_spend_rolled_30d"
COUPONS = "marts/fct_coupon_redemptions"
# The stored models of every layer, not only what the marts show: the staged spend and the
# intermediate tier models are stored by day window too.
COMPARED = ("staging", "intermediate", "marts", "audit")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("incremental")
    place = Project(root, root / "landing")
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
            END.isoformat(),
            "--out",
            str(place.landing),
        ],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    )
    place.make_run(END)
    return place


def recorded(project: Project, unique_id: str) -> dict:
    """What the refresh record says a model consumed when it last succeeded."""
    state = json.loads((state_dir(project.warehouse) / STATE_FILE).read_text())
    return state["models"][unique_id]


def test_the_first_make_run_is_a_full_build(project: Project):
    assert project.last_refresh().startswith("full refresh")
    assert relations_differ(project.warehouse, project.full_build(END), COMPARED) == []


@pytest.fixture(scope="module")
def realistic_day(project: Project) -> Path:
    """A new file in every source and two restatements, before `make run` as of DAY."""
    before = project.root / "before-day.duckdb"
    shutil.copy(project.warehouse, before)
    land_day(project.landing, DAY)
    restate_spend(project.landing, END - timedelta(days=30), DAY)
    restate_spend(project.landing, END - timedelta(days=90), DAY)
    project.make_run(DAY)
    return before


def test_a_realistic_day_gives_the_marts_of_a_full_rebuild(project: Project, realistic_day):
    old_day = END - timedelta(days=90)
    refresh = project.last_refresh()
    assert refresh.startswith(f"incremental from {old_day}: "), refresh
    assert f"stg_ads_manager__ad_spend: new ad_spend rows from {old_day}" in refresh
    assert f"int_account_spend_daily: new ad_spend rows from {old_day}" in refresh
    assert relations_differ(project.warehouse, project.full_build(DAY), COMPARED) == []


def test_the_default_window_alone_would_miss_the_old_restatement(
    project: Project, realistic_day: Path
):
    """Why the orchestrator widens the window: plain `dbt run` keeps the stale days."""
    project.dbt("run", realistic_day, DAY)
    full = project.full_build(DAY)
    old_day = END - timedelta(days=90)

    def spend_on(path: Path) -> Decimal:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(
                "select sum(any_spend_usd) from intermediate.int_account_spend_daily "
                "where date_day = ?",
                [old_day],
            ).fetchone()[0]

    assert spend_on(realistic_day) < spend_on(full)  # restated at 110 %, not seen
    assert "staging.stg_ads_manager__ad_spend" in relations_differ(realistic_day, full, COMPARED)


def test_an_edited_model_survives_a_partial_run_and_is_refreshed_by_make_run(
    project: Project, realistic_day
):
    # A rule change: spend on any creative counts one day longer after joining.
    project.edit(
        ROLLED_MODEL,
        "{{ add_days('joined_on', basis_days) }}",
        "{{ add_days('joined_on', basis_days + 1) }}",
    )
    before = recorded(project, ROLLED_ID)
    # An operator materializes one unrelated mart alone, as the UI or the CLI starts it.
    partial = project.dagster(
        "asset", "materialize", "-m", "orchestration.definitions", "--select", COUPONS
    )
    assert partial.returncode == 0, partial.stdout[-3000:] + partial.stderr[-3000:]
    with dg.DagsterInstance.from_config(str(project.dagster_home)) as instance:
        [run] = instance.get_runs(limit=1)
        assert run.status == dg.DagsterRunStatus.SUCCESS
        latest = {
            key: instance.get_latest_materialization_event(dg.AssetKey(key.split("/")))
            for key in (COUPONS, "intermediate/int_account_spend_rolled_30d")
        }
    assert {key: event.run_id == run.run_id for key, event in latest.items() if event} == {
        COUPONS: True,
        "intermediate/int_account_spend_rolled_30d": False,
    }
    # The edited model was not built: its record still has the code it was built with.
    assert recorded(project, ROLLED_ID) == before

    project.make_run(DAY)
    refresh = project.last_refresh()
    assert refresh.startswith("full refresh: "), refresh
    assert "int_account_spend_rolled_30d: its code or code upstream of it changed" in refresh
    assert recorded(project, ROLLED_ID)["code"] != before["code"]
    assert relations_differ(project.warehouse, project.full_build(DAY)) == []


def test_an_edit_of_a_macro_is_refreshed_by_make_run(project: Project, realistic_day):
    # The tier a spend reaches (join_tier_reached): every minimum halved (the spend compared
    # is doubled).
    project.edit(
        "macros/engine.sql",
        "{{ relation }}.{{ spend_column }}",
        "(2 * {{ relation }}.{{ spend_column }})",
    )
    project.make_run(DAY)
    refresh = project.last_refresh()
    # Every project macro counts for every model (warehouse/refresh.py, code_fingerprints): a
    # macro called only on an incremental run is not in the parse's lists of what a model calls.
    assert refresh.startswith("full refresh: "), refresh
    assert "int_account_tiers_assigned: its code or code upstream of it changed" in refresh
    assert relations_differ(project.warehouse, project.full_build(DAY)) == []
