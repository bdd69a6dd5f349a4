"""Serve the dashboard on 127.0.0.1 only (`make dashboard`; the browser tests start it alike).

Usage: python -m dashboard.serve [--port 8501] [--what-if FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from warehouse.config import PROJECT_DIR

APP = Path(__file__).resolve().parent / "app.py"
ADDRESS = "127.0.0.1"


def command(port: int) -> list[str]:
    """The Streamlit server command (dashboard.server: Streamlit with the pages' libraries
    imported first): loopback only, headless, no usage statistics, no reloads."""
    return [
        sys.executable,
        "-m",
        "dashboard.server",
        "run",
        str(APP),
        "--server.address",
        ADDRESS,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
    ]


def environment() -> dict[str, str]:
    """The current environment, with the project importable from the app script."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR), env.get("PYTHONPATH")]))
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8501, help="port on 127.0.0.1 (default 8501)")
    parser.add_argument(
        "--what-if", type=Path, help="a file of `make what-if`: adds the What-if page"
    )
    args = parser.parse_args(argv)
    env = environment()
    if args.what_if:
        env["WHAT_IF_PATH"] = str(args.what_if.resolve())
    print(f"Dashboard on http://{ADDRESS}:{args.port}", flush=True)
    os.execve(sys.executable, command(args.port), env)


if __name__ == "__main__":
    sys.exit(main())
