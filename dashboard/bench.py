"""Time the dashboard in headless Chromium: `python -m dashboard.bench --copy PATH [--write FILE]`.

Serves the dashboard on a published copy (as `make dashboard` does) and opens it the way
people do, timing each open from navigation until the page is drawn (its script finished and
every chart with marks; a chart left without marks stops the bench, since an empty chart
must be replaced by a sentence saying why):

- each page in a new session on the server just started, in a new browser (a new user after
  a restart); then after a new publication (a copy with another run id swapped in over the
  served file, as the pipeline publishes: the cache, kept per publication, is cold while the
  server and the browser have been used); then again from the sidebar;
- accounts of every kind (members of each tier, at risk within 7 days, downgraded, members
  without spend, never a member, members without credits, credits only), picked from the copy
  by its marts, each opened in a new session (its queries not cached yet) and then again.

It samples the machine's load average during the run. With `--write`, the results replace the
"Dashboard" section of that Markdown file (docs/performance.md), the rest of it kept. Not part
of `make test`: no test looks at a timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb

from dashboard import data
from dashboard.browser import (
    NotDrawn,
    chromium,
    dashboard_server,
    open_page,
    screenshot,
    switch_page,
)
from dashboard.data import AT_RISK_DAYS

PAGES = ["Program", "Account", "Credits", "Creator Next"]
TARGET_SECONDS = 2.0
# Above this 1-minute load average (on this 2-core machine), the table says it was loaded.
LOADED_AT = 2.5
WAIT_SECONDS = 300
SECTION = "## Dashboard"
# The Account page's screenshot shows an account of this kind: every part of the outlook.
SCREENSHOT_KIND = f"at risk within {AT_RISK_DAYS} days"

# Each kind of account the bench opens: the SQL (over the copy) of the accounts of that kind.
# The tiers come from the copy's rules (one kind per tier, added in account_kinds).
KINDS: dict[str, str] = {
    SCREENSHOT_KIND: f"""
        select account_id from marts.fct_tier_outlook
        where keep_tier_by <= as_of_date + {AT_RISK_DAYS}
    """,
    "downgraded": """
        select account_id from marts.fct_tier_changes where change_type = 'downgrade'
    """,
    "member without spend": """
        select account_id from marts.fct_account_tier_daily
        group by account_id
        having max(qualifying_spend_usd) = 0
    """,
    "never a member": """
        select account_id from marts.dim_accounts where tiktok_one_joined_on is null
    """,
    "member without credits": """
        select account_id from marts.dim_accounts
        where is_tiktok_one_member
            and account_id not in (select account_id from marts.fct_credit_issuance)
    """,
    "credits only (not a member)": """
        select account_id from marts.fct_credit_issuance
        where account_id in (
            select account_id from marts.dim_accounts where not is_tiktok_one_member
        )
    """,
}


@dataclass
class Timing:
    """Seconds to draw a page or an account: `first` on a cold data cache (for a page, the
    first open after a publication), `again` once cached, and for a page `started`, its
    first open on a server that has just started, in a browser that may not have its code
    yet."""

    what: str
    kind: str
    first: float
    again: float
    started: float | None = None

    @property
    def slowest_first(self) -> float:
        return max(self.first, self.started or 0)


@dataclass
class Load:
    """The 1-minute load average, sampled every second while the bench runs."""

    samples: list[float] = field(default_factory=list)
    uptime_before: str = ""
    uptime_after: str = ""

    @property
    def loaded(self) -> bool:
        return max(self.samples, default=0) > LOADED_AT


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


@contextmanager
def sampling_load() -> Iterator[Load]:
    load = Load(uptime_before=uptime())
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(1):
            load.samples.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield load
    finally:
        stop.set()
        sampler.join()
        load.uptime_after = uptime()


def wait_for_idle(minutes: float) -> None:
    """Wait, at most `minutes`, until the 1-minute load average is at most LOADED_AT."""
    deadline = time.monotonic() + minutes * 60
    while os.getloadavg()[0] > LOADED_AT and time.monotonic() < deadline:
        print(f"waiting for an idle machine: load average {os.getloadavg()[0]:.2f}", flush=True)
        time.sleep(30)


def account_kinds(connection: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dict]]:
    """Every kind's SQL and parameters: one kind per tier of the copy's rules, then KINDS."""
    tiers = [
        tier
        for (tier,) in connection.execute(
            "select tier from rules.tier_thresholds group by tier order by min(tier_rank) desc"
        ).fetchall()
    ]
    by_tier = {
        ("member with no tier" if tier == "none" else f"{tier} member"): (
            "select account_id from marts.dim_accounts where tier = $tier",
            {"tier": tier},
        )
        for tier in tiers
    }
    return by_tier | {kind: (sql, {}) for kind, sql in KINDS.items()}


def pick_accounts(
    connection: duckdb.DuckDBPyConnection, per_kind: int
) -> tuple[list[tuple[str, str]], list[str]]:
    """(account, kind) pairs, `per_kind` of each kind (a fixed pseudo-random pick, no account
    twice), and the kinds the copy has no account of."""
    picked: list[tuple[str, str]] = []
    missing = []
    for kind, (sql, params) in account_kinds(connection).items():
        taken = {account for account, _ in picked}
        candidates = [
            account
            for (account,) in connection.execute(
                f"select distinct account_id from ({sql}) order by hash(account_id) limit $n",
                params | {"n": per_kind + len(taken)},
            ).fetchall()
            if account not in taken
        ][:per_kind]
        if not candidates:
            missing.append(kind)
        picked += [(account, kind) for account in candidates]
    return picked, missing


def republish(served: Path, work: Path) -> None:
    """A new publication at the served path, as the pipeline makes one: a copy with another
    run id and publication time, swapped in (os.replace). The dashboard's cache, keyed on
    the publication, is then cold, while the server and the browser have been used."""
    fresh = work / "republished.duckdb"
    shutil.copyfile(served, fresh)
    fresh.chmod(0o600)
    connection = duckdb.connect(str(fresh))
    try:
        connection.execute(
            "update meta.publication set run_id = run_id || ' (republished by the bench)', "
            "published_at = cast(now() as timestamp)"
        )
    finally:
        connection.close()
    fresh.chmod(0o444)
    os.replace(fresh, served)


def run(copy: Path, per_kind: int, screenshots: Path | None) -> tuple[list[Timing], Load, dict]:
    publication = data.current_publication(copy)
    connection = data.connect(copy)
    try:
        accounts, missing = pick_accounts(connection, per_kind)
        (total_accounts,) = connection.execute("select count(*) from marts.dim_accounts").fetchone()
    finally:
        connection.close()
    about = {
        "copy": copy,
        "gigabytes": copy.stat().st_size / 1e9,
        "as_of": publication.as_of_date,
        "accounts": total_accounts,
        "missing": missing,
        "chromium": subprocess.run(
            ["chromium", "--version"], capture_output=True, text=True
        ).stdout.strip(),
    }
    print(
        f"copy {copy} as of {publication.as_of_date} ({about['gigabytes']:.2f} GB, "
        f"{total_accounts:,} accounts); {len(accounts)} accounts to open",
        flush=True,
    )
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as folder, sampling_load() as load:
        work = Path(folder)
        # The bench republishes what it serves: a copy of the copy, never the copy itself.
        served = work / "served.duckdb"
        shutil.copyfile(copy, served)
        with (
            dashboard_server(served, work / "server.log") as url,
            chromium(work / "profile", WAIT_SECONDS) as driver,
        ):

            def address(page: str, account: str | None = None) -> str:
                extra = f"&account={quote(account)}" if account else ""
                return f"{url}/?page={quote(page)}{extra}"

            def open_each_page(when: str) -> dict[str, float]:
                seconds = {}
                for page in PAGES:
                    seconds[page] = open_page(driver, address(page), page, WAIT_SECONDS)
                    print(f"{page:13s} first open {when}: {seconds[page]:6.2f} s", flush=True)
                return seconds

            # The pages as a person opens them from the address (the Account page without an
            # account shows the first one): on the server just started, in a new browser;
            # then after a new publication; then each again from the sidebar.
            started = open_each_page("on a server just started")
            republish(served, work)
            first = open_each_page("after a publication")
            for page in PAGES:
                if screenshots and page != "Account":
                    switch_page(driver, page, WAIT_SECONDS)
                    screenshot(driver, screenshots / f"{page.lower().replace(' ', '_')}.png")
            for page in PAGES:
                again = switch_page(driver, page, WAIT_SECONDS)
                print(f"{page:13s} again, from the sidebar: {again:6.2f} s", flush=True)
                timings.append(Timing(page, "page", first[page], again, started[page]))
            shot = None
            for account, kind in accounts:
                opened = [
                    open_page(driver, address("Account", account), "Account", WAIT_SECONDS)
                    for _ in range(2)
                ]
                print(f"Account {account} ({kind}): {opened[0]:6.2f} s, again {opened[1]:6.2f} s")
                timings.append(Timing(account, kind, *opened))
                if screenshots and kind == SCREENSHOT_KIND and not shot:
                    shot = screenshot(driver, screenshots / "account.png")
    return timings, load, about


def report(timings: list[Timing], load: Load, about: dict, command: str) -> str:
    """The Markdown section: what was run, on what, the load, the table, the verdict."""
    over = [timing for timing in timings if timing.slowest_first >= TARGET_SECONDS]
    samples = load.samples or [0.0]
    loaded = ", loaded machine" if load.loaded else ""
    lines = [
        SECTION,
        "",
        f"`{command}` (the command that wrote this section) serves the dashboard on a "
        "published copy and opens it in headless Chromium, timing each open from navigation "
        "until the page is drawn: its script finished and every chart with marks (a chart "
        "without marks stops the bench). Each page is opened in a new session: first on the "
        "server just started, in a new browser (a new user after a restart); then after a "
        "new publication (the bench swaps a copy with another run id in, as the pipeline "
        "does: the cache is cold, the server and the browser have been used), then again from "
        "the sidebar. The Account page without an account shows the first one. Then accounts "
        "of every kind, each in a new session before its queries are cached, then again in a "
        f"new session. The target is every first open under {TARGET_SECONDS:.0f} s.",
        "",
        f"- Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"({platform.machine()}), {about['chromium']}.",
        f"- Copy: `{about['copy']}`, {about['gigabytes']:.2f} GB, as of {about['as_of']}, "
        f"{about['accounts']:,} accounts.",
        f"- Load average (1 minute) during the run: {min(samples):.2f} to {max(samples):.2f}, "
        f"mean {sum(samples) / len(samples):.2f}; `uptime` before: `{load.uptime_before}`, "
        f"after: `{load.uptime_after}`.",
    ]
    if load.loaded:
        lines.append(
            f"- **Measured on a loaded machine** (load above {LOADED_AT} on {os.cpu_count()} "
            "cores): the times include waiting for the cores; rerun on an idle machine."
        )
    if about["missing"]:
        lines.append(f"- Kinds with no account in this copy: {', '.join(about['missing'])}.")

    def seconds(value: float | None) -> str:
        if value is None:
            return "–"
        return f"{value:.2f}" + (" (over)" if value >= TARGET_SECONDS else "")

    lines += [
        "",
        f"| page | first open, server just started (s{loaded}) | first open after a "
        f"publication (s{loaded}) | again, from the sidebar (s{loaded}) |",
        "|---|---:|---:|---:|",
    ]
    for timing in timings:
        if timing.kind == "page":
            lines.append(
                f"| {timing.what} | {seconds(timing.started)} | {seconds(timing.first)} | "
                f"{timing.again:.2f} |"
            )
    lines += [
        "",
        f"| account | kind | first open (s{loaded}) | again (s{loaded}) |",
        "|---|---|---:|---:|",
    ]
    for timing in timings:
        if timing.kind != "page":
            lines.append(
                f"| `{timing.what}` | {timing.kind} | {seconds(timing.first)} | "
                f"{timing.again:.2f} |"
            )
    verdict = (
        f"Every page and account drawn under {TARGET_SECONDS:.0f} s on first open."
        if not over
        else f"Over {TARGET_SECONDS:.0f} s on first open: "
        + ", ".join(f"{timing.what} ({timing.slowest_first:.2f} s)" for timing in over)
        + "."
    )
    lines += ["", verdict + (" (On a loaded machine.)" if load.loaded else ""), ""]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace the Dashboard section of `path` (up to the next heading of its level), or add
    it at the end; the rest of the file is kept."""
    text = path.read_text() if path.exists() else "# Performance\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        kept_before, kept_after = lines, []
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        kept_before, kept_after = lines[:start], lines[end:]
    while kept_before and not kept_before[-1].strip():
        kept_before.pop()
    body = "\n".join(kept_before) + "\n\n" + section.rstrip("\n") + "\n"
    if kept_after:
        body += "\n" + "\n".join(kept_after) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copy", type=Path, help="the published copy (default: the configured)")
    parser.add_argument("--per-kind", type=int, default=2, help="accounts of each kind")
    parser.add_argument("--screenshots", type=Path, help="write a PNG of each page here")
    parser.add_argument("--write", type=Path, help="replace the Dashboard section of this file")
    parser.add_argument(
        "--wait-for-idle",
        type=float,
        default=0,
        metavar="MINUTES",
        help=f"first wait up to this long for a load average of at most {LOADED_AT}",
    )
    args = parser.parse_args(argv)
    wait_for_idle(args.wait_for_idle)
    copy = (args.copy or data.bi_copy_path()).resolve()
    command = "python -m dashboard.bench " + " ".join(argv if argv is not None else sys.argv[1:])
    try:
        timings, load, about = run(copy, args.per_kind, args.screenshots)
    except NotDrawn as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    section = report(timings, load, about, command)
    print(section)
    if args.write:
        write_section(args.write, section)
        print(f"Wrote the {SECTION[3:]} section of {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
