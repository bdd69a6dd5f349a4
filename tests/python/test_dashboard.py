"""The dashboard's pages, driven with Streamlit's AppTest on the published fixture copy.

Each page's numbers (metrics, tables and the data behind each chart) are compared with values
worked out here straight from the copy's marts, by other queries than the app's.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from warehouse.fixtures import FIXTURE_AS_OF
from warehouse.publish import publish_marts

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
DOWNGRADED = "acc_two_step_drop"


@pytest.fixture(scope="module")
def copy(published_fixture: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(published_fixture), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def app(published_fixture: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PUBLISHED_WAREHOUSE_PATH", str(published_fixture))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.radio(key="page").set_value(page).run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> list[dict]:
    """Each Vega-Lite chart on the page: its title(s) and its data, one frame per dataset."""
    found = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        frames = [
            pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in element.proto.datasets
        ]
        titles = [spec.get("title")] + [part.get("title") for part in spec.get("vconcat", [])]
        found.append({"spec": spec, "titles": titles, "data": frames})
    return found


def chart(at: AppTest, title: str) -> dict:
    matching = [found for found in charts(at) if title in json.dumps(found["titles"])]
    assert len(matching) == 1, [found["titles"] for found in charts(at)]
    return matching[0]


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def test_the_header_says_as_of_when_and_which_run(app):
    caption = app.caption[0].value
    assert f"Data as of **{FIXTURE_AS_OF.isoformat()}**" in caption
    assert "run `fixture`" in caption


def test_program_page(app, copy):
    today = dict(
        copy.execute(
            "select tier, count(*) from marts.fct_account_tier_daily "
            "where date_day = ? group by tier",
            [FIXTURE_AS_OF],
        ).fetchall()
    )
    shown = metrics(app)
    for tier, label in [("none", "No tier"), ("essential", "Essential"), ("premium", "Premium")]:
        assert shown[f"{label} members"] == f"{today.get(tier, 0):,}"
    assert (
        sum(today.values())
        == copy.execute(
            "select count(*) from marts.dim_accounts where tier is not null"
        ).fetchone()[0]
    )

    members = chart(app, "members per tier")["data"][0]
    on_as_of = members[members["date_day"] == pd.Timestamp(FIXTURE_AS_OF)]
    every_tier = [
        tier
        for (tier,) in copy.execute(
            "select tier from rules.tier_thresholds order by tier_rank"
        ).fetchall()
    ]
    assert dict(zip(on_as_of["tier"], on_as_of["accounts"], strict=True)) == {
        tier: today.get(tier, 0) for tier in every_tier
    }
    assert (
        members["accounts"].sum()
        == copy.execute("select count(*) from marts.fct_account_tier_daily").fetchone()[0]
    )

    changes = chart(app, "Upgrades and downgrades")["data"][0]
    expected = dict(
        copy.execute(
            "select change_type, count(*) from marts.fct_tier_changes "
            "where from_tier is not null group by 1"
        ).fetchall()
    )
    assert changes.groupby("change_type")["changes"].sum().to_dict() == expected
    assert expected["downgrade"] == 5

    # The fixture's pending warnings, counted per scheduled downgrade date and tier at risk,
    # each bar a day wide.
    pending = copy.execute(
        "select scheduled_downgrade_date, tier_at_risk, count(*) from marts.fct_downgrade_warnings "
        "where outcome = 'pending' group by all order by all"
    ).fetchall()
    assert sum(accounts for *_, accounts in pending) == 2
    warned = chart(app, "Pending warnings by scheduled downgrade date")["data"][0]
    charted = zip(
        warned["scheduled_downgrade_date"].dt.date,
        warned["tier_at_risk"],
        warned["accounts"],
        strict=True,
    )
    assert sorted(charted) == pending
    assert (warned["next_day"] - warned["scheduled_downgrade_date"]).dt.days.eq(1).all()
    assert not any("No downgrade warning is pending" in info.value for info in app.info)

    requests = chart(app, "Creatives requested per week")["data"][0]
    within, over = copy.execute(
        "select sum(creatives_within_cap), sum(creatives_over_cap) from marts.fct_creative_requests"
    ).fetchone()
    assert requests.groupby("part")["creatives"].sum().to_dict() == {
        "within cap": within,
        "over cap": over,
    }
    assert "Essential 10, Classic 50, Premium 100" in " ".join(c.value for c in app.caption)


def test_the_program_charts_read_the_small_marts_that_match_the_tier_days(app, copy):
    """The members chart reads fct_tier_members_daily, whose every day and tier is the count
    of fct_account_tier_daily; the changes chart reads fct_tier_changes_weekly."""
    members = chart(app, "members per tier")["data"][0]
    counted = copy.execute(
        """
        select members_daily.date_day, members_daily.tier, members_daily.members,
            count(tier_days.account_id)
        from marts.fct_tier_members_daily as members_daily
        left join marts.fct_account_tier_daily as tier_days
            on members_daily.date_day = tier_days.date_day
            and members_daily.tier = tier_days.tier
        group by all
        """
    ).fetchall()
    assert all(members == from_tier_days for *_, members, from_tier_days in counted)
    assert len(members) == len(counted) > 0
    # Every day of the chart has every tier, none of them left out on a day without members.
    assert members.groupby("date_day")["tier"].nunique().eq(members["tier"].nunique()).all()
    assert (members["accounts"] == 0).any()

    weekly = chart(app, "Upgrades and downgrades")["data"][0]
    assert set(weekly["week_start"].dt.day_of_week) == {0}
    by_week = copy.execute(
        "select date_trunc('week', effective_date) as week, change_type, count(*) "
        "from marts.fct_tier_changes where from_tier is not null group by all order by all"
    ).fetchall()
    assert sorted(
        zip(weekly["week_start"], weekly["change_type"], weekly["changes"], strict=True)
    ) == [(pd.Timestamp(week), kind, changes) for week, kind, changes in by_week]


def test_program_page_lists_the_tiers_at_risk_within_7_days_with_their_amounts(app, copy):
    expected = copy.execute(
        """
        select account_id, tier, spend_to_keep_tier_usd, keep_tier_by, spend_to_next_tier_usd
        from marts.fct_tier_outlook
        where keep_tier_by <= as_of_date + 7
        order by keep_tier_by, spend_to_keep_tier_usd desc, account_id
        """
    ).fetchall()
    assert len(expected) == 2  # acc_below_29_days and acc_warned_on_as_of
    at_risk = next(
        frame.value for frame in app.dataframe if "spend_to_keep_tier_usd" in frame.value
    )
    shown = zip(
        at_risk["account"],
        at_risk["tier"],
        at_risk["spend_to_keep_tier_usd"],
        at_risk["keep_tier_by"].dt.date,
        at_risk["spend_to_next_tier_usd"],
        strict=True,
    )
    assert list(shown) == [
        (f"?page=Account&account={account}", *rest) for account, *rest in expected
    ]
    # Every pending warning is in the list, with its warning day.
    pending = dict(
        copy.execute(
            "select account_id, warning_date from marts.fct_downgrade_warnings "
            "where outcome = 'pending'"
        ).fetchall()
    )
    accounts = at_risk["account"].str.split("=").str[-1]
    listed = dict(zip(accounts, at_risk["warned_on"].dt.date, strict=True))
    assert {account: listed.get(account) for account in pending} == pending
    # The account column links to each account's page.
    (grid,) = [frame for frame in app.dataframe if "spend_to_keep_tier_usd" in frame.value]
    columns = json.loads(grid.proto.columns)
    assert columns["account"]["type_config"]["type"] == "link"


def test_account_page_shows_the_downgrade_and_its_reason(app, copy):
    open_page(app, "Account")
    app.text_input(key="account_search").set_value(DOWNGRADED).run()
    assert app.selectbox(key="account").value == DOWNGRADED
    assert metrics(app)["Tier"] == "Essential"

    changes = app.table[0].value
    expected = copy.execute(
        "select change_reason from marts.fct_tier_changes where account_id = ? "
        "order by effective_date desc",
        [DOWNGRADED],
    ).fetchall()
    assert list(changes["change_reason"]) == [reason for (reason,) in expected]
    assert (
        changes["change_reason"]
        .iloc[0]
        .startswith(
            "Rolling 30-day TikTok One spend has been below Classic's $10,000 since 2026-02-19; "
            "warned 2026-03-15; moved to Essential on 2026-03-20, day 30 below"
        )
    )
    warnings = app.table[1].value
    assert list(warnings["outcome"]) == ["downgraded", "downgraded"]
    assert warnings["warning_reason"].iloc[0].endswith("Downgraded on 2026-03-20.")

    timeline = chart(app, "Qualifying spend (line) against the tier minimums")
    days, minimums = sorted(timeline["data"], key=len, reverse=True)[:2]
    assert (
        len(days)
        == copy.execute(
            "select count(*) from marts.fct_account_tier_daily where account_id = ?", [DOWNGRADED]
        ).fetchone()[0]
    )
    assert (
        days["qualifying_spend_usd"].max()
        == copy.execute(
            "select max(qualifying_spend_usd) from marts.fct_account_tier_daily "
            "where account_id = ?",
            [DOWNGRADED],
        ).fetchone()[0]
    )
    # The dashed minimums are the copy's rules, not numbers of the app: every tier, since
    # the account held Premium.
    assert sorted(minimums["min_rolling_30d_spend_usd"]) == [
        minimum
        for (minimum,) in copy.execute(
            "select min_rolling_30d_spend_usd from rules.tier_thresholds where tier_rank > 0 "
            "order by 1"
        ).fetchall()
    ]


@pytest.mark.parametrize("account", ["acc_threshold_met", "acc_late_join"])
def test_a_timeline_shows_the_minimums_up_to_the_next_tier_above_what_the_account_reached(
    app, copy, account
):
    open_page(app, "Account")
    app.text_input(key="account_search").set_value(account).run()
    timeline = chart(app, "Qualifying spend (line) against the tier minimums")
    days, minimums = sorted(timeline["data"], key=len, reverse=True)[:2]
    expected = copy.execute(
        """
        select tier from rules.tier_thresholds
        where tier_rank > 0 and tier_rank <= (
            select greatest(max(tier_rank), max(qualified_tier_rank)) + 1
            from marts.fct_account_tier_daily where account_id = ?
        )
        order by tier_rank
        """,
        [account],
    ).fetchall()
    assert list(minimums["tier"]) == [tier for (tier,) in expected]
    assert "premium" not in set(minimums["tier"])


def test_the_account_page_shows_the_outlook_beside_the_timeline(app, copy):
    account = "acc_below_29_days"
    open_page(app, "Account")
    app.text_input(key="account_search").set_value(account).run()
    outlook = copy.execute(
        "select tier, next_tier, spend_to_keep_tier_usd, keep_tier_by, spend_to_next_tier_usd, "
        "downgrade_date_without_spend, tier_after_downgrade_without_spend, as_of_date "
        "from marts.fct_tier_outlook where account_id = ?",
        [account],
    ).fetchone()
    tier, next_tier, keep, keep_by, reach, drops_on, drops_to, as_of = outlook
    assert keep is not None and reach is not None  # below its tier: every amount is there
    assert "Outlook" in [header.value for header in app.subheader]
    shown = {metric.label: (metric.value, metric.proto.delta) for metric in app.metric}
    tomorrow = as_of + timedelta(days=1)
    assert shown[f"Spend to keep {tier.capitalize()}"] == (usd(keep), f"by {keep_by}")
    assert shown[f"Spend to reach {next_tier.capitalize()}"] == (usd(reach), f"on {tomorrow}")
    assert shown["Drops without spend"] == (str(drops_on), f"to {drops_to.capitalize()}")


def test_the_outlook_of_an_account_at_its_tier_has_nothing_to_keep(app, copy):
    account = "acc_eur"
    open_page(app, "Account")
    app.text_input(key="account_search").set_value(account).run()
    keep, reach = copy.execute(
        "select spend_to_keep_tier_usd, spend_to_next_tier_usd from marts.fct_tier_outlook "
        "where account_id = ?",
        [account],
    ).fetchone()
    assert keep is None
    labels = [metric.label for metric in app.metric]
    assert not any(label.startswith("Spend to keep") for label in labels)
    assert metrics(app)["Spend to reach Classic"] == usd(reach)
    assert any("is safe for now" in caption.value for caption in app.caption)


def test_account_page_shows_credits_coupons_and_spend_match(app, copy):
    open_page(app, "Account")
    app.text_input(key="account_search").set_value("acc_cp_blocked").run()
    assert app.selectbox(key="account").value == "acc_cp_blocked"
    coupons = app.table[0].value
    assert sorted(coupons["outcome"]) == ["applied", "applied", "blocked_by_active_promotion"]
    blocked = coupons.loc[coupons["outcome"] == "blocked_by_active_promotion", "outcome_reason"]
    assert "held an active coupon credit applied earlier" in blocked.iloc[0]
    credits = app.dataframe[0].value
    assert sorted(credits["credit_id"]) == [
        credit
        for (credit,) in copy.execute(
            "select credit_id from marts.fct_credit_issuance where account_id = 'acc_cp_blocked' "
            "order by 1"
        ).fetchall()
    ]
    balance = chart(app, "Credit balance")["data"][0]
    assert (
        balance["balance_usd"].max()
        == copy.execute(
            "select max(balance_usd) from marts.fct_account_credit_balance_daily "
            "where account_id = 'acc_cp_blocked'"
        ).fetchone()[0]
    )

    app.text_input(key="account_search").set_value("acc_sm_missing").run()
    spend_match = app.table[0].value
    assert list(spend_match["status"]) == ["missing"]
    assert spend_match["status_reason"].iloc[0].endswith("and was not issued: missing.")
    assert "reached the offer's $500" in spend_match["status_reason"].iloc[0]


def test_account_page_says_why_when_nothing_matches_or_there_is_nothing(app):
    open_page(app, "Account")
    app.text_input(key="account_search").set_value("no such account").run()
    assert [info.value for info in app.info] == [
        "No account id or name contains “no such account”."
    ]
    app.text_input(key="account_search").set_value("acc_not_member").run()
    infos = " ".join(info.value for info in app.info)
    assert "Not in TikTok One by the as-of date: no tier yet." in infos
    assert "Not in TikTok One on the as-of date: there is no tier to keep or reach." in infos
    assert "No credit yet" in infos
    assert charts(app) == []
    app.text_input(key="account_search").set_value("acc_joins_later").run()
    assert "It joins on 2026-04-15." in " ".join(info.value for info in app.info)


def test_an_account_with_credits_and_no_spend_shows_its_credits_and_says_why_no_timeline(app, copy):
    account = "acc_cp_applied"
    assert copy.execute(
        "select count(*) from marts.fct_account_tier_daily where account_id = ?", [account]
    ).fetchone() == (0,)
    open_page(app, "Account")
    app.text_input(key="account_search").set_value(account).run()
    assert [found["titles"][0] for found in charts(app)] == [
        "Credit balance at the end of each day"
    ]
    assert "Not in TikTok One by the as-of date" in " ".join(info.value for info in app.info)


def test_a_balance_that_never_stays_overnight_is_a_sentence_not_a_flat_chart(app, copy):
    account = "acc_sm_early"
    (highest,) = copy.execute(
        "select max(balance_usd) from marts.fct_account_credit_balance_daily where account_id = ?",
        [account],
    ).fetchone()
    assert highest == 0
    open_page(app, "Account")
    app.text_input(key="account_search").set_value(account).run()
    assert charts(app) == []
    assert "No credit was left at the end of any day" in " ".join(i.value for i in app.info)


def test_a_member_without_spend_gets_a_sentence_instead_of_a_flat_timeline(
    published_fixture, tmp_path, monkeypatch
):
    """No fixture member is without spend: in a copy of the published copy, one member's
    qualifying spend is set to zero on every day (its tier days then say none)."""
    account = "acc_threshold_missed"
    target = tmp_path / "bi.duckdb"
    shutil.copy(published_fixture, target)
    target.chmod(0o600)
    connection = duckdb.connect(str(target))
    try:
        connection.execute(
            "update marts.fct_account_tier_daily set qualifying_spend_usd = 0 where account_id = ?",
            [account],
        )
        (joined_on,) = connection.execute(
            "select tiktok_one_joined_on from marts.dim_accounts where account_id = ?", [account]
        ).fetchone()
    finally:
        connection.close()
    monkeypatch.setenv("PUBLISHED_WAREHOUSE_PATH", str(target))
    at = AppTest.from_file(APP, default_timeout=60).run()
    open_page(at, "Account")
    at.text_input(key="account_search").set_value(account).run()
    assert charts(at) == []
    assert (
        f"No spend yet: no qualifying spend since joining TikTok One on {joined_on}, so no tier "
        "(Essential starts at $2,000.00 of 30-day spend)."
    ) in [info.value for info in at.info]


def test_credits_page(app, copy):
    open_page(app, "Credits")
    issued, consumed = copy.execute(
        "select (select sum(amount_usd) from marts.fct_credit_issuance), "
        "(select sum(amount_usd) from marts.fct_credit_ledger where entry_type = 'consumed')"
    ).fetchone()
    within_7, within_30 = copy.execute(
        "select coalesce(sum(remaining_usd) filter (where expires_in_days <= 7), 0), "
        "coalesce(sum(remaining_usd) filter (where expires_in_days <= 30), 0) "
        "from marts.fct_credit_expiry_outlook"
    ).fetchone()
    shown = metrics(app)
    assert shown["Issued"] == usd(issued)
    assert shown["Consumed"] == usd(consumed)
    assert shown["Expiring within 7 days"] == usd(within_7)
    assert shown["Expiring within 30 days"] == usd(within_30)
    assert within_7 > 0 and within_30 > within_7

    by_source = chart(app, "Credits issued by source")["data"][0]
    expected = dict(
        copy.execute(
            "select credit_source, sum(amount_usd) from marts.fct_credit_issuance group by 1"
        ).fetchall()
    )
    assert by_source.groupby("credit_source")["amount_usd"].sum().to_dict() == expected
    breakage = chart(app, "Breakage")["data"][0]
    assert (
        breakage["breakage_usd"].sum()
        == copy.execute(
            "select sum(breakage_usd) from marts.fct_credit_breakage_monthly"
        ).fetchone()[0]
    )

    statuses = chart(app, "Spend-match credits by status")["data"][0]
    assert statuses.groupby("status")["credits"].sum().to_dict() == dict(
        copy.execute(
            "select status, count(*) from marts.fct_spend_match_reconciliation "
            "where coalesce(trigger_at, issued_at) is not null group by 1"
        ).fetchall()
    )
    problems = app.dataframe[1].value
    assert sorted(zip(problems["account_id"], problems["status"], strict=True)) == [
        ("acc_sm_late", "issued_late"),
        ("acc_sm_missing", "missing"),
    ]


def test_creator_next_page(app, copy):
    open_page(app, "Creator Next")
    creators, eligible = copy.execute(
        """
        select count(*), count(*) filter (where latest.is_eligible)
        from marts.fct_creator_next_eligibility_daily as latest
        where latest.date_day = (
            select max(other.date_day) from marts.fct_creator_next_eligibility_daily as other
            where other.creator_id = latest.creator_id
        )
        """
    ).fetchone()
    assert metrics(app) == {
        "Creators": f"{creators:,}",
        "Eligible on their latest day": f"{eligible:,}",
    }
    eligible_days = chart(app, "Creators eligible")["data"][0]
    assert (
        eligible_days["creators"].sum()
        == copy.execute(
            "select count(*) from marts.fct_creator_next_eligibility_daily where is_eligible"
        ).fetchone()[0]
    )
    failures = chart(app, "Which rule fails most")["data"][0]
    views_failing = copy.execute(
        """
        select count(*) from marts.fct_creator_next_eligibility_daily as latest
        where not passes_views and latest.date_day = (
            select max(other.date_day) from marts.fct_creator_next_eligibility_daily as other
            where other.creator_id = latest.creator_id
        )
        """
    ).fetchone()[0]
    counts = dict(zip(failures["rule"], failures["creators_failing"], strict=True))
    assert counts["views"] == views_failing
    assert len(counts) == 7 and counts["standing"] == 0


def test_the_published_marts_keep_each_accounts_rows_together(copy):
    """The publication sorts every mart with an account_id by it (warehouse/publish.py), so
    that reading one account skips the row groups of the others."""
    by_account = [
        table
        for (table,) in copy.execute(
            "select table_name from duckdb_columns() "
            "where schema_name = 'marts' and column_name = 'account_id' order by 1"
        ).fetchall()
    ]
    assert "fct_account_tier_daily" in by_account and len(by_account) > 10
    out_of_order = {
        table: copy.execute(
            f"""
            select count(*) from (
                select account_id, lag(account_id) over (order by rowid) as previous
                from marts.{table}
            )
            where previous > account_id
            """
        ).fetchone()[0]
        for table in by_account
    }
    assert set(out_of_order.values()) == {0}, out_of_order


def test_a_new_publication_is_read_afresh(fixture_warehouse, copy, tmp_path, monkeypatch):
    """Results are cached per publication: a new copy (another run) at the same path shows."""
    (marts,) = copy.execute("select tables from meta.publication").fetchone()
    target = tmp_path / "bi.duckdb"
    publish_marts(fixture_warehouse, target, marts, FIXTURE_AS_OF, run_id="first")
    monkeypatch.setenv("PUBLISHED_WAREHOUSE_PATH", str(target))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert "run `first`" in at.caption[0].value
    publish_marts(fixture_warehouse, target, marts, FIXTURE_AS_OF, run_id="second")
    at.run()
    assert "run `second`" in at.caption[0].value


def test_without_a_published_copy_the_dashboard_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.setenv("PUBLISHED_WAREHOUSE_PATH", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [warning.value for warning in at.warning] == [
        f"No published copy at {tmp_path / 'none.duckdb'}: `make run` builds the warehouse "
        "and publishes it."
    ]
