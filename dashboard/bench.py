"""Time each dashboard page in headless Chromium: `python -m dashboard.bench [--copy PATH]`.

Serves the dashboard on the copy (as `make dashboard` does) and opens each page the way a
person does: the time from navigation until the page is drawn (script finished, every chart
with marks). Each page once on a cold cache, then again (the cache is per publication and
shared by sessions); the account page also for accounts not opened yet. Not part of
`make test`: no test looks at a timing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from dashboard import data
from dashboard.browser import chromium, dashboard_server, open_page, screenshot, switch_page

PAGES = ["Program", "Account", "Credits", "Creator Next"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copy", type=Path, help="the published copy (default: the configured)")
    parser.add_argument("--accounts", type=int, default=3, help="accounts not opened before")
    parser.add_argument("--screenshots", type=Path, help="write a PNG of each page here")
    args = parser.parse_args(argv)
    copy = (args.copy or data.bi_copy_path()).resolve()
    publication = data.current_publication(copy)
    connection = data.connect(copy)
    accounts = [
        account
        for (account,) in connection.execute(
            "select distinct account_id from marts.fct_tier_changes "
            "where change_type = 'downgrade' order by hash(account_id) limit $n",
            {"n": args.accounts + 1},
        ).fetchall()
    ]
    connection.close()
    print(f"copy {copy} as of {publication.as_of_date} ({copy.stat().st_size / 1e9:.2f} GB)")
    with tempfile.TemporaryDirectory() as work:
        with (
            dashboard_server(copy, Path(work) / "server.log") as url,
            chromium(Path(work) / "profile", 600) as driver,
        ):

            def address(page: str, account: str | None = None) -> str:
                extra = f"&account={quote(account)}" if account else ""
                return f"{url}/?page={quote(page)}{extra}"

            for page in PAGES:
                account = accounts[0] if page == "Account" else None
                first = open_page(driver, address(page, account), page, 600)
                print(f"{page:13s} first load (new session, cold cache) {first:6.2f} s", flush=True)
                if args.screenshots:
                    name = page.lower().replace(" ", "_")
                    screenshot(driver, args.screenshots / f"{name}.png")
            for page in PAGES:
                again = switch_page(driver, page, 600)
                print(f"{page:13s} again, from the sidebar {again:6.2f} s", flush=True)
            for account in accounts[1:]:
                seconds = open_page(driver, address("Account", account), "Account", 600)
                print(f"Account       {account} not opened before (new session): {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
