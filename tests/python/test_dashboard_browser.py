"""The dashboard in a real headless Chromium (Debian's, driven by Selenium and chromedriver).

The server is started the way `make dashboard` starts it (dashboard.serve), on a free loopback
port, reading the session's published fixture copy, and stopped at the end. Each page must load
without an error, draw every chart it is expected to draw with marks in it, and leave a
screenshot under target/dashboard/. `make browser` (run by `make test-all`) installs Chromium.
Marked `slow`: `make test` (`pytest -m "not slow"`) leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.browser import (
    NotDrawn,
    chromium,
    dashboard_server,
    marks_per_chart,
    open_page,
    screenshot,
    switch_page,
)
from warehouse.config import PROJECT_DIR

pytestmark = pytest.mark.slow

SCREENSHOTS = PROJECT_DIR / "target" / "dashboard"
WAIT_SECONDS = 60
DOWNGRADED = "acc_two_step_drop"
BELOW_TIER = "acc_below_29_days"
# Page, address, charts drawn on the fixture copy (the Program page's four include the pending
# warnings: two are pending on the fixture's as-of date).
PAGES = [
    ("Program", "?page=Program", 4),
    ("Account", f"?page=Account&account={DOWNGRADED}", 1),
    ("Credits", "?page=Credits", 4),
    ("Creator Next", "?page=Creator+Next", 2),
]


@pytest.fixture(scope="module")
def dashboard_url(published_fixture: Path, tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with dashboard_server(published_fixture, log, wait_seconds=WAIT_SECONDS) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), WAIT_SECONDS) as driver:
        yield driver


def load(driver: webdriver.Chrome, url: str, page: str) -> None:
    try:
        open_page(driver, url, page, WAIT_SECONDS)
    except NotDrawn as error:
        pytest.fail(str(error))


@pytest.mark.parametrize(("page", "address", "charts"), PAGES, ids=[page[0] for page in PAGES])
def test_each_page_loads_and_draws_its_charts(browser, dashboard_url, page, address, charts):
    load(browser, f"{dashboard_url}/{address}", page)
    assert not browser.find_elements(
        By.CSS_SELECTOR, "[data-testid='stException'], [data-testid='stAlertContentError']"
    )
    drawn = marks_per_chart(browser)
    assert len(drawn) == charts and all(count > 0 for count in drawn), drawn
    assert "Data as of 2026-03-31" in browser.find_element(By.TAG_NAME, "body").text
    path = screenshot(browser, SCREENSHOTS / f"{page.lower().replace(' ', '_')}.png")
    assert path.stat().st_size > 10_000


def test_the_account_page_shows_why_the_account_was_downgraded(
    browser, dashboard_url, published_fixture
):
    connection = duckdb.connect(str(published_fixture), read_only=True)
    try:
        (reason,) = connection.execute(
            "select change_reason from marts.fct_tier_changes "
            "where account_id = ? and change_type = 'downgrade' "
            "order by effective_date desc limit 1",
            [DOWNGRADED],
        ).fetchone()
    finally:
        connection.close()
    assert "moved to Essential on 2026-03-20" in reason
    load(browser, f"{dashboard_url}/?page=Account&account={DOWNGRADED}", "Account")
    assert reason in browser.find_element(By.TAG_NAME, "body").text


def read_copy(published_fixture: Path, sql: str, params: list | None = None) -> list[tuple]:
    connection = duckdb.connect(str(published_fixture), read_only=True)
    try:
        return connection.execute(sql, params or []).fetchall()
    finally:
        connection.close()


def usd(amount) -> str:
    return f"${amount:,.2f}"


def test_the_account_page_shows_the_outlook_of_the_tier_outlook_mart(
    browser, dashboard_url, published_fixture
):
    ((tier, next_tier, keep, keep_by, reach, drops_on, drops_to),) = read_copy(
        published_fixture,
        "select tier, next_tier, spend_to_keep_tier_usd, keep_tier_by, spend_to_next_tier_usd, "
        "downgrade_date_without_spend, tier_after_downgrade_without_spend "
        "from marts.fct_tier_outlook where account_id = ?",
        [BELOW_TIER],
    )
    assert keep is not None and reach is not None
    load(browser, f"{dashboard_url}/?page=Account&account={BELOW_TIER}", "Account")
    (outlook,) = browser.find_elements(
        By.XPATH, "//*[@data-testid='stColumn'][.//h3[starts-with(normalize-space(.), 'Outlook')]]"
    )
    text = outlook.text
    for shown in (
        f"Spend to keep {tier.capitalize()}",
        usd(keep),
        f"by {keep_by}",
        f"Spend to reach {next_tier.capitalize()}",
        usd(reach),
        "Drops without spend",
        str(drops_on),
        f"to {drops_to.capitalize()}",
    ):
        assert shown in text, (shown, text)
    # Beside the timeline: the timeline's chart is in the column to its left.
    timeline = outlook.find_element(By.XPATH, "preceding-sibling::*[@data-testid='stColumn']")
    assert timeline.find_elements(By.CSS_SELECTOR, "[data-testid='stVegaLiteChart']")
    assert timeline.location["x"] < outlook.location["x"]


def test_the_program_page_lists_the_tiers_at_risk_linking_to_each_account(
    browser, dashboard_url, published_fixture
):
    expected = read_copy(
        published_fixture,
        "select account_id, spend_to_keep_tier_usd, keep_tier_by from marts.fct_tier_outlook "
        "where keep_tier_by <= as_of_date + 7 order by keep_tier_by, account_id",
    )
    assert len(expected) == 2
    load(browser, f"{dashboard_url}/?page=Program", "Program")
    assert "Tiers at risk within 7 days" in browser.find_element(By.TAG_NAME, "body").text

    # The grid's accessible table holds the rows it draws on its canvas (written after the
    # page's charts are drawn: waited for).
    def grids(driver: webdriver.Chrome) -> list:
        return [
            table
            for table in driver.find_elements(By.CSS_SELECTOR, "[data-testid='stDataFrame'] table")
            if "Spend to keep (USD)" in (table.get_attribute("textContent") or "")
        ]

    (grid,) = WebDriverWait(browser, WAIT_SECONDS).until(grids)
    rows = [
        [cell.get_attribute("textContent") for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in grid.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    assert [(row[0], float(row[4]), row[5]) for row in rows] == [
        (f"?page=Account&account={account}", float(keep), str(keep_by))
        for account, keep, keep_by in expected
    ]
    # Each link opens that account's page.
    account = expected[0][0]
    load(browser, f"{dashboard_url}/{rows[0][0]}", "Account")
    assert f"({account})" in browser.find_element(By.TAG_NAME, "h2").text


@pytest.mark.parametrize(
    ("account", "charts", "because"),
    [
        ("acc_cp_applied", 1, "Not in TikTok One by the as-of date: no tier yet."),
        ("acc_sm_early", 0, "No credit was left at the end of any day"),
    ],
)
def test_an_account_without_spend_opens_without_an_empty_chart(
    browser, dashboard_url, published_fixture, account, charts, because
):
    assert read_copy(
        published_fixture,
        "select count(*) from marts.fct_account_tier_daily where account_id = ?",
        [account],
    ) == [(0,)]
    # open_page stops on a chart left without marks.
    load(browser, f"{dashboard_url}/?page=Account&account={account}", "Account")
    drawn = marks_per_chart(browser)
    assert len(drawn) == charts and all(drawn), drawn
    assert because in browser.find_element(By.TAG_NAME, "body").text


def test_moving_between_pages_in_the_sidebar_draws_each(browser, dashboard_url):
    load(browser, f"{dashboard_url}/?page=Program", "Program")
    for page, _, charts in PAGES[1:]:
        switch_page(browser, page, WAIT_SECONDS)
        if page != "Account":  # without an account in the address, the first one is shown
            assert len(marks_per_chart(browser)) == charts
    assert "page=Creator" in browser.current_url


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel writes them) of the sockets listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_the_server_listens_on_loopback_only(dashboard_url):
    port = int(dashboard_url.rsplit(":", 1)[1])
    # 0100007F is 127.0.0.1; every interface would be 00000000 (or :: in tcp6).
    assert listening_addresses(port) == {"0100007F"}
