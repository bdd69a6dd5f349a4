"""Bad input: every raw row is staged, superseded by a restatement, or quarantined with a
reason; a landing zone that breaks the contract stops the build with a message naming it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.fixtures import build_fixture_landing


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


def _run_dbt(landing: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "dbt"),
            "run",
            "--select",
            "int_as_of_date",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=PROJECT_DIR,
        env=dbt_env(landing, tmp_path / "broken.duckdb"),
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def broken_landings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("broken")
    missing = build_fixture_landing(root / "missing_folder")
    shutil.rmtree(missing / "invoices")
    wrong_type = build_fixture_landing(root / "wrong_type")
    table = pq.read_table(wrong_type / "ad_spend" / "tiering.parquet")
    table = table.set_column(
        table.schema.get_field_index("spend"), "spend", table["spend"].cast(pa.string())
    )
    pq.write_table(table, wrong_type / "ad_spend" / "tiering.parquet")
    return root


def test_missing_landing_folder_names_the_source(broken_landings, tmp_path):
    result = _run_dbt(broken_landings / "missing_folder", tmp_path)
    assert result.returncode != 0
    assert "Landing source 'invoices': no Parquet file" in result.stdout


def test_wrong_column_type_names_source_column_and_file(broken_landings, tmp_path):
    result = _run_dbt(broken_landings / "wrong_type", tmp_path)
    assert result.returncode != 0
    assert "Landing source 'ad_spend': column 'spend' is VARCHAR" in result.stdout
    assert "tiering.parquet" in result.stdout
