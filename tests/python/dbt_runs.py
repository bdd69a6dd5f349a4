"""Plain `dbt` as a user types it, for tests (not a test module).

Each command has its own landing zone (read only), warehouse file and target folder, so that
independent commands can run side by side: a module starts all of its commands at once, as
many at a time as the machine has cores (dbt parses the project on one core), and its tests
read the results.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from warehouse.config import PROJECT_DIR, dbt_env

DBT = str(PROJECT_DIR / ".venv" / "bin" / "dbt")


@dataclass(frozen=True)
class Dbt:
    """`dbt <args> --target-path <target>` on a landing zone, into a warehouse file."""

    args: tuple[str, ...]
    landing: Path
    warehouse: Path
    target: Path

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [DBT, *self.args, "--target-path", str(self.target)],
            cwd=PROJECT_DIR,
            env=dbt_env(self.landing, self.warehouse),
            capture_output=True,
            text=True,
        )


def run_side_by_side(commands: Mapping[str, Dbt]) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run independent commands, as many at a time as there are cores; results by name."""
    warehouses = [command.warehouse for command in commands.values()]
    targets = [command.target for command in commands.values()]
    assert len(set(warehouses)) == len(warehouses) and len(set(targets)) == len(targets)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        started = {name: pool.submit(command.run) for name, command in commands.items()}
        return {name: future.result() for name, future in started.items()}
