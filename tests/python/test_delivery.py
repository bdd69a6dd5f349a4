"""What leaves the warehouse, without Dagster: the notifications outbox and the BI copy.

The outbox table is the dbt model `outbox.tier_events`, appended day by day and never
rewritten; `warehouse.outbox.export_day` writes a day's file from it. The fast tests export
from a copy of the fixture warehouse (whose first build wrote its as-of date's events); the
slow one builds the outbox with plain dbt on a copy, as of an earlier day and then as of the
fixture's, to see it catch up, never rewrite a day, and refuse a table of another shape.
Everything runs on copies (the session's fixture warehouse is open read-only).
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.fixtures import FIXTURE_AS_OF
from warehouse.outbox import EVENT_SCHEMA, DayNotWritten, event_file, export_day
from warehouse.publish import STORAGE_VERSION, publish_marts, published_as_of

TIER_MARTS = [
    "dim_account_tier_periods",
    "dim_accounts",
    "fct_account_tier_daily",
    "fct_creative_requests",
    "fct_downgrade_warnings",
    "fct_tier_changes",
]
KEEP_TIER_BY = date(2026, 4, 5)


@pytest.fixture
def warehouse_copy(fixture_warehouse: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(fixture_warehouse, copy)
    return copy


def export(warehouse: Path, outbox: Path, *days: date) -> list[Path]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [export_day(connection, outbox, day)[0] for day in days]
    finally:
        connection.close()


def rows(file: Path) -> list[dict]:
    return pq.read_table(file).to_pylist()


def table_rows(warehouse: Path, where: str = "true", params: list | None = None) -> list[tuple]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return connection.execute(
            f"select * from outbox.tier_events where {where} order by all", params or []
        ).fetchall()
    finally:
        connection.close()


def test_the_as_of_days_file_holds_that_days_events_from_the_outbox_table(warehouse_copy, tmp_path):
    outbox = tmp_path / "outbox"
    [file] = export(warehouse_copy, outbox, FIXTURE_AS_OF)
    assert file == outbox / "tier_events" / "date=2026-03-31" / "events.parquet"
    assert pq.read_schema(file).remove_metadata() == EVENT_SCHEMA
    events = rows(file)
    # acc_historical_basis (warehouse/fixtures/tiering.py): downgraded to none on 03-31.
    assert ("acc_historical_basis", "downgrade", "in_product") in [
        (row["account_id"], row["event_type"], row["channel"]) for row in events
    ]
    # The file is the table's rows of that day, in the file's order.
    in_table = table_rows(warehouse_copy, "event_date = ?", [FIXTURE_AS_OF])
    assert sorted(tuple(row.values()) for row in events) == in_table
    keys = [
        (row["event_date"], row["account_id"], row["event_type"], row["channel"]) for row in events
    ]
    assert keys == sorted(keys)


def test_a_warning_on_the_as_of_date_carries_what_keeps_the_tier(warehouse_copy, tmp_path):
    [file] = export(warehouse_copy, tmp_path / "outbox", FIXTURE_AS_OF)
    today = rows(file)
    # acc_warned_on_as_of (warehouse/fixtures/tiering.py): warned on the as-of date, 25 days
    # below classic, with 2,500 spent in the 29 days up to it: 7,500 on 04-01 keeps classic,
    # and 04-05 (its scheduled downgrade date) is the last day to reach 10,000.
    assert [
        (row["channel"], row["spend_to_keep_tier_usd"], row["keep_tier_by"])
        for row in today
        if row["account_id"] == "acc_warned_on_as_of"
    ] == [
        ("email", Decimal("7500.00"), KEEP_TIER_BY),
        ("in_product", Decimal("7500.00"), KEEP_TIER_BY),
    ]
    # A downgrade (acc_historical_basis's, on the as-of date) has nothing to keep.
    others = [row for row in today if row["event_type"] != "downgrade_warning"]
    assert others
    assert {(row["spend_to_keep_tier_usd"], row["keep_tier_by"]) for row in others} == {
        (None, None)
    }


def test_exporting_a_day_again_writes_the_same_bytes(warehouse_copy, tmp_path):
    outbox = tmp_path / "outbox"
    [file] = export(warehouse_copy, outbox, FIXTURE_AS_OF)
    before = file.read_bytes()
    export(warehouse_copy, outbox, FIXTURE_AS_OF)
    assert file.read_bytes() == before
    assert not list(outbox.rglob("*.tmp"))


def test_a_day_the_table_holds_no_events_for_is_an_empty_file(warehouse_copy, tmp_path):
    """The first build wrote its as-of date only: an earlier day has no events in the table."""
    day = FIXTURE_AS_OF - timedelta(days=1)
    assert table_rows(warehouse_copy, "event_date = ?", [day]) == []
    [file] = export(warehouse_copy, tmp_path / "outbox", day)
    assert pq.read_metadata(file).num_rows == 0
    assert pq.read_schema(file).remove_metadata() == EVENT_SCHEMA


def test_a_day_after_the_warehouses_as_of_date_is_refused(warehouse_copy, tmp_path):
    outbox = tmp_path / "outbox"
    with pytest.raises(DayNotWritten) as refused:
        export(warehouse_copy, outbox, FIXTURE_AS_OF + timedelta(days=1))
    assert str(refused.value) == (
        "The warehouse is built as of 2026-03-31, before 2026-04-01: build it as of 2026-04-01 "
        "or later (the warehouse_build job), then export the day."
    )
    assert not outbox.exists()


# --- The outbox model, built with plain dbt ---------------------------------------------------

FIRST_DAY = date(2026, 3, 20)  # a day with events (acc_two_step_drop is downgraded)


def dbt_outbox(
    landing: Path, warehouse: Path, target: Path, as_of: date
) -> subprocess.CompletedProcess[str]:
    """`dbt run` of the as-of date and the outbox model alone: the marts stay as built."""
    return subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "dbt"),
            "run",
            "--select",
            "int_as_of_date",
            "outbox_tier_events",
            "--target-path",
            str(target),
            "--vars",
            json.dumps({"as_of_date": as_of.isoformat()}),
        ],
        cwd=PROJECT_DIR,
        env=dbt_env(landing, warehouse),
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_the_outbox_catches_up_missed_days_and_never_rewrites_one(
    fixture_warehouse, fixture_landing, tmp_path
):
    """A copy of the fixture warehouse with no outbox yet: a build as of 03-20 writes that day;
    a build as of 03-31 writes the days since, each day's file its own events; a build as of
    an earlier day or the same day again writes nothing; a table of another shape is refused
    and kept."""
    warehouse, outbox, target = tmp_path / "warehouse.duckdb", tmp_path / "outbox", tmp_path / "t"
    shutil.copyfile(fixture_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("drop table outbox.tier_events")

    first = dbt_outbox(fixture_landing, warehouse, target, FIRST_DAY)
    assert first.returncode == 0, first.stdout[-3000:]
    assert {row[1] for row in table_rows(warehouse)} == {FIRST_DAY}
    caught_up = dbt_outbox(fixture_landing, warehouse, target, FIXTURE_AS_OF)
    assert caught_up.returncode == 0, caught_up.stdout[-3000:]
    written = table_rows(warehouse)
    days = [FIRST_DAY + timedelta(days=n) for n in range((FIXTURE_AS_OF - FIRST_DAY).days + 1)]
    files = export(warehouse, outbox, *days)

    # acc_historical_basis: warned on its 25th day below essential (03-26), downgraded to none
    # on the 30th (03-31).
    warning = rows(event_file(outbox, date(2026, 3, 26)))
    assert [
        (row["event_type"], row["channel"], row["from_tier"], row["to_tier"])
        for row in warning
        if row["account_id"] == "acc_historical_basis"
    ] == [
        ("downgrade_warning", "email", "essential", "none"),
        ("downgrade_warning", "in_product", "essential", "none"),
    ]
    # acc_below_29_days was warned on 03-27: a caught-up day carries no outlook (the tier
    # outlook is the as-of date's only); the as-of date's warning does.
    earlier = rows(event_file(outbox, date(2026, 3, 27)))
    assert [
        (row["event_type"], row["spend_to_keep_tier_usd"], row["keep_tier_by"])
        for row in earlier
        if row["account_id"] == "acc_below_29_days"
    ] == [("downgrade_warning", None, None)] * 2
    assert [
        (row["channel"], row["spend_to_keep_tier_usd"])
        for row in rows(event_file(outbox, FIXTURE_AS_OF))
        if row["account_id"] == "acc_warned_on_as_of"
    ] == [("email", Decimal("7500.00")), ("in_product", Decimal("7500.00"))]
    # Each day's file holds its own events, all of the table's, each event once.
    assert sum(pq.read_metadata(file).num_rows for file in files) == len(written)
    for day, file in zip(days, files, strict=True):
        assert {row["event_date"] for row in rows(file)} <= {day}
    assert len({row[0] for row in written}) == len(written)

    # Events already written are never rewritten: as of an earlier day, or the same day again.
    for as_of in (date(2026, 3, 28), FIXTURE_AS_OF):
        again = dbt_outbox(fixture_landing, warehouse, target, as_of)
        assert again.returncode == 0, again.stdout[-3000:]
        assert table_rows(warehouse) == written

    # A table of another shape (say, written before the outlook's columns) stops the model.
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("alter table outbox.tier_events drop column keep_tier_by")
    refused = dbt_outbox(fixture_landing, warehouse, target, FIXTURE_AS_OF)
    assert refused.returncode != 0
    assert "outbox_tier_events" in refused.stdout
    assert "out of sync" in refused.stdout, refused.stdout[-3000:]
    kept = table_rows(warehouse)
    assert kept == [row[:-1] for row in written]


READER = textwrap.dedent(
    """
    import sys
    import duckdb

    connection = duckdb.connect(sys.argv[1], read_only=True)
    query = "select run_id from meta.publication"
    print(connection.execute(query).fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until the test has published again
    print(connection.execute(query).fetchone()[0], flush=True)
    """
)


def test_a_reader_holding_the_bi_copy_open_does_not_stop_a_publish(warehouse_copy, tmp_path):
    target = tmp_path / "published" / "bi.duckdb"
    publish_marts(warehouse_copy, target, TIER_MARTS, FIXTURE_AS_OF, run_id="first")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == "first"
        publish_marts(warehouse_copy, target, TIER_MARTS, FIXTURE_AS_OF, run_id="second")
        reader.stdin.write("\n")
        reader.stdin.flush()
        # The reader keeps the copy it opened; anyone opening the path now gets the new one.
        assert reader.stdout.readline().strip() == "first"
        assert reader.wait(timeout=60) == 0
    finally:
        reader.kill()
    connection = duckdb.connect(str(target), read_only=True)
    try:
        assert connection.execute("select run_id from meta.publication").fetchone() == ("second",)
    finally:
        connection.close()
    assert not list(target.parent.glob(".*.tmp"))


def test_the_bi_copy_is_read_only_in_a_storage_format_duckdb_1_reads(warehouse_copy, tmp_path):
    target = tmp_path / "published" / "bi.duckdb"
    publish_marts(warehouse_copy, target, TIER_MARTS, FIXTURE_AS_OF, run_id="run")
    assert not target.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert published_as_of(target) == FIXTURE_AS_OF
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{target}' as published (read_only)")
        tags = connection.execute(
            "select tags['storage_version'] from duckdb_databases() "
            "where database_name = 'published'"
        ).fetchone()
        # v1.0.0 storage is what DuckDB 1.0 and later read ("v1.0.0+").
        assert tags == (f"{STORAGE_VERSION}+",)
        tables = connection.execute(
            "select table_name from duckdb_tables() "
            "where database_name = 'published' and schema_name = 'marts' order by 1"
        ).fetchall()
        assert [name for (name,) in tables] == TIER_MARTS
        connection.execute(f"attach '{warehouse_copy}' as source (read_only)")
        for table in TIER_MARTS:
            differences = connection.execute(
                f"""
                select count(*) from (
                    (select * from published.marts.{table}
                     except all select * from source.marts.{table})
                    union all
                    (select * from source.marts.{table}
                     except all select * from published.marts.{table})
                )
                """
            ).fetchone()
            assert differences == (0,), table
    finally:
        connection.close()


def test_the_bi_copy_holds_the_rules_and_lists_them(warehouse_copy, tmp_path):
    target = tmp_path / "published" / "bi.duckdb"
    publication = publish_marts(warehouse_copy, target, TIER_MARTS, FIXTURE_AS_OF, run_id="run")
    assert "tier_thresholds" in publication.rules and "spend_match_offers" in publication.rules
    connection = duckdb.connect(str(target), read_only=True)
    try:
        listed = connection.execute("select rules from meta.publication").fetchone()[0]
        assert listed == list(publication.rules)
        connection.execute(f"attach '{warehouse_copy}' as source (read_only)")
        for table in publication.rules:
            differences = connection.execute(
                f"""
                select count(*) from (
                    (select * from rules.{table} except all select * from source.rules.{table})
                    union all
                    (select * from source.rules.{table} except all select * from rules.{table})
                )
                """
            ).fetchone()
            assert differences == (0,), table
        assert connection.execute(
            "select min_rolling_30d_spend_usd from rules.tier_thresholds where tier = 'classic'"
        ).fetchone() == (10000,)
    finally:
        connection.close()
