"""`make run`: make sure there is a landing zone, build the warehouse, print the summary."""

from __future__ import annotations

import argparse
import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

from warehouse.config import PROJECT_DIR, dbt_env, landing_dir, warehouse_path
from warehouse.summary import summary


def ensure_landing(landing: Path, accounts: int, days: int, seed: int) -> None:
    """Generate a sample landing zone when none is given (no accounts folder with data)."""
    if any((landing / "accounts").glob("*.parquet")):
        print(f"Landing zone: {landing}")
        return
    from warehouse.generate import generate

    print(
        f"No landing zone at {landing}: generating a sample ({accounts:,} accounts, {days} days)."
    )
    generate(
        landing, accounts=accounts, days=days, seed=seed, end_date=date.today() - timedelta(days=1)
    )


def build(landing: Path, warehouse: Path) -> None:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    as_of = os.environ.get("AS_OF_DATE")
    vars_arg = ["--vars", f"{{as_of_date: '{as_of}'}}"] if as_of else []
    dbt = str(PROJECT_DIR / ".venv" / "bin" / "dbt")
    env = dbt_env(landing, warehouse)
    subprocess.run([dbt, "build", "--quiet", *vars_arg], cwd=PROJECT_DIR, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    landing, warehouse = landing_dir(), warehouse_path()
    ensure_landing(landing, args.accounts, args.days, args.seed)
    build(landing, warehouse)
    print(summary(warehouse))


if __name__ == "__main__":
    main()
