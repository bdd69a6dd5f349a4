"""Keeping what each run leaves behind bounded: the last N run logs and dbt run folders.

Only entries that a run of this project wrote are considered, matched by the name pattern
their writer gives them; everything else in the folder stays.
"""

from __future__ import annotations

import shutil
from pathlib import Path

# `make run`'s log files, and the dbt artifacts folders dagster-dbt makes per invocation.
RUN_LOGS_KEPT = 30
DBT_RUN_FOLDERS_KEPT = 5


def prune(folder: Path, pattern: str, keep: int) -> list[Path]:
    """Delete all but the `keep` most recently modified entries of `folder` matching
    `pattern`; return what was deleted."""
    if not folder.is_dir():
        return []
    entries = sorted(folder.glob(pattern), key=lambda path: (path.stat().st_mtime, path.name))
    removed = entries[: max(len(entries) - keep, 0)]
    for path in removed:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed
