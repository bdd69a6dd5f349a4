"""What leaves the warehouse, without Dagster: the notifications outbox and the BI copy.

Both run on a copy of the fixture warehouse (the session's is open read-only).
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from warehouse.fixtures import FIXTURE_AS_OF
from warehouse.outbox import event_file, replace_days, write_day_file
from warehouse.publish import STORAGE_VERSION, publish_marts, published_as_of

TIER_MARTS = [
    "dim_account_tier_periods",
    "dim_accounts",
    "fct_account_tier_daily",
    "fct_creative_requests",
    "fct_downgrade_warnings",
    "fct_tier_changes",
]


@pytest.fixture
def warehouse_copy(fixture_warehouse: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(fixture_warehouse, copy)
    return copy


def write_outbox(warehouse: Path, outbox: Path, first: date, last: date) -> list[Path]:
    connection = duckdb.connect(str(warehouse))
    try:
        replace_days(connection, first, last)
        days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
        return [write_day_file(connection, outbox, day) for day in days]
    finally:
        connection.close()


def test_the_outbox_holds_each_days_tier_events(warehouse_copy, tmp_path):
    outbox = tmp_path / "outbox"
    files = write_outbox(warehouse_copy, outbox, date(2026, 3, 1), FIXTURE_AS_OF)
    assert len(files) == 31
    assert files[-1] == outbox / "tier_events" / "date=2026-03-31" / "events.parquet"
    # acc_historical_basis (warehouse/fixtures/tiering.py): warned on its 25th day below
    # essential (03-26), downgraded to none on the 30th (03-31).
    warning = pq.read_table(event_file(outbox, date(2026, 3, 26))).to_pylist()
    assert [
        (row["event_type"], row["channel"], row["from_tier"], row["to_tier"])
        for row in warning
        if row["account_id"] == "acc_historical_basis"
    ] == [
        ("downgrade_warning", "email", "essential", "none"),
        ("downgrade_warning", "in_product", "essential", "none"),
    ]
    downgrade = pq.read_table(event_file(outbox, FIXTURE_AS_OF)).to_pylist()
    assert ("acc_historical_basis", "downgrade", "in_product") in [
        (row["account_id"], row["event_type"], row["channel"]) for row in downgrade
    ]
    # The files and the table hold the same events, each day's only its own.
    connection = duckdb.connect(str(warehouse_copy), read_only=True)
    try:
        in_table = connection.execute("select count(*) from outbox.tier_events").fetchone()
        assert in_table == (sum(pq.read_metadata(file).num_rows for file in files),)
        for file in files:
            day = date.fromisoformat(file.parent.name.removeprefix("date="))
            assert {row["event_date"] for row in pq.read_table(file).to_pylist()} <= {day}
    finally:
        connection.close()


def test_a_warning_on_the_as_of_date_carries_what_keeps_the_tier(warehouse_copy, tmp_path):
    outbox = tmp_path / "outbox"
    write_outbox(warehouse_copy, outbox, date(2026, 3, 27), FIXTURE_AS_OF)
    # acc_warned_on_as_of (warehouse/fixtures/tiering.py): warned on the as-of date, 25 days
    # below classic, with 2,500 spent in the 29 days up to it: 7,500 on 04-01 keeps classic,
    # and 04-05 (its scheduled downgrade date) is the last day to reach 10,000.
    today = pq.read_table(event_file(outbox, FIXTURE_AS_OF)).to_pylist()
    warning = date(2026, 4, 5)
    assert [
        (row["channel"], row["spend_to_keep_tier_usd"], row["keep_tier_by"])
        for row in today
        if row["account_id"] == "acc_warned_on_as_of"
    ] == [("email", Decimal("7500.00"), warning), ("in_product", Decimal("7500.00"), warning)]
    # A downgrade (acc_historical_basis's, on the as-of date) has nothing to keep.
    others = [row for row in today if row["event_type"] != "downgrade_warning"]
    assert others
    assert {(row["spend_to_keep_tier_usd"], row["keep_tier_by"]) for row in others} == {
        (None, None)
    }
    # acc_below_29_days was warned on 03-27: the outlook as of 03-31 is not that day's.
    earlier = pq.read_table(event_file(outbox, date(2026, 3, 27))).to_pylist()
    assert [
        (row["event_type"], row["spend_to_keep_tier_usd"], row["keep_tier_by"])
        for row in earlier
        if row["account_id"] == "acc_below_29_days"
    ] == [("downgrade_warning", None, None)] * 2


def test_an_outbox_table_written_before_the_outlook_gets_its_columns(warehouse_copy, tmp_path):
    connection = duckdb.connect(str(warehouse_copy))
    try:
        connection.execute(
            """
            create schema if not exists outbox;
            create table outbox.tier_events (
                event_id varchar not null, event_date date not null, event_type varchar not null,
                channel varchar not null, account_id varchar not null, from_tier varchar,
                to_tier varchar, scheduled_downgrade_date date
            );
            """
        )
    finally:
        connection.close()
    write_outbox(warehouse_copy, tmp_path / "outbox", FIXTURE_AS_OF, FIXTURE_AS_OF)
    connection = duckdb.connect(str(warehouse_copy), read_only=True)
    try:
        kept = connection.execute(
            """
            select spend_to_keep_tier_usd, keep_tier_by from outbox.tier_events
            where account_id = 'acc_warned_on_as_of' and channel = 'email'
            """
        ).fetchall()
    finally:
        connection.close()
    assert kept == [(Decimal("7500.00"), date(2026, 4, 5))]


def test_rewriting_a_day_writes_the_same_bytes_and_no_duplicates(warehouse_copy, tmp_path):
    outbox = tmp_path / "outbox"
    first = write_outbox(warehouse_copy, outbox, date(2026, 3, 20), FIXTURE_AS_OF)
    before = {file: file.read_bytes() for file in first}
    # The last day again on its own, then the whole window again.
    write_outbox(warehouse_copy, outbox, FIXTURE_AS_OF, FIXTURE_AS_OF)
    write_outbox(warehouse_copy, outbox, date(2026, 3, 20), FIXTURE_AS_OF)
    assert {file: file.read_bytes() for file in first} == before
    assert not list(outbox.rglob("*.tmp"))
    connection = duckdb.connect(str(warehouse_copy), read_only=True)
    try:
        duplicates = connection.execute(
            "select event_id from outbox.tier_events group by event_id having count(*) > 1"
        ).fetchall()
    finally:
        connection.close()
    assert duplicates == []


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
