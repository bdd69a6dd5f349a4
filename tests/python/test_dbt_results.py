"""What a dbt invocation reports, read from its artifacts (warehouse/dbt_results.py): the
sentences the Dagster step raises and `make run` prints, from run_results.json as dbt writes
it (the messages in the shape dbt writes them in its artifacts and structured log)."""

from __future__ import annotations

from warehouse.dbt_results import describe, failures, first_paragraph, succeeded_nodes

MODEL_ERROR = (
    "Runtime Error in model int_as_of_date (models/intermediate/int_as_of_date.sql)\n"
    "  Conversion Error: Could not convert string '2026-03-31' to INT32\n"
    "  \n"
    "  compiled code at target/run/tiktok_one_warehouse/models/intermediate/int_as_of_date.sql"
)
HOOK_ERROR = (
    "Encountered an error:\n"
    "Compilation Error in operation tiktok_one_warehouse-on-run-start-0 (./dbt_project.yml)\n"
    "  as_of_date 2026-04-05 is after the latest spend_date in /landing/ad_spend (2026-03-31): "
    "every account would read as spending nothing after 2026-03-31.\n"
    "  \n"
    "  > in macro assert_as_of_date_has_spend (macros/landing_checks.sql)\n"
    "  > called by macro assert_landing_inputs (macros/landing_checks.sql)"
)


def result(unique_id: str, status: str, message: str | None = None) -> dict:
    return {"unique_id": unique_id, "status": status, "message": message}


RUN_RESULTS = {
    "results": [
        result("seed.tiktok_one_warehouse.tier_thresholds", "success"),
        result(
            "test.tiktok_one_warehouse.not_null_dim_accounts_account_id", "fail", "Got 1 result"
        ),
        result("model.tiktok_one_warehouse.int_as_of_date", "error", MODEL_ERROR),
        result("model.tiktok_one_warehouse.dim_accounts", "success"),
        result("test.tiktok_one_warehouse.unique_dim_accounts_account_id", "pass"),
        result("model.tiktok_one_warehouse.fct_tier_changes", "skipped"),
    ]
}


def test_the_database_error_without_dbts_framing():
    assert first_paragraph(MODEL_ERROR) == (
        "Conversion Error: Could not convert string '2026-03-31' to INT32"
    )
    assert first_paragraph(HOOK_ERROR) == (
        "as_of_date 2026-04-05 is after the latest spend_date in /landing/ad_spend "
        "(2026-03-31): every account would read as spending nothing after 2026-03-31."
    )


def test_failures_put_the_causes_before_the_tests_they_failed():
    found = failures(RUN_RESULTS)
    assert [failure.name for failure in found] == [
        "int_as_of_date",
        "not_null_dim_accounts_account_id",
    ]
    assert describe(found).splitlines() == [
        "dbt model int_as_of_date error: Conversion Error: Could not convert string "
        "'2026-03-31' to INT32",
        "dbt test not_null_dim_accounts_account_id fail: Got 1 result",
    ]
    # Only the models and seeds that succeeded count as built (skipped or failed do not).
    assert succeeded_nodes(RUN_RESULTS) == [
        "seed.tiktok_one_warehouse.tier_thresholds",
        "model.tiktok_one_warehouse.dim_accounts",
    ]


def test_when_dbt_ran_nothing_the_error_it_stopped_with():
    found = failures(None, ["", HOOK_ERROR])
    assert [failure.sentence() for failure in found] == [
        "dbt stopped before building anything: as_of_date 2026-04-05 is after the latest "
        "spend_date in /landing/ad_spend (2026-03-31): every account would read as spending "
        "nothing after 2026-03-31."
    ]
    assert succeeded_nodes(None) == []


def test_a_long_list_of_failures_is_cut_short():
    many = [
        result(f"test.tiktok_one_warehouse.test_{n}", "fail", f"Got {n} results") for n in range(7)
    ]
    lines = describe(failures({"results": many}), limit=5).splitlines()
    assert len(lines) == 6
    assert lines[-1] == "... and 2 more (the run's log has them all)"
