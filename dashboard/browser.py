"""The dashboard in a headless Chromium: what the browser tests and the benchmark share.

Debian's chromium and chromedriver (`make browser` installs them), driven by Selenium, with a
fresh profile and nothing that reaches the network. A page counts as drawn when the script has
finished (the footer is there, no run in progress) and every chart has data marks with an area
on screen.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from dashboard import serve
from warehouse.config import PROJECT_DIR

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
CHARTS = "[data-testid='stVegaLiteChart']"
FOOTER = "Figures from the published copy"


class NotDrawn(Exception):
    """The page did not finish drawing in time."""


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind((serve.ADDRESS, 0))
        return probe.getsockname()[1]


@contextmanager
def dashboard_server(copy: Path, log: Path, wait_seconds: float = 60) -> Iterator[str]:
    """Serve the dashboard on the copy (as `make dashboard` does, on a free loopback port);
    yield its address once it answers; stop it afterwards."""
    port = free_loopback_port()
    env = serve.environment()
    env["PUBLISHED_WAREHOUSE_PATH"] = str(copy)
    with log.open("w") as output:
        server = subprocess.Popen(
            serve.command(port), cwd=PROJECT_DIR, env=env, stdout=output, stderr=output
        )
    url = f"http://{serve.ADDRESS}:{port}"
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the dashboard server exited with {server.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not answer on {url} in {wait_seconds} s")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)


@contextmanager
def chromium(profile: Path, page_load_seconds: float = 60) -> Iterator[webdriver.Chrome]:
    binary, driver_binary = shutil.which("chromium"), shutil.which("chromedriver")
    if not (binary and driver_binary):
        raise RuntimeError("Chromium or chromedriver is missing: `make browser` installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1400,1000")
    driver = webdriver.Chrome(options=options, service=Service(driver_binary))
    driver.set_page_load_timeout(page_load_seconds)
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


def charts_expected(driver: webdriver.Chrome, page: str) -> int | None:
    """How many charts the page drew, from its footer, once its script has finished (the footer
    is there, nothing is running or left over from the page before); None until then."""
    busy = driver.find_elements(
        By.CSS_SELECTOR, "[data-testid='stStatusWidget'], [data-stale='true']"
    )
    footer = re.search(
        rf"{re.escape(page)} page, (\d+) charts\. {FOOTER}",
        driver.find_element(By.TAG_NAME, "body").text,
    )
    return None if busy or not footer else int(footer.group(1))


def drawn(driver: webdriver.Chrome, page: str) -> bool:
    """The page's script has finished, and as many charts as the footer counts are on the
    page, each with marks."""
    expected = charts_expected(driver, page)
    if expected is None:
        return False
    marks = marks_per_chart(driver)
    return len(marks) == expected and all(marks)


def wait_until_drawn(
    driver: webdriver.Chrome, page: str, wait_seconds: float, empty_seconds: float = 5
) -> None:
    """Wait until `page` is drawn. A page whose script has finished with every chart on it,
    one of them still without marks `empty_seconds` later (Vega draws well within that), has
    drawn an empty chart: NotDrawn at once, rather than at the end of the wait."""
    deadline = time.monotonic() + wait_seconds
    finished_since = None
    while True:
        try:
            expected = charts_expected(driver, page)
            marks = marks_per_chart(driver) if expected is not None else []
        except WebDriverException:  # the page changed under the lookup: look again
            expected, marks = None, []
        if expected is not None and len(marks) == expected:
            if all(marks):
                return
            finished_since = finished_since or time.monotonic()
            if time.monotonic() - finished_since > empty_seconds:
                raise NotDrawn(f"{page} drew a chart without marks: marks per chart {marks}")
        else:
            finished_since = None
        if time.monotonic() > deadline:
            raise NotDrawn(f"{page} not drawn in {wait_seconds} s: marks per chart {marks}")
        time.sleep(0.1)


def open_page(driver: webdriver.Chrome, url: str, page: str, wait_seconds: float = 60) -> float:
    """Open `url` (a fresh session) and wait, at most `wait_seconds`, until `page` is drawn;
    the seconds it took."""
    started = time.perf_counter()
    driver.get(url)
    wait_until_drawn(driver, page, wait_seconds)
    return time.perf_counter() - started


def screenshot(driver: webdriver.Chrome, path: Path) -> Path:
    """The whole page as a PNG: the window is made as tall as the page's content first."""
    height = driver.execute_script(
        "return document.querySelector(\"[data-testid='stMainBlockContainer']\").scrollHeight"
    )
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(int(height) + 160, 6000))
    time.sleep(1)  # let Vega redraw at the new size before the picture
    path.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"no screenshot written to {path}")
    driver.set_window_size(width, 1000)
    return path


def switch_page(driver: webdriver.Chrome, page: str, wait_seconds: float = 60) -> float:
    """Pick `page` in the sidebar of the open dashboard (the same session, as a person moves
    between pages) and wait until it is drawn; the seconds it took."""
    option = driver.find_element(
        By.XPATH, f"//*[@data-testid='stRadioOption'][normalize-space(.)='{page}']"
    )
    started = time.perf_counter()
    option.click()
    wait_until_drawn(driver, page, wait_seconds)
    return time.perf_counter() - started
