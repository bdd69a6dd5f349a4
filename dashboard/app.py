"""The TikTok One program dashboard (Streamlit). `make dashboard` serves it on 127.0.0.1.

Four pages, picked in the sidebar (or with `?page=Account&account=<id>` in the address): the
program, one account for support, credits, and Creator Next. Every number comes from the
published BI copy through `dashboard.data`; results are cached per publication, keyed on the
copy's run id and publication time, so a new copy is read afresh and an old one never again.
Given a what-if file (`make dashboard WHAT_IF=<file>`, WHAT_IF_PATH), a fifth page shows it:
the program under a proposal of tier rules beside the actual one (docs/rule-changes.md).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard import charts, data

PAGES = ["Program", "Account", "Credits", "Creator Next"]
WHAT_IF_PAGE = "What-if"
PublicationKey = tuple[str, str, str]


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(publication: PublicationKey) -> duckdb.DuckDBPyConnection:
    return data.connect(publication[0])


@st.cache_data(max_entries=1000, show_spinner=False)
def load(publication: PublicationKey, name: str, params: tuple[tuple[str, Any], ...] = ()):
    """A named query's result, cached for this publication (path, run id, published at)."""
    return data.query(_connection(publication), name, dict(params))


def usd(amount: Any) -> str:
    """Dollars and cents; millions shortened so that a metric fits its column."""
    value = float(amount or 0)
    return f"${value / 1e6:,.1f}M" if abs(value) >= 1e6 else f"${value:,.2f}"


def dated(frame: pd.DataFrame) -> pd.DataFrame:
    """Day columns shown as days: DuckDB dates arrive in pandas as midnight timestamps."""
    days = {
        column: frame[column].dt.strftime("%Y-%m-%d")
        for column in frame.select_dtypes("datetime").columns
        if (frame[column].dropna() == frame[column].dropna().dt.normalize()).all()
    }
    return frame.assign(**days)


# The charts this run of the script drew, counted for the footer (the script runs afresh on
# every rerun, so the list starts empty each time).
CHARTS_DRAWN: list[str] = []


def show_chart(
    chart: Any, frame: pd.DataFrame, empty_because: str, nothing_to_show: bool | None = None
) -> None:
    """The chart, or, when it would have nothing to show (no rows, unless the caller says
    otherwise), the sentence that says why: never an empty frame."""
    if frame.empty if nothing_to_show is None else nothing_to_show:
        st.info(empty_because)
    else:
        st.altair_chart(chart, width="stretch")
        CHARTS_DRAWN.append(str(chart.title))


def tier_label(tier: str) -> str:
    return "no tier" if tier == "none" else tier.capitalize()


def day(value: Any) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def header(publication: data.Publication) -> None:
    st.title("TikTok One program")
    st.caption(
        f"Data as of **{publication.as_of_date:%Y-%m-%d}** · published "
        f"{publication.published_at:%Y-%m-%d %H:%M} UTC · run `{publication.run_id}`"
    )


def program_page(
    key: PublicationKey, tiers: list[str], thresholds: pd.DataFrame, as_of: Any
) -> None:
    today = load(key, "members_per_tier_today")
    counts = dict(zip(today["tier"], today["accounts"], strict=True))
    columns = st.columns(len(tiers))
    for column, tier in zip(columns, tiers, strict=True):
        label = "No tier" if tier == "none" else tier.capitalize()
        column.metric(f"{label} members", f"{int(counts.get(tier, 0)):,}")

    members = load(key, "members_per_tier_daily")
    show_chart(
        charts.members_per_tier(members, tiers),
        members,
        "No account has joined TikTok One yet: there is no member to chart.",
    )
    changes = load(key, "tier_changes_weekly")
    show_chart(
        charts.tier_changes_weekly(changes),
        changes,
        "No account has been upgraded or downgraded yet.",
    )

    at_risk_section(key)

    st.subheader("Warnings pending")
    pending = load(key, "pending_warnings")
    show_chart(
        charts.pending_warnings(pending, tiers),
        pending,
        "No downgrade warning is pending: every warned account has recovered or moved tier.",
    )

    requests = load(key, "creative_requests_weekly")
    caps = ", ".join(
        f"{tier.capitalize()} {cap}"
        for tier, cap in zip(thresholds["tier"], thresholds["weekly_creative_cap"], strict=True)
        if tier != "none"
    )
    st.subheader("Creative requests")
    st.caption(
        f"Weekly caps per account: {caps} creatives (rules.tier_thresholds, in effect on the "
        f"as-of date).{scheduled_rules_sentence(key, as_of)}"
    )
    show_chart(
        charts.creative_requests_weekly(requests),
        requests,
        "No creative has been requested yet.",
    )


def scheduled_rules_sentence(key: PublicationKey, as_of: Any) -> str:
    """The rule changes that take effect after the as-of date, in a sentence ('' when none)."""
    scheduled = load(key, "tier_rules_scheduled", (("as_of", as_of),))
    if scheduled.empty:
        return ""
    changes = "; ".join(
        f"from {day(row['effective_from'])}, {tier_label(row['tier'])} "
        f"{usd(row['min_rolling_30d_spend_usd'])} (cap {int(row['weekly_creative_cap'])})"
        for _, row in scheduled.iterrows()
    )
    return f" Scheduled: {changes}."


def at_risk_section(key: PublicationKey) -> None:
    """Members whose tier drops within AT_RISK_DAYS unless they spend (fct_tier_outlook)."""
    days = data.AT_RISK_DAYS
    st.subheader(f"Tiers at risk within {days} days")
    at_risk = load(key, "tiers_at_risk", (("days", days),))
    if at_risk.empty:
        st.success(
            f"No member's tier is at risk within {days} days: no member is far enough below "
            "its tier's minimum to lose it that soon."
        )
        return
    st.caption(
        f"{len(at_risk):,} members below their tier who must reach its minimum within {days} "
        "days to keep it: by the day in Keep by, the day it drops without more spend. Spend to "
        "keep is what one day's spend on TikTok One creatives tomorrow takes. Click a column "
        "to sort it, an account to open it."
    )
    st.dataframe(
        at_risk,
        hide_index=True,
        column_config={
            "account": st.column_config.LinkColumn(
                "Account", display_text=r"account=(.*)$", width="medium"
            ),
            "account_name": "Name",
            "tier": "Tier",
            "days_below_tier": st.column_config.NumberColumn("Days below", format="%d"),
            "spend_to_keep_tier_usd": st.column_config.NumberColumn(
                "Spend to keep (USD)", format="dollar"
            ),
            "keep_tier_by": st.column_config.DateColumn("Keep by", format="YYYY-MM-DD"),
            "drops_to": "Drops to",
            "spend_to_next_tier_usd": st.column_config.NumberColumn(
                "Spend to next tier (USD)", format="dollar"
            ),
            "warned_on": st.column_config.DateColumn("Warned on", format="YYYY-MM-DD"),
            "warning_reason": st.column_config.TextColumn("Warning", width="large"),
        },
    )


def account_page(key: PublicationKey, tiers: list[str], thresholds: pd.DataFrame) -> None:
    text = st.text_input(
        "Find an account (id or name)",
        value=st.query_params.get("account", ""),
        key="account_search",
    )
    matches = load(key, "account_search", (("text", text.strip()),))
    if matches.empty:
        st.info(f"No account id or name contains “{text.strip()}”.")
        return
    names = dict(zip(matches["account_id"], matches["account_name"], strict=True))
    account_id = st.selectbox(
        "Account",
        list(names),
        format_func=lambda account: f"{account} · {names[account]}",
        key="account",
    )
    params = (("account_id", account_id),)
    account = load(key, "account", params).iloc[0]

    st.header(f"{account['account_name']} ({account_id})")
    tier = account["tier"] if isinstance(account["tier"], str) else None
    columns = st.columns(4)
    columns[0].metric("Tier", tier.capitalize() if tier else "Not a member")
    columns[1].metric(
        "Days below tier",
        "–" if pd.isna(account["days_below_tier"]) else int(account["days_below_tier"]),
    )
    columns[2].metric(
        "Tier since", "–" if pd.isna(account["tier_since"]) else f"{account['tier_since']:%Y-%m-%d}"
    )
    columns[3].metric(
        "Joined TikTok One",
        "–"
        if pd.isna(account["tiktok_one_joined_on"])
        else f"{account['tiktok_one_joined_on']:%Y-%m-%d}",
    )

    timeline, outlook = st.columns([3, 1], gap="large")
    with timeline:
        st.subheader("Tier timeline")
        days = load(key, "account_tier_days", params)
        joined_on = account["tiktok_one_joined_on"]
        if days.empty:
            because = "Not in TikTok One by the as-of date: no tier yet." + (
                "" if pd.isna(joined_on) else f" It joins on {day(joined_on)}."
            )
        else:
            lowest = thresholds[thresholds["tier_rank"] == 1].iloc[0]
            because = (
                f"No spend yet: no qualifying spend since joining TikTok One on "
                f"{day(joined_on)}, so no tier ({tier_label(lowest['tier'])} starts at "
                f"{usd(lowest['min_rolling_30d_spend_usd'])} of 30-day spend)."
            )
        minimums = load(key, "tier_minimums_over_time")
        show_chart(
            charts.account_tier_timeline(days, minimums, tiers),
            days,
            because,
            nothing_to_show=not (days["qualifying_spend_usd"] > 0).any(),
        )
    with outlook:
        outlook_section(key, params)

    st.subheader("Tier changes and why")
    changes = load(key, "account_tier_changes", params)
    if changes.empty:
        st.info("No tier change: the account is not in TikTok One.")
    else:
        st.table(
            dated(changes)[
                ["effective_date", "change_type", "from_tier", "to_tier", "change_reason"]
            ]
        )
    warnings = load(key, "account_warnings", params)
    st.subheader("Downgrade warnings")
    if warnings.empty:
        st.info("No downgrade warning: the account has never been warned.")
    else:
        st.table(dated(warnings)[["warning_date", "tier_at_risk", "outcome", "warning_reason"]])

    st.subheader("Creative requests")
    requests = load(key, "account_creative_requests", params)
    if requests.empty:
        st.info("No creative requested.")
    else:
        st.dataframe(requests, hide_index=True)

    st.subheader("Credits")
    credits = load(key, "account_credits", params)
    if credits.empty:
        st.info("No credit yet: nothing issued, redeemed or granted to this account.")
    else:
        st.dataframe(credits, hide_index=True)
        balance = load(key, "account_balance_daily", params)
        show_chart(
            charts.account_balance(balance),
            balance,
            "No credit was left at the end of any day up to the as-of date: each credit was "
            "used up or expired on the day it became usable."
            if not balance.empty
            else "No credit balance by the as-of date.",
            nothing_to_show=not (balance["balance_usd"] > 0).any(),
        )
        st.dataframe(dated(load(key, "account_ledger", params)), hide_index=True)

    st.subheader("Spend-match credit")
    spend_match = load(key, "account_spend_match", params)
    if spend_match.empty:
        st.info("No spend-match credit expected or recorded for this account.")
    else:
        st.table(spend_match[["status", "credit_id", "status_reason"]])
    st.subheader("Coupon attempts")
    coupons = load(key, "account_coupons", params)
    if coupons.empty:
        st.info("No coupon code typed.")
    else:
        st.table(coupons[["attempt_id", "outcome", "outcome_reason"]])

    st.subheader("Credit line")
    credit_line = load(key, "account_credit_line", params)
    if credit_line.empty:
        st.info("No credit-line day: the account has no spend yet.")
    else:
        line = credit_line.iloc[0]
        verdict = "eligible" if line["is_eligible"] else "not eligible"
        st.write(f"On {line['date_day']:%Y-%m-%d}: **{verdict}**")
        st.table(
            pd.DataFrame(
                {
                    "rule": [
                        "first spend at least 6 months back",
                        "spend in each of the 6 months before",
                        "no invoice paid late in the 6 months before",
                        "no invoice unpaid past due",
                    ],
                    "passes": [
                        bool(line["passes_account_age"]),
                        bool(line["passes_continuous_spend"]),
                        bool(line["passes_on_time_payments"]),
                        bool(line["passes_no_overdue_invoices"]),
                    ],
                }
            )
        )


def outlook_section(key: PublicationKey, params: tuple[tuple[str, Any], ...]) -> None:
    """What keeps the tier or reaches the next, and when it drops without spend
    (fct_tier_outlook, RULES.md section 13)."""
    st.subheader("Outlook")
    outlook = load(key, "account_outlook", params)
    if outlook.empty:
        st.info("Not in TikTok One on the as-of date: there is no tier to keep or reach.")
        return
    row = outlook.iloc[0]
    tomorrow = day(pd.Timestamp(row["as_of_date"]) + pd.Timedelta(days=1))
    if not pd.isna(row["spend_to_keep_tier_usd"]):
        st.metric(
            f"Spend to keep {tier_label(row['tier'])}",
            usd(row["spend_to_keep_tier_usd"]),
            f"by {day(row['keep_tier_by'])}",
            delta_color="off",
            delta_arrow="off",
        )
    if not pd.isna(row["spend_to_next_tier_usd"]):
        st.metric(
            f"Spend to reach {tier_label(row['next_tier'])}",
            usd(row["spend_to_next_tier_usd"]),
            f"on {tomorrow}",
            delta_color="off",
            delta_arrow="off",
        )
    if not pd.isna(row["downgrade_date_without_spend"]):
        st.metric(
            "Drops without spend",
            day(row["downgrade_date_without_spend"]),
            f"to {tier_label(row['tier_after_downgrade_without_spend'])}",
            delta_color="off",
            delta_arrow="off",
        )
    if row["tier"] == "none":
        state = "No tier yet: nothing to keep."
    elif pd.isna(row["spend_to_keep_tier_usd"]):
        state = f"{tier_label(row['tier'])} is safe for now: the spend reaches its minimum."
    else:
        state = (
            f"{tier_label(row['tier'])} is at risk: {int(row['days_below_tier'])} days below its "
            f"minimum. Reaching the minimum by {day(row['keep_tier_by'])} keeps it; the day "
            "after, it is too late."
        )
    st.caption(
        f"{state} Amounts are one day's spend on TikTok One creatives on {tomorrow}, the "
        "cheapest day (later, older spend leaves the 30-day window), rounded up to the cent. "
        f"As of {day(row['as_of_date'])}."
    )


def credits_page(key: PublicationKey) -> None:
    expiring = load(key, "credits_expiring").iloc[0]
    issued = load(key, "credits_issued_monthly")
    used = load(key, "credits_used_monthly")
    breakage = load(key, "breakage_monthly")
    columns = st.columns(4)
    columns[0].metric("Issued", usd(issued["amount_usd"].sum()))
    columns[1].metric(
        "Consumed", usd(used.loc[used["entry_type"] == "consumed", "amount_usd"].sum())
    )
    columns[2].metric(
        "Expiring within 7 days",
        usd(expiring["within_7d_usd"]),
        f"{int(expiring['credits_within_7d'])} credits",
        delta_color="off",
        delta_arrow="off",
    )
    columns[3].metric(
        "Expiring within 30 days",
        usd(expiring["within_30d_usd"]),
        f"{int(expiring['credits_within_30d'])} credits",
        delta_color="off",
        delta_arrow="off",
    )
    show_chart(charts.credits_issued_monthly(issued), issued, "No credit issued yet.")
    show_chart(charts.credits_used_monthly(used), used, "No credit consumed or expired yet.")
    show_chart(
        charts.breakage_monthly(breakage), breakage, "No credit has expired yet: no breakage."
    )
    expiring_list = load(key, "credits_expiring_list")
    if not expiring_list.empty:
        st.dataframe(expiring_list, hide_index=True)

    st.subheader("Spend-match reconciliation")
    statuses = load(key, "spend_match_statuses_monthly")
    show_chart(
        charts.spend_match_statuses(statuses),
        statuses,
        "No spend-match credit is due or recorded yet.",
    )
    problems = load(key, "spend_match_problems")
    if problems.empty:
        st.success("No spend-match credit is missing or late.")
    else:
        # A grid, not a static table: a program can have thousands of these.
        st.dataframe(
            dated(problems[["account_id", "status", "status_reason", "trigger_at", "due_by"]]),
            hide_index=True,
        )


def creator_next_page(key: PublicationKey) -> None:
    summary = load(key, "creators_summary").iloc[0]
    columns = st.columns(2)
    columns[0].metric("Creators", f"{int(summary['creators']):,}")
    columns[1].metric("Eligible on their latest day", f"{int(summary['eligible']):,}")
    eligible = load(key, "creators_eligible_daily")
    show_chart(
        charts.creators_eligible(eligible),
        eligible,
        "No creator has been eligible for Creator Next yet.",
    )
    failures = load(key, "creator_rule_failures")
    show_chart(charts.creator_rule_failures(failures), failures, "No creator stats yet.")


@st.cache_resource(max_entries=2, show_spinner=False)
def _what_if_connection(what_if: tuple[str, str]) -> duckdb.DuckDBPyConnection:
    return data.connect(what_if[0])


@st.cache_data(max_entries=100, show_spinner=False)
def load_what_if(what_if: tuple[str, str], name: str) -> pd.DataFrame:
    """A named query of the what-if file, cached for the file as computed (path, time)."""
    return data.query(_what_if_connection(what_if), name)


def what_if_page(path: Any, publication: data.Publication, tiers: list[str]) -> None:
    """The program under a proposal of tier rules beside the actual one (make what-if)."""
    try:
        what_if = data.current_what_if(path)
    except data.NoWhatIf as reason:
        st.warning(str(reason))
        return
    key = (what_if.path, what_if.computed_at.isoformat())
    st.header(f"What-if from {what_if.from_date:%Y-%m-%d} to {what_if.as_of_date:%Y-%m-%d}")
    st.caption(
        f"The program had the proposed tier rules applied from {what_if.from_date:%Y-%m-%d} "
        f"({what_if.days} days), every day judged as the warehouse judges it (the 30-day hold "
        f"included), beside the actual program. Proposal `{what_if.proposal}`, computed "
        f"{what_if.computed_at:%Y-%m-%d %H:%M}. A what-if, not the program's rules: nothing "
        "in the warehouse or this copy changed."
    )
    if what_if.as_of_date != publication.as_of_date:
        st.warning(
            f"The what-if was computed as of {what_if.as_of_date:%Y-%m-%d}, the published copy "
            f"is as of {publication.as_of_date:%Y-%m-%d}: run `make what-if` again to compare "
            "with today's program."
        )
    rules = load_what_if(key, "what_if_rules_compared")
    st.subheader("The rules, actual and proposed")
    st.dataframe(
        rules.assign(tier=rules["tier"].map(tier_label)).drop(columns="tier_rank"),
        hide_index=True,
        column_config={
            "tier": "Tier",
            "actual_min_rolling_30d_spend_usd": st.column_config.NumberColumn(
                "Minimum, actual (USD)", format="dollar"
            ),
            "what_if_min_rolling_30d_spend_usd": st.column_config.NumberColumn(
                "Minimum, proposed (USD)", format="dollar"
            ),
            "actual_weekly_creative_cap": "Weekly cap, actual",
            "what_if_weekly_creative_cap": "Weekly cap, proposed",
        },
    )
    differing = load_what_if(key, "what_if_accounts_tier_differing")
    events = load_what_if(key, "what_if_events_total").set_index("event")
    capacity = load_what_if(key, "what_if_creative_capacity")
    columns = st.columns(4)
    columns[0].metric(
        f"Tier differs on {what_if.as_of_date:%Y-%m-%d}", f"{len(differing):,} accounts"
    )
    for column, event in zip(columns[1:3], ["downgrade", "warning"], strict=True):
        actual, proposed = (
            (int(events.loc[event, "actual"]), int(events.loc[event, "what_if"]))
            if event in events.index
            else (0, 0)
        )
        column.metric(
            f"{event.capitalize()}s since {what_if.from_date:%Y-%m-%d}",
            f"{proposed:,}",
            f"{proposed - actual:+,} against {actual:,}",
            delta_color="inverse",
        )
    actual_capacity = int(capacity["actual_capacity"].sum())
    proposed_capacity = int(capacity["what_if_capacity"].sum())
    columns[3].metric(
        "Weekly creative capacity",
        f"{proposed_capacity:,}",
        f"{proposed_capacity - actual_capacity:+,} against {actual_capacity:,}",
        delta_color="off",
    )
    members = load_what_if(key, "what_if_members_per_tier_daily")
    show_chart(
        charts.what_if_members(members, tiers),
        members,
        "No member in TikTok One in the what-if's days.",
    )
    weeks = load_what_if(key, "what_if_events_weekly")
    show_chart(
        charts.what_if_events(weeks),
        weeks,
        "No upgrade, downgrade or warning in the what-if's days, either way.",
    )
    st.subheader(f"Accounts whose tier on {what_if.as_of_date:%Y-%m-%d} differs")
    if differing.empty:
        st.success("No account's tier on the as-of date would differ under the proposal.")
    else:
        st.caption(
            "Spend to keep: what the account's 30-day qualifying spend lacks, on the as-of "
            "date, of its actual tier's proposed minimum."
        )
        st.dataframe(
            differing,
            hide_index=True,
            column_config={
                "account_id": "Account",
                "account_name": "Name",
                "actual_tier": "Tier, actual",
                "what_if_tier": "Tier, what-if",
                "qualifying_spend_usd": st.column_config.NumberColumn(
                    "Qualifying spend (USD)", format="dollar"
                ),
                "spend_to_keep_actual_tier_usd": st.column_config.NumberColumn(
                    "Spend to keep (USD)", format="dollar"
                ),
                "actual_days_below_tier": "Days below, actual",
                "what_if_days_below_tier": "Days below, what-if",
            },
        )
    st.subheader("Weekly creative capacity on the as-of date")
    st.dataframe(capacity.drop(columns="tier_rank"), hide_index=True)


def main() -> None:
    st.set_page_config(page_title="TikTok One program", layout="wide")
    try:
        publication = data.current_publication()
    except data.NoPublication as reason:
        st.title("TikTok One program")
        st.warning(str(reason))
        return
    key: PublicationKey = (
        publication.path,
        publication.run_id,
        publication.published_at.isoformat(),
    )
    header(publication)
    what_if = data.what_if_path()
    pages = [*PAGES, WHAT_IF_PAGE] if what_if else PAGES
    requested = st.query_params.get("page", pages[0])
    page = st.sidebar.radio(
        "Page", pages, index=pages.index(requested) if requested in pages else 0, key="page"
    )
    st.query_params["page"] = page
    thresholds = load(key, "tier_thresholds", (("as_of", publication.as_of_date),))
    tiers = list(thresholds["tier"])
    if page == WHAT_IF_PAGE and what_if:
        what_if_page(what_if, publication, tiers)
    elif page == "Program":
        program_page(key, tiers, thresholds, publication.as_of_date)
    elif page == "Account":
        account_page(key, tiers, thresholds)
    elif page == "Credits":
        credits_page(key)
    else:
        creator_next_page(key)
    also = f", and the what-if file `{what_if}`" if page == WHAT_IF_PAGE else ""
    st.caption(
        f"{page} page, {len(CHARTS_DRAWN)} charts. Figures from the published copy "
        f"`{publication.path}`, schemas marts and rules{also}."
    )


main()
