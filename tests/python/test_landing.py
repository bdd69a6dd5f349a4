"""Bad input: every raw row is staged, superseded by a restatement, or quarantined with a
reason; a landing zone that breaks the contract stops the build with a message naming it; the
latest spend day is the same for `make run` (Python) and for dbt."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.python.dbt_runs import Dbt, run_side_by_side
from warehouse.contract import LANDING_SCHEMAS, write_landing_table
from warehouse.fixtures import FIXTURE_AS_OF, build_fixture_landing
from warehouse.landing import latest_spend_date


def test_every_raw_row_is_accounted_for(warehouse):
    unbalanced = warehouse.sql(
        """
        select source_name, raw_rows, staged_rows, superseded_rows, quarantined_rows
        from audit.audit_landing_row_counts
        where raw_rows != staged_rows + superseded_rows + quarantined_rows
            or superseded_rows < 0
        """
    ).fetchall()
    assert unbalanced == []
    sources = {
        row[0]
        for row in warehouse.sql(
            "select source_name from audit.audit_landing_row_counts"
        ).fetchall()
    }
    assert len(sources) == 12


def test_raw_rows_match_the_landing_files(warehouse, fixture_warehouse):
    counted = dict(
        warehouse.sql("select source_name, raw_rows from audit.audit_landing_row_counts").fetchall()
    )
    landing = fixture_warehouse.parent / "landing"
    if not landing.exists():
        pytest.skip("fixture landing zone not beside the warehouse")
    on_disk = {
        folder.name: sum(pq.read_metadata(file).num_rows for file in folder.glob("*.parquet"))
        for folder in landing.iterdir()
    }
    assert counted == on_disk


def test_bad_rows_are_quarantined_with_their_reason(warehouse):
    reasons = warehouse.sql(
        """
        select source_name, quarantine_reason, count(*)
        from audit.quarantined_landing_rows
        where source_name in ('accounts', 'ad_spend')
        group by all order by all
        """
    ).fetchall()
    assert reasons == [
        ("accounts", "conflicting_duplicate_key", 2),
        ("accounts", "duplicate_row", 1),
        ("accounts", "null_key", 1),
        ("ad_spend", "negative_spend", 1),
        ("ad_spend", "no_fx_rate", 1),
        ("ad_spend", "null_key", 1),
        ("ad_spend", "null_spend", 1),
        ("ad_spend", "unknown_account", 2),
    ]


# --- Plain dbt on broken landing zones: its on-run-start checks stop it -----------------------
#
# Every command below is plain `dbt run` of one small model (its hooks run first), each on its
# own landing zone or warehouse; they run side by side once per module (dbt_runs.py). Slow tier:
# each is a dbt process of its own.

AS_OF_MODEL = ("run", "--select", "int_as_of_date")
# One view that reads nothing but a landing source: it builds in a moment when the hooks pass.
ONE_VIEW = ("run", "--select", "base_reference__fx_rates")


def _files(landing: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(landing.rglob("*")) if path.is_file()}


@dataclass
class Checked:
    """The landing zones the commands read, their files before, and each command's result
    (command `name` built into `<root>/<name>.duckdb`)."""

    root: Path
    landings: dict[str, Path]
    before: dict[str, dict[str, bytes]]
    results: dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    root = tmp_path_factory.mktemp("landing_checks")
    missing = build_fixture_landing(root / "missing_folder")
    shutil.rmtree(missing / "invoices")
    wrong_type = build_fixture_landing(root / "wrong_type")
    table = pq.read_table(wrong_type / "ad_spend" / "tiering.parquet")
    table = table.set_column(
        table.schema.get_field_index("spend"), "spend", table["spend"].cast(pa.string())
    )
    pq.write_table(table, wrong_type / "ad_spend" / "tiering.parquet")
    # The fixture landing zone: spend up to 2026-03-31.
    guarded = build_fixture_landing(root / "guarded")
    not_parquet = build_fixture_landing(root / "not_parquet")
    (not_parquet / "ad_spend" / "restatement.csv").write_text(
        "account_id,spend_date,spend\nacc_1,2026-03-30,12.00\n"
    )
    (not_parquet / "notes.txt").write_text("at the root, not in a source folder: not read")
    landings = {
        "missing_folder": missing,
        "wrong_type": wrong_type,
        "guarded": guarded,
        "not_parquet": not_parquet,
        "edge": edge_landing(root / "edge"),
    }
    commands = {
        "missing_folder": (AS_OF_MODEL, "missing_folder"),
        "wrong_type": (AS_OF_MODEL, "wrong_type"),
        "after_spend": ((*ONE_VIEW, "--vars", "{as_of_date: 2026-04-05}"), "guarded"),
        "told_no_one_spent": (
            (*ONE_VIEW, "--vars", "{as_of_date: 2026-04-05, allow_as_of_without_spend: true}"),
            "guarded",
        ),
        "not_a_date": ((*ONE_VIEW, "--vars", "{as_of_date: '2026-13-01'}"), "guarded"),
        "not_parquet": (ONE_VIEW, "not_parquet"),
        # Without the as_of_date var: dbt's own latest spend day.
        "latest_spend_day": (AS_OF_MODEL, "edge"),
    }
    before = {name: _files(landing) for name, landing in landings.items()}
    results = run_side_by_side(
        {
            name: Dbt(args, landings[landing], root / f"{name}.duckdb", root / f"target-{name}")
            for name, (args, landing) in commands.items()
        }
    )
    return Checked(root, landings, before, results)


@pytest.mark.slow
def test_no_command_changed_a_landing_file(checked):
    assert {name: _files(landing) for name, landing in checked.landings.items()} == checked.before


@pytest.mark.slow
def test_missing_landing_folder_names_the_source(checked):
    result = checked.results["missing_folder"]
    assert result.returncode != 0
    assert "Landing source 'invoices': no Parquet file" in result.stdout


@pytest.mark.slow
def test_wrong_column_type_names_source_column_and_file(checked):
    result = checked.results["wrong_type"]
    assert result.returncode != 0
    assert "Landing source 'ad_spend': column 'spend' is VARCHAR" in result.stdout
    assert "tiering.parquet" in result.stdout
    assert "Replace or remove that file (the contract: models/staging/" in result.stdout


@pytest.mark.slow
def test_plain_dbt_refuses_an_as_of_date_after_the_latest_spend(checked):
    result = checked.results["after_spend"]
    guarded = checked.landings["guarded"]
    assert result.returncode != 0
    assert (
        f"as_of_date 2026-04-05 is after the latest spend_date in {guarded}/ad_spend (2026-03-31)"
    ) in result.stdout
    assert "allow_as_of_without_spend: true" in result.stdout
    assert "OK created" not in result.stdout
    assert _files(guarded) == checked.before["guarded"]


@pytest.mark.slow
def test_plain_dbt_builds_after_the_latest_spend_when_told_no_one_spent(checked):
    result = checked.results["told_no_one_spent"]
    assert result.returncode == 0, result.stdout[-3000:]
    assert "OK created sql view model staging.base_reference__fx_rates" in result.stdout


@pytest.mark.slow
def test_plain_dbt_refuses_an_as_of_date_that_is_not_a_date(checked):
    result = checked.results["not_a_date"]
    assert result.returncode != 0
    assert "as_of_date '2026-13-01' is not a date: give it as YYYY-MM-DD" in result.stdout


@pytest.mark.slow
def test_a_file_that_is_not_parquet_stops_the_run_naming_it(checked):
    result = checked.results["not_parquet"]
    landing = checked.landings["not_parquet"]
    assert result.returncode != 0
    restatement = landing / "ad_spend" / "restatement.csv"
    assert f"Landing file not read: {restatement} is not a Parquet file" in result.stdout
    assert "notes.txt" not in result.stdout
    assert _files(landing) == checked.before["not_parquet"]


# --- The latest spend day: one definition, a Python copy for `make run` ----------------------


def _spend_row(account_id: str, day: date, reported_at: datetime, spend: str = "10.00") -> dict:
    return {
        "account_id": account_id,
        "spend_date": day,
        "campaign_id": "cmp_edge",
        "campaign_type": "auction",
        "creative_id": f"cr_edge_{day}",
        "is_tiktok_one_creative": True,
        "spend": Decimal(spend),
        "currency": "USD",
        "reported_at": reported_at,
    }


RESTATED_DAY = FIXTURE_AS_OF + timedelta(days=3)


def edge_landing(root: Path) -> Path:
    """The fixture landing zone (spend up to the as-of date) plus rows after it that decide
    the latest spend day: a row dated after its report (not counted), the same after its
    report in UTC but not in Tokyo (not counted), one with no report time (quarantined, not
    counted), and a row first reported too early, restated by a later report that covers
    its day (counted), for an account the landing zone does not know (quarantined in
    staging, yet its report still covers the day)."""
    landing = build_fixture_landing(root / "landing")
    early = datetime(2026, 4, 1, 8)
    write_landing_table(
        landing,
        "ad_spend",
        [
            _spend_row("acc_historical_basis", FIXTURE_AS_OF + timedelta(days=20), early),
            _spend_row("acc_historical_basis", FIXTURE_AS_OF + timedelta(days=15), early)
            | {"reported_at": None},
            _spend_row("acc_not_in_accounts", RESTATED_DAY, early),
        ],
        "edge.parquet",
    )
    write_landing_table(
        landing,
        "ad_spend",
        [_spend_row("acc_not_in_accounts", RESTATED_DAY, datetime(2026, 4, 2, 12), "12.00")],
        "edge-restated.parquet",
    )
    schema = LANDING_SCHEMAS["ad_spend"]
    tokyo = schema.set(
        schema.get_field_index("reported_at"),
        pa.field("reported_at", pa.timestamp("us", "Asia/Tokyo")),
    )
    # 2026-04-04 02:00 in Tokyo is 04-03 17:00 UTC: a report of 04-03, which cannot cover 04-05.
    reported = datetime(2026, 4, 4, 2, tzinfo=timezone(timedelta(hours=9)))
    row = _spend_row("acc_historical_basis", FIXTURE_AS_OF + timedelta(days=5), reported)
    pq.write_table(
        pa.Table.from_pylist([row], schema=tokyo), landing / "ad_spend" / "edge-tokyo.parquet"
    )
    return landing


@pytest.mark.slow
def test_make_runs_latest_spend_day_is_dbts(checked):
    """`make run`'s default as-of date (warehouse/landing.py) and dbt's (int_as_of_date built
    without the as_of_date var, macros/as_of_date.sql) agree on a landing zone whose latest
    rows are each counted or not for a different reason."""
    result = checked.results["latest_spend_day"]
    assert result.returncode == 0, result.stdout[-3000:]
    warehouse = checked.root / "latest_spend_day.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [(dbts,)] = connection.execute(
            "select as_of_date from intermediate.int_as_of_date"
        ).fetchall()
    assert latest_spend_date(checked.landings["edge"]) == dbts
    assert dbts == RESTATED_DAY  # each later row was left out, the restatement counted
