"""What a dbt invocation reports, read from its artifacts (never from its console text).

`run_results.json` lists every node the invocation ran with its status and, for a failure,
dbt's message with the database's own error text (a full disk, a lock, a type error, a test's
failing rows). When dbt stops before running any node (an on-run-start check of the landing
zone, a compilation error) it writes no run_results; its structured log then carries the
error, which the caller passes in as `stopped_with`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FAILED = ("error", "fail", "runtime error")
# The node of an error dbt stopped with before running any node.
STOPPED = "operation.dbt"
SUCCEEDED = ("success", "pass")


@dataclass(frozen=True)
class NodeFailure:
    unique_id: str
    status: str
    message: str

    @property
    def name(self) -> str:
        return self.unique_id.split(".")[-1]

    def sentence(self) -> str:
        if self.unique_id == STOPPED:
            return f"dbt stopped before building anything: {self.message}"
        kind = self.unique_id.split(".")[0]
        what = {"test": "test", "unit_test": "unit test", "operation": "hook"}.get(kind, kind)
        return f"dbt {what} {self.name} {self.status}: {self.message}"


def succeeded_nodes(run_results: Mapping[str, Any] | None) -> list[str]:
    """The models and seeds that dbt built successfully, in the order it ran them."""
    if not run_results:
        return []
    return [
        result["unique_id"]
        for result in run_results.get("results", [])
        if result["status"] in SUCCEEDED and result["unique_id"].split(".")[0] in ("model", "seed")
    ]


def first_paragraph(message: str) -> str:
    """dbt's error text without its framing: the header naming the node (the caller names it)
    and the trail of macros it was called from."""
    lines = [line.strip() for line in message.strip().splitlines()]
    kept = []
    for line in lines:
        if line.startswith(">") or line.startswith("compiled code at"):
            break
        kept.append(line)
    if len(kept) > 1 and (" Error in " in kept[0] or kept[0].startswith("Encountered an error")):
        kept = kept[1:]
    text = " ".join(line for line in kept if line)
    return text or message.strip()


def failures(
    run_results: Mapping[str, Any] | None, stopped_with: Iterable[str] = ()
) -> list[NodeFailure]:
    """Every node that failed, causes first (errors before the tests they made fail); or, when
    dbt ran no node, the errors it stopped with."""
    found = [
        NodeFailure(result["unique_id"], result["status"], first_paragraph(result["message"] or ""))
        for result in (run_results or {}).get("results", [])
        if result["status"] in FAILED
    ]
    found.sort(key=lambda failure: failure.unique_id.split(".")[0] == "test")
    if found:
        return found
    return [
        NodeFailure(STOPPED, "error", first_paragraph(message))
        for message in stopped_with
        if message.strip()
    ]


def describe(found: list[NodeFailure], limit: int = 5) -> str:
    """The failures as sentences, the first `limit` in full."""
    lines = [failure.sentence() for failure in found[:limit]]
    if len(found) > limit:
        lines.append(f"... and {len(found) - limit} more (the run's log has them all)")
    return "\n".join(lines)
