"""The dashboard in a real headless Chromium (Debian's, driven by Selenium and chromedriver).

The server is started the way `make dashboard` starts it (dashboard.serve), on a free loopback
port, reading the session's published fixture copy, and stopped at the end. Each page must load
without an error, draw every chart it is expected to draw with marks in it, and leave a
screenshot under target/dashboard/. `make browser` (run by `make test`) installs Chromium.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import serve
from warehouse.config import PROJECT_DIR

SCREENSHOTS = PROJECT_DIR / "target" / "dashboard"
WAIT_SECONDS = 60
DOWNGRADED = "acc_two_step_drop"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Page, address, charts drawn on the fixture copy (the Program page's pending warnings are an
# empty state there: no warning is pending on the fixture's as-of date).
PAGES = [
    ("program", "?page=Program", 3),
    ("account", f"?page=Account&account={DOWNGRADED}", 1),
    ("credits", "?page=Credits", 4),
    ("creator_next", "?page=Creator+Next", 2),
]
CHARTS = "[data-testid='stVegaLiteChart']"


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind((serve.ADDRESS, 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the dashboard server exited with {server.returncode}"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the dashboard did not answer on {url} within {WAIT_SECONDS} s")


@pytest.fixture(scope="module")
def dashboard_url(published_fixture: Path, tmp_path_factory) -> Iterator[str]:
    port = free_loopback_port()
    env = serve.environment()
    env["PUBLISHED_WAREHOUSE_PATH"] = str(published_fixture)
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            serve.command(port), cwd=PROJECT_DIR, env=env, stdout=output, stderr=output
        )
    url = f"http://{serve.ADDRESS}:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.fail("Chromium or chromedriver is missing: `make browser` installs them (Debian)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1400,1000")
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def marks_per_chart(driver: webdriver.Chrome) -> list[int]:
    """For each chart on the page, how many data marks Vega drew with an area on screen (axes
    and legends excluded; a mark squeezed to no height does not count)."""
    return driver.execute_script(
        """
        return [...document.querySelectorAll(arguments[0])].map(chart =>
            [...chart.querySelectorAll('svg g.role-mark > *')].filter(mark => {
                const box = mark.getBoundingClientRect();
                return box.width > 0 && box.height > 0;
            }).length);
        """,
        CHARTS,
    )


def load(driver: webdriver.Chrome, url: str, charts: int) -> None:
    """Open the page and wait, at most WAIT_SECONDS, until the script has run and every
    expected chart has marks."""
    driver.get(url)
    wait = WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.5)
    try:
        wait.until(lambda d: "Data as of" in d.find_element(By.TAG_NAME, "body").text)
        wait.until(lambda d: len(marks_per_chart(d)) >= charts and all(marks_per_chart(d)))
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"))
    except TimeoutException:
        pytest.fail(f"{url} did not finish drawing: charts with marks {marks_per_chart(driver)}")


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """The whole page: the window is made as tall as the page's content first."""
    height = driver.execute_script(
        "return document.querySelector(\"[data-testid='stMainBlockContainer']\").scrollHeight"
    )
    driver.set_window_size(1400, min(int(height) + 160, 6000))
    time.sleep(1)  # let Vega redraw at the new width before the picture, not a test condition
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
    return path


@pytest.mark.parametrize(("name", "address", "charts"), PAGES, ids=[page[0] for page in PAGES])
def test_each_page_loads_and_draws_its_charts(browser, dashboard_url, name, address, charts):
    load(browser, f"{dashboard_url}/{address}", charts)
    assert not browser.find_elements(
        By.CSS_SELECTOR, "[data-testid='stException'], [data-testid='stAlertContentError']"
    )
    drawn = marks_per_chart(browser)
    assert len(drawn) == charts and all(count > 0 for count in drawn), drawn
    assert "Data as of 2026-03-31" in browser.find_element(By.TAG_NAME, "body").text
    path = screenshot(browser, name)
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
    load(browser, f"{dashboard_url}/?page=Account&account={DOWNGRADED}", 1)
    assert reason in browser.find_element(By.TAG_NAME, "body").text


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
