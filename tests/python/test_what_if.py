"""The what-if of a proposal of tier rules (RULES.md section 14, commands/what_if.py).

Fast tests: a malformed proposal stops with one message naming the problem, before anything is
built. Slow tests (`@pytest.mark.slow`): `make what-if` on the fixture warehouse prints its
summary, leaves the warehouse and the BI copy as they were, and its tier rows (and changes and
warnings) equal those of a full build whose seed holds the proposal's rows; the dashboard's
What-if page opens the file in a real browser.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from commands.what_if import (
    Warehouse,
    WhatIfError,
    read_proposal,
    read_warehouse,
    resolve_from,
)
from tests.python.project_copy import Project
from warehouse.config import PROJECT_DIR
from warehouse.fixtures import FIXTURE_AS_OF, build_fixture_landing
from warehouse.spark import READ_AFTER_BUILD_RELATIONS, READ_AFTER_BUILD_SCHEMAS

TIERS = {"none": 0, "essential": 1, "classic": 2, "premium": 3}
HEADER = "tier,tier_rank,min_rolling_30d_spend_usd,weekly_creative_cap"
GOOD = [
    "none,0,0,0",
    "essential,1,2000,10",
    "classic,2,12000,40",
    "premium,3,40000,100",
]
# Inside the fixture's history, before the 60-day window of its as-of date.
FROM = date(2026, 1, 20)
WAREHOUSE = Warehouse(
    Path("warehouse.duckdb"), "warehouse", FIXTURE_AS_OF, TIERS, date(2020, 1, 1), 30
)


def proposal(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "proposal.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def problem(path: Path, given: date | None = None) -> str:
    with pytest.raises(WhatIfError) as raised:
        resolve_from(read_proposal(path, TIERS), given, WAREHOUSE)
    return str(raised.value)


def test_a_good_proposal_reads_with_its_day(tmp_path: Path):
    read = read_proposal(proposal(tmp_path, *GOOD), TIERS)
    assert [(rule.tier, rule.minimum, rule.cap) for rule in read.rules] == [
        ("none", 0, 0),
        ("essential", 2000, 10),
        ("classic", 12000, 40),
        ("premium", 40000, 100),
    ]
    # No effective_from: 90 days before the as-of date.
    assert resolve_from(read, None, WAREHOUSE) == date(2025, 12, 31)
    dated = proposal(
        tmp_path, *(f"{line},2026-01-20" for line in GOOD), header=HEADER + ",effective_from"
    )
    assert resolve_from(read_proposal(dated, TIERS), None, WAREHOUSE) == FROM
    assert resolve_from(read_proposal(dated, TIERS), FROM, WAREHOUSE) == FROM


@pytest.mark.parametrize(
    ("lines", "header", "given", "named"),
    [
        (GOOD[:3], HEADER, None, "no row for tier 'premium'"),
        (
            [GOOD[0], "essential,1,2000,10", "classic,2,2000,40", GOOD[3]],
            HEADER,
            None,
            "the minimums do not increase with the rank: classic's 2,000 is not above "
            "essential's 2,000",
        ),
        (
            [f"{line},x" for line in GOOD],
            HEADER + ",note",
            None,
            "unknown column 'note'",
        ),
        (GOOD, HEADER, date(2026, 4, 1), "FROM 2026-04-01 is after the warehouse's as-of date"),
        ([*GOOD, "gold,4,90000,200"], HEADER, None, "unknown tier 'gold'"),
        ([*GOOD, "classic,2,13000,40"], HEADER, None, "two rows for tier 'classic'"),
        (
            [GOOD[0], GOOD[1], "classic,3,12000,40", "premium,2,40000,100"],
            HEADER,
            None,
            "tier 'classic' has tier_rank 3; its rank is 2",
        ),
        (
            [GOOD[0], GOOD[1], "classic,2,twelve,40", GOOD[3]],
            HEADER,
            None,
            "min_rolling_30d_spend_usd of 'classic' is 'twelve', not a number",
        ),
        (
            [
                f"{GOOD[0]},2026-01-20",
                f"{GOOD[1]},2026-01-21",
                f"{GOOD[2]},2026-01-20",
                f"{GOOD[3]},",
            ],
            HEADER + ",effective_from",
            None,
            "the rows have different effective_from",
        ),
        (
            [f"{line},2026-01-20" for line in GOOD],
            HEADER + ",effective_from",
            date(2026, 2, 1),
            "FROM=2026-02-01 and the proposal's effective_from 2026-01-20 differ",
        ),
        ([line.rsplit(",", 1)[0] for line in GOOD], HEADER.rsplit(",", 1)[0], None, "no column"),
    ],
    ids=[
        "missing tier",
        "minimums not increasing",
        "unknown column",
        "FROM after the as-of date",
        "unknown tier",
        "two rows for a tier",
        "rank changed",
        "not a number",
        "two days",
        "two FROMs",
        "missing column",
    ],
)
def test_a_malformed_proposal_is_named(tmp_path: Path, lines, header, given, named):
    assert named in problem(proposal(tmp_path, *lines, header=header), given)


def make_what_if_stops(rules: Path, warehouse: Path) -> tuple[subprocess.CompletedProcess, str]:
    """`make what-if` as a user types it, which must stop: its result and its one line."""
    result = subprocess.run(
        ["make", "--no-print-directory", "what-if", f"RULES={rules}"],
        cwd=PROJECT_DIR,
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("make what-if:")]
    return result, line


def test_make_what_if_stops_on_a_malformed_proposal_with_one_line(
    tmp_path: Path, fixture_warehouse: Path
):
    before = fixture_warehouse.stat().st_mtime_ns
    result, line = make_what_if_stops(proposal(tmp_path, *GOOD[:3]), fixture_warehouse)
    assert "no row for tier 'premium'" in line
    assert "Traceback" not in result.stderr
    assert not (fixture_warehouse.parent / "warehouse_what_if.duckdb").exists()
    assert fixture_warehouse.stat().st_mtime_ns == before


def test_make_what_if_on_a_spark_build_says_it_runs_on_duckdb_only(
    tmp_path: Path, fixture_warehouse: Path
):
    # What `WAREHOUSE_ENGINE=spark make run` leaves in the DuckDB file: the relations the steps
    # after a Spark build read (warehouse/spark.py), as tables, from the fixture's build.
    spark_read = tmp_path / "warehouse.duckdb"
    connection = duckdb.connect(str(spark_read))
    connection.execute(f"attach '{fixture_warehouse}' as built (read_only)")
    schemas = ", ".join(f"'{schema}'" for schema in READ_AFTER_BUILD_SCHEMAS)
    relations = [
        f"{schema}.{name}"
        for schema, name in connection.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'built' "
            f"and schema_name in ({schemas}) union all "
            "select schema_name, view_name from duckdb_views() where database_name = 'built' "
            f"and schema_name in ({schemas})"
        ).fetchall()
    ]
    for relation in {*relations, *READ_AFTER_BUILD_RELATIONS}:
        schema = relation.split(".")[0]
        connection.execute(f"create schema if not exists {schema}")
        connection.execute(f"create table {relation} as select * from built.{relation}")
    connection.close()
    before = digest(spark_read)
    result, line = make_what_if_stops(proposal(tmp_path, *GOOD), spark_read)
    assert "a Spark build" in line and "runs on DuckDB only" in line
    assert "WAREHOUSE_ENGINE unset" in line
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "warehouse_what_if.duckdb").exists()
    assert digest(spark_read) == before


def test_the_fixture_warehouse_is_read_as_built(fixture_warehouse: Path):
    warehouse = read_warehouse(fixture_warehouse)
    assert warehouse.as_of == FIXTURE_AS_OF
    assert warehouse.tiers == TIERS
    assert warehouse.hold_days == 30


# --- The what-if on the fixture ---------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class WhatIfRun:
    def __init__(self, root: Path, warehouse: Path, published: Path) -> None:
        self.rules = proposal(root, *GOOD)
        self.out = root / "what_if_fixture.duckdb"
        before = (digest(warehouse), digest(published))
        self.result = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "what-if",
                f"RULES={self.rules}",
                f"FROM={FROM}",
                f"WHAT_IF_OUT={self.out}",
            ],
            cwd=PROJECT_DIR,
            env={
                **os.environ,
                "WAREHOUSE_PATH": str(warehouse),
                "PUBLISHED_WAREHOUSE_PATH": str(published),
                "DBT_TARGET_PATH": str(root / "target"),
            },
            capture_output=True,
            text=True,
        )
        assert self.result.returncode == 0, self.result.stdout[-3000:] + self.result.stderr[-3000:]
        self.untouched = (digest(warehouse), digest(published)) == before
        # A full build of the same landing zone whose seed holds the proposal's rows.
        project = Project(root / "full", build_fixture_landing(root / "full" / "landing"))
        project.add_rules(*(f"{line},{FROM}" for line in GOOD))
        self.full = project.full_build(FIXTURE_AS_OF)


@pytest.fixture(scope="module")
def what_if_run(
    tmp_path_factory: pytest.TempPathFactory, fixture_warehouse: Path, published_fixture: Path
) -> WhatIfRun:
    return WhatIfRun(tmp_path_factory.mktemp("what-if"), fixture_warehouse, published_fixture)


def differing(what_if: Path, full: Path, what_if_sql: str, full_sql: str) -> tuple[int, int]:
    """Rows of the what-if's relation not in the full build's, and the other way round."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{what_if}' as what_if_file (read_only)")
        connection.execute(f"attach '{full}' as full_build (read_only)")
        counts = connection.execute(
            f"""
            select
                (select count(*) from ({what_if_sql} except all {full_sql})),
                (select count(*) from ({full_sql} except all {what_if_sql}))
            """
        ).fetchone()
    return counts


@pytest.mark.slow
def test_make_what_if_prints_its_summary_and_touches_neither_warehouse_nor_copy(what_if_run):
    printed = what_if_run.result.stdout
    assert f"What-if from {FROM} to the as-of date {FIXTURE_AS_OF} (71 days):" in printed
    assert "classic minimum $10,000 -> $12,000" in printed
    assert "Weekly creative capacity on 2026-03-31:" in printed
    assert f"Written to {what_if_run.out}" in printed
    assert what_if_run.untouched
    with duckdb.connect(str(what_if_run.out), read_only=True) as connection:
        schemas = {
            name
            for (name,) in connection.execute("select schema_name from duckdb_schemas()").fetchall()
        }
        assert "what_if" in schemas and not schemas & {"rules", "intermediate", "marts"}
        [(first, last)] = connection.execute(
            "select min(date_day), max(date_day) from what_if.fct_account_tier_daily"
        ).fetchall()
    assert (first, last) == (FROM, FIXTURE_AS_OF)


@pytest.mark.slow
def test_the_what_if_equals_a_full_build_whose_seed_holds_the_proposal(what_if_run):
    days = f"date_day between date '{FROM}' and date '{FIXTURE_AS_OF}'"
    assert differing(
        what_if_run.out,
        what_if_run.full,
        "select * from what_if_file.what_if.fct_account_tier_daily",
        f"select * from full_build.marts.fct_account_tier_daily where {days}",
    ) == (0, 0)
    changes = "account_id, effective_date, change_type, from_tier, to_tier, change_reason"
    assert differing(
        what_if_run.out,
        what_if_run.full,
        f"select {changes} from what_if_file.what_if.tier_changes where scenario = 'what_if'",
        f"select {changes} from full_build.marts.fct_tier_changes "
        f"where effective_date >= date '{FROM}'",
    ) == (0, 0)
    warnings = "account_id, warning_date, tier_at_risk, outcome, resolved_on, warning_reason"
    assert differing(
        what_if_run.out,
        what_if_run.full,
        f"select {warnings} from what_if_file.what_if.downgrade_warnings "
        "where scenario = 'what_if'",
        f"select {warnings} from full_build.marts.fct_downgrade_warnings "
        f"where warning_date >= date '{FROM}' or scheduled_downgrade_date >= date '{FROM}'",
    ) == (0, 0)
    # The proposal changes the program: the comparison is not of two equal things.
    with duckdb.connect(str(what_if_run.out), read_only=True) as connection:
        [(moved,)] = connection.execute(
            "select count(*) from what_if.tier_days_compared"
        ).fetchall()
    assert moved > 0


@pytest.mark.slow
def test_the_what_if_answers_side_by_side(what_if_run, fixture_warehouse: Path):
    with duckdb.connect(str(what_if_run.out), read_only=True) as connection:
        members = connection.execute(
            """
            select sum(actual_members), sum(what_if_members) from what_if.members_per_tier_daily
            group by date_day
            """
        ).fetchall()
        capacity = connection.execute(
            """
            select tier, actual_members, actual_weekly_cap, what_if_weekly_cap
            from what_if.creative_capacity order by tier_rank
            """
        ).fetchall()
        differing_today = connection.execute(
            """
            select count(*), count(*) filter (where what_if_change = 'lower'
                and spend_to_keep_actual_tier_usd > 0)
            from what_if.accounts_tier_differing
            """
        ).fetchone()
    # Both ways count the same members every day; only their tiers differ.
    assert all(actual == what_if for actual, what_if in members)
    with duckdb.connect(str(fixture_warehouse), read_only=True) as warehouse:
        today = dict(
            warehouse.execute(
                """
                select tier, count(*) from marts.fct_account_tier_daily
                where date_day = date '2026-03-31' group by tier
                """
            ).fetchall()
        )
    assert [(tier, members) for tier, members, _, _ in capacity] == [
        (tier, today.get(tier, 0)) for tier in TIERS
    ]
    assert [(tier, a, b) for tier, _, a, b in capacity] == [
        ("none", 0, 0),
        ("essential", 10, 10),
        ("classic", 50, 40),
        ("premium", 100, 100),
    ]
    # Every account whose tier is lower under the proposal says what would keep its tier.
    assert differing_today[0] > 0 and differing_today[0] >= differing_today[1]


# --- The dashboard's What-if page ------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard_with_what_if(
    what_if_run, published_fixture: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    from dashboard.browser import dashboard_server

    log = tmp_path_factory.mktemp("dashboard-what-if") / "server.log"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WHAT_IF_PATH", str(what_if_run.out))
        with dashboard_server(published_fixture, log, wait_seconds=60) as url:
            yield url


@pytest.mark.slow
def test_the_dashboard_opens_the_what_if_page(
    dashboard_with_what_if: str, tmp_path_factory: pytest.TempPathFactory
):
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from dashboard.browser import chromium, marks_per_chart, open_page, screenshot

    profile = tmp_path_factory.mktemp("chromium-what-if")
    with chromium(profile, 60) as driver:
        open_page(driver, f"{dashboard_with_what_if}/?page=What-if", "What-if", 60)
        assert not driver.find_elements(
            By.CSS_SELECTOR, "[data-testid='stException'], [data-testid='stAlertContentError']"
        )
        text = driver.find_element(By.TAG_NAME, "body").text
        assert f"What-if from {FROM} to {FIXTURE_AS_OF}" in text

        # The rules' grid draws on a canvas; its accessible table (written after the page's
        # charts are drawn: waited for) holds the proposal's Classic minimum.
        def rules_grid(driver: webdriver.Chrome) -> bool:
            return any(
                "Classic" in content and ("12000" in content or "12,000" in content)
                for table in driver.find_elements(
                    By.CSS_SELECTOR, "[data-testid='stDataFrame'] table"
                )
                for content in [table.get_attribute("textContent") or ""]
            )

        WebDriverWait(driver, 60).until(rules_grid)
        drawn = marks_per_chart(driver)
        assert len(drawn) == 2 and all(count > 0 for count in drawn), drawn
        path = screenshot(driver, PROJECT_DIR / "target" / "dashboard" / "what_if.png")
        assert path.stat().st_size > 10_000
    shutil.rmtree(profile, ignore_errors=True)
